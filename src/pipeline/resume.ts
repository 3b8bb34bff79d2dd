import { UsageError } from '../core/errors.js';
import type { FileOutput } from '../destinations/file.js';
import { verifyPartial, type VerifiedPrefix } from '../destinations/partial-file.js';
import { isS3Url } from '../destinations/s3/url.js';
import type { ExportOptions } from '../providers/types.js';
import { writerFor } from '../writers/index.js';
import type { RowWriter, Sink } from '../writers/types.js';
import { Checkpointer, loadCheckpoint, loadWriterState, type Checkpoint } from './checkpoint.js';

// Resuming a single-file export: which checkpoint (if any) a run continues from, and writers
// whose progress that checkpoint records as chunks land.

/** A checkpoint whose partial file (and Parquet writer state) were read back and match it. */
export interface ResumePoint extends Checkpoint {
  prefix: VerifiedPrefix;
  /** Parquet: the writer state the checkpoint names, digest checked. */
  state?: Uint8Array;
}

/** Whether this export keeps a checkpoint: a file mbuzz can append to exactly, of a dataset that can skip windows. */
export function canCheckpoint(options: ExportOptions, partitioned: boolean): boolean {
  return !partitioned && options.output !== undefined && !isS3Url(options.output) && !options.gzip && options.dataset.resumable === true;
}

/** Why --resume cannot apply, or undefined when it can. */
export function whyNotResumable(options: ExportOptions, partitioned: boolean): string | undefined {
  if (partitioned) return undefined; // refused earlier, with its own message
  if (canCheckpoint(options, partitioned)) return undefined;
  return options.output === undefined ? 'it needs -o FILE' : isS3Url(options.output) ? 'an s3:// upload cannot be continued (a re-run replaces the object)' : options.gzip ? 'a .gz stream cannot be continued' : `${options.dataset.name} cannot skip finished windows`;
}

/**
 * The checkpoint a run continues from: only with --resume, only for the same export, and only if
 * the partial file still starts with exactly the bytes it records (and a Parquet writer state is the
 * one it records). Anything else starts over with a one-line warning; the run then discards the
 * old checkpoint before it touches the partial file (export-dataset.ts).
 */
export async function findResume(paths: { checkpoint: string; temp: string }, fp: string, resume: boolean, output: string, say: (l: string) => void): Promise<ResumePoint | undefined> {
  const found = await loadCheckpoint(paths.checkpoint);
  if (!found) {
    if (resume) say(`nothing to resume for ${output}: starting from the beginning`);
    return undefined;
  }
  if (!resume) {
    say(`warning: an unfinished earlier run of ${output} is discarded (use --resume to continue one)`);
    return undefined;
  }
  const startOver = (why: string) => say(`warning: the checkpoint beside ${output} cannot be trusted (${why}): starting over`);
  if ('untrusted' in found) return void startOver(found.untrusted);
  const cp = found.checkpoint;
  if (cp.fingerprint !== fp) {
    throw new UsageError(`the checkpoint beside ${output} is for a different export (${cp.describe}); run without --resume to start over`);
  }
  const writer = await loadWriterState(paths.checkpoint, cp);
  if ('mismatch' in writer) return void startOver(writer.mismatch);
  const prefix = await verifyPartial(paths.temp, cp.bytes, cp.sha256);
  if ('mismatch' in prefix) return void startOver(prefix.mismatch);
  return { ...cp, prefix, state: writer.state };
}

/** Writers whose progress is checkpointed: after a text chunk lands, or after each Parquet row group. */
export async function checkpointedWriter(
  options: ExportOptions,
  out: FileOutput,
  checkpoint: Checkpointer,
  handed: { rows: number },
  resumed: ResumePoint | undefined,
): Promise<{ writer: RowWriter; sink: Sink }> {
  const settle = () => out.settle({ sync: true });
  if (options.format === 'parquet') {
    const { parquetWriter } = await import('../writers/parquet.js');
    const writer = parquetWriter({
      resume: resumed?.state ? { state: resumed.state, rows: resumed.rows } : undefined,
      afterGroup: (rowsInFile, state) => (checkpoint.due() ? checkpoint.save(rowsInFile, settle, state) : undefined),
    });
    return { writer, sink: out.sink };
  }
  // A text chunk holds every row handed to the writer so far; once it has landed, those rows are in the file.
  const sink: Sink = {
    async write(chunk) {
      const rows = handed.rows;
      await out.sink.write(chunk);
      if (checkpoint.due()) await checkpoint.save(rows, settle);
    },
  };
  return { writer: writerFor(options.format), sink };
}
