import { OutputClosedError } from '../core/errors.js';
import { gzipSink } from './gzip.js';
import { StreamSink } from '../writers/stream-sink.js';
import type { Output } from '../writers/types.js';

export interface StdoutSinkOptions {
  /** Compress to gzip (for `-o -` style use with a `.gz` format); text formats only. */
  gzip?: boolean;
}

/**
 * These mean the reader went away (`| head`, a closed socket), which ends the run quietly
 * rather than as a failure.
 */
const CLOSED_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isOutputClosed(err: unknown): boolean {
  if (err instanceof OutputClosedError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLOSED_CODES.has(code);
}

/**
 * Standard output (or any writable stream) as an Output. A reader going away becomes
 * OutputClosedError on the next `write`, and after it nothing more is written; any other
 * stream error is a one-line Error. The stream itself is never ended: it belongs to the
 * process, and the caller may still want it after the export.
 */
export function stdoutSink(stream: NodeJS.WritableStream, options: StdoutSinkOptions = {}): Output {
  const raw = new StreamSink(stream, (err) =>
    isOutputClosed(err) ? new OutputClosedError() : new Error(`cannot write to standard output: ${messageOf(err)}`, { cause: err }),
  );
  const gz = options.gzip ? gzipSink(raw) : undefined;
  let ended = false;
  return {
    sink: gz ? gz.sink : raw,
    async commit() {
      if (ended) return;
      ended = true;
      if (gz) await gz.finish();
      await raw.flushed();
    },
    async abort() {
      if (ended) return;
      ended = true;
      gz?.destroy();
      // Later writes must not reach the stream: latch a failure without touching it. Not
      // OutputClosedError, which would make a straggler look like a quiet `| head`.
      raw.fail(new Error('output aborted'));
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
