import { createGzip, type Gzip } from 'node:zlib';
import { StreamSink } from '../writers/stream-sink.js';
import type { Sink } from '../writers/types.js';

export interface GzipSink {
  sink: Sink;
  /** Ends the gzip stream and waits until its last bytes (the trailer) reached `inner`. */
  finish(): Promise<void>;
  /** Stops compressing; what `inner` already has stays there. */
  destroy(): void;
}

/**
 * Compresses everything written to `sink` into one gzip member streamed to `inner`.
 * (Compressing each chunk on its own would give a multi-member file, which some readers
 * stop reading after the first member.) zlib works on the thread pool, so compression
 * overlaps encoding; a pump pulls compressed chunks and awaits `inner.write` for each, so
 * a slow `inner` fills zlib's buffer, and that pushes back on the writer through `sink`.
 */
export function gzipSink(inner: Sink, level = 6): GzipSink {
  const gz: Gzip = createGzip({ level });
  let pumpError: Error | undefined;
  // The error callers see is the inner sink's (e.g. OutputClosedError), not zlib's
  // "premature close" that destroying the gzip stream causes.
  const input = new StreamSink(gz, (err) => pumpError ?? asError(err));
  const pump = (async () => {
    for await (const chunk of gz as AsyncIterable<Buffer>) await inner.write(chunk);
  })().catch((err: unknown) => {
    pumpError = asError(err);
    input.fail(pumpError);
    gz.destroy();
  });

  return {
    sink: input,
    async finish() {
      if (input.error) throw input.error;
      await new Promise<void>((resolve) => gz.end(resolve));
      await pump;
      if (pumpError) throw pumpError;
      if (input.error) throw input.error;
    },
    destroy() {
      input.fail(new Error('gzip output aborted'));
      gz.destroy();
    },
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
