import { UsageError } from '../core/errors.js';
import type { FileOutput } from '../destinations/file.js';
import { isS3Url } from '../destinations/s3/url.js';
import type { ExportOptions } from '../providers/types.js';
import { writerFor } from '../writers/index.js';
import type { RowWriter, Sink } from '../writers/types.js';
import { Checkpointer, loadCheckpoint, type Checkpoint } from './checkpoint.js';

// Resuming a single-file export: which checkpoint (if any) a run continues from, and writers
// whose progress that checkpoint records as chunks land.

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

/** The checkpoint a run continues from: only with --resume, and only for the same export. */
export async function findResume(path: string, fp: string, resume: boolean, output: string, say: (l: string) => void): Promise<Checkpoint | undefined> {
  const cp = await loadCheckpoint(path);
  if (!cp) {
    if (resume) say(`nothing to resume for ${output}: starting from the beginning`);
    return undefined;
  }
  if (!resume) {
    say(`warning: an unfinished earlier run of ${output} is discarded (use --resume to continue one)`);
    return undefined;
  }
  if (cp.fingerprint !== fp) {
    throw new UsageError(`the checkpoint beside ${output} is for a different export (${cp.describe}); run without --resume to start over`);
  }
  return cp;
}

/** Writers whose progress is checkpointed: after a text chunk lands, or after each Parquet row group. */
export async function checkpointedWriter(
  options: ExportOptions,
  out: FileOutput,
  checkpoint: Checkpointer,
  handed: { rows: number },
  resumed: Checkpoint | undefined,
  resumedState: Uint8Array | undefined,
): Promise<{ writer: RowWriter; sink: Sink }> {
  const settle = () => out.settle({ sync: true });
  if (options.format === 'parquet') {
    const { parquetWriter } = await import('../writers/parquet.js');
    const writer = parquetWriter({
      resume: resumed && resumedState ? { state: resumedState, rows: resumed.rows } : undefined,
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
