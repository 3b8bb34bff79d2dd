import type { Env } from '../cli/env.js';
import { InterruptedError, ServerError, UsageError } from '../cli/errors.js';
import { createProgress, formatDuration, type Progress } from '../cli/progress.js';
import { Checkpointer, checkpointPaths, fingerprint, finishedPrefix, loadCheckpoint, loadWriterState, type Checkpoint } from './checkpoint.js';
import { HttpClient } from '../http/client.js';
import type { ExportObserver, ExportOptions } from '../providers/types.js';
import type { Row } from '../schema/types.js';
import { openFileSink, stdoutSink, writerFor } from '../writers/index.js';
import { parquetWriter } from '../writers/parquet.js';
import type { FileOutput } from '../writers/file-sink.js';
import type { Output, RowWriter, Sink } from '../writers/types.js';
import { eachDay } from '../dates.js';
import { fileEntry, type ManifestDataset, type ManifestWindow } from './manifest.js';
import { checkPartitionDir, removeEmptyPartitions, writePartitions } from './partitioned.js';
import { dirname, join, resolve as resolvePath } from 'node:path';

export interface ExportResult {
  options: ExportOptions;
  rows: number;
  windows: ManifestWindow[];
  files: ManifestDataset['files'];
}

export interface RunContext {
  env: Env;
  say: (line: string) => void;
  resume: boolean;
  /** -o is a directory of date=YYYY-MM-DD partitions. */
  partitionBy?: 'date';
}

/** One dataset to one output (a file, stdout, or a partition directory). */
export async function exportOne(options: ExportOptions, run: RunContext): Promise<ExportResult> {
  const { env, say } = run;
  const started = Date.now();
  if (options.output === undefined && options.format === 'parquet' && env.stdoutIsTTY) {
    throw new UsageError('refusing to write Parquet to a terminal: give -o FILE.parquet or pipe it');
  }
  const partitioned = run.partitionBy !== undefined;
  if (partitioned) {
    if (options.output === undefined) throw new UsageError('--partition-by date needs -o DIR');
    if (options.gzip) throw new UsageError('--partition-by writes plain files: drop the .gz');
    if (!options.dataset.dateColumn) throw new UsageError(`${options.dataset.name} has no date column to partition by`);
    if (run.resume) throw new UsageError('--resume is not needed with --partition-by: a re-run replaces whole partitions');
    await checkPartitionDir(options.output);
  }

  // Checkpoints: for files mbuzz can append to exactly (not gzip streams) and datasets that can skip windows.
  const checkpointing = !partitioned && options.output !== undefined && !options.gzip && options.dataset.resumable === true;
  if (run.resume && !checkpointing) {
    const why = options.output === undefined ? 'it needs -o FILE' : options.gzip ? 'a .gz stream cannot be continued' : `${options.dataset.name} cannot skip finished windows`;
    throw new UsageError(`--resume is not possible here: ${why}`);
  }
  const paths = options.output !== undefined && !partitioned ? checkpointPaths(options.output) : undefined;
  const fp = fingerprint(options);
  const resumed = checkpointing ? await findResume(paths!.checkpoint, fp, run.resume, options.output!, say) : undefined;

  // The output is opened (and its directory checked) before the first request goes out.
  const out: Output | FileOutput | undefined = partitioned
    ? undefined
    : options.output === undefined
      ? stdoutSink(env.stdout, { gzip: options.gzip })
      : await openFileSink(options.output, checkpointing ? { temp: { path: paths!.temp, resumeBytes: resumed?.bytes } } : { gzip: options.gzip });
  // Parquet's state grows with its row groups: saved every 5 s rather than every second.
  const every = options.format === 'parquet' ? 5000 : 1000;
  const checkpoint = checkpointing ? new Checkpointer(paths!.checkpoint, { fingerprint: fp, describe: describe(options) }, () => Date.now(), resumed, every) : undefined;
  const resumedState = resumed ? await loadWriterState(paths!.checkpoint, resumed) : undefined;
  if (resumed?.writerState && !resumedState) throw new UsageError(`the checkpoint beside ${options.output} names ${resumed.writerState}, which is gone; run without --resume to start over`);

  const progress = createProgress(env, { enabled: options.progress && !options.quiet && !options.verbose, label: options.dataset.name });
  const windows: ManifestWindow[] = resumed ? finishedPrefix(resumed).map((w) => ({ ...w })) : [];
  const observer: ExportObserver = {
    plan: (n) => progress.plan(n),
    note: (m) => (options.quiet ? undefined : progress.note(m)),
    windowDone: (label, rows, info) => {
      progress.windowDone(label, rows);
      if (info) {
        checkpoint?.windowDone(info, rows);
        windows.push({ ...info, rows });
      }
    },
  };
  const client = new HttpClient({
    fetch: env.fetch,
    sleep: env.sleep,
    random: env.random,
    now: env.now,
    signal: env.signal,
    timeoutMs: options.timeoutMs,
    backoff: { retries: options.retries },
    secrets: secretsOf(options),
    maxInFlight: options.concurrency,
    log: options.verbose ? (line) => env.stderr.write(`mbuzz: ${line}\n`) : undefined,
  });

  const prefix = resumed ? finishedPrefix(resumed) : [];
  const handed = { rows: resumed?.rows ?? 0 };
  if (resumed) say(`resuming: ${resumed.rows.toLocaleString('en-US')} rows already written, ${prefix.length} windows skipped`);
  let written: number;
  let files: ManifestDataset['files'] = [];
  try {
    const batches = options.dataset.run({ options, client, observer, signal: env.signal, resume: resumed ? { skipped: prefix.map((w) => w.received) } : undefined });
    const skipRows = resumed ? resumed.rows - prefix.reduce((n, w) => n + w.rows, 0) : 0;
    const rows = rowsOf(batches, options.maxRows, progress, skipRows, handed);
    if (partitioned) {
      const parts = await writePartitions(rows, { dir: options.output!, format: options.format, dateColumn: options.dataset.dateColumn!, columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe });
      written = parts.reduce((n, p) => n + p.rows, 0);
      const removed = await removeEmptyPartitions(options.output!, eachDay(options.from, options.to), new Set(parts.map((p) => p.date)));
      if (removed.length) say(`removed ${removed.length} stale partitions of days that are now empty`);
      for (const p of parts) files.push(await fileEntry(options.output!, join(options.output!, p.path), { rows: p.rows, date: p.date }));
    } else {
      const { writer, sink } = checkpoint ? checkpointedWriter(options, out as FileOutput, checkpoint, handed, resumed, resumedState) : { writer: writerFor(options.format), sink: out!.sink };
      // a resumed CSV already starts with its header
      const header = !(resumed && resumed.bytes > 0);
      written = await writer(rows, sink, { columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe, header });
      await out!.commit();
      await checkpoint?.remove();
      if (options.output !== undefined) files = [await fileEntry(dirname(resolvePath(options.output)), options.output, { rows: (resumed?.rows ?? 0) + written })];
    }
  } catch (err) {
    progress.stop();
    // A run cut short by Ctrl-C or an outage keeps its progress for --resume; nothing is at the target either way.
    if (checkpoint?.saved && (err instanceof InterruptedError || err instanceof ServerError)) {
      await (out as FileOutput).keep();
      say(`progress kept in ${paths!.temp}: run the same command with --resume to continue`);
    } else {
      await out?.abort();
      await checkpoint?.remove();
    }
    throw err;
  }
  progress.stop();
  const total = (resumed?.rows ?? 0) + written;
  say(summary(options, total, client, progress, Date.now() - started));
  windows.sort((a, b) => a.index - b.index);
  return { options, rows: total, windows, files };
}

async function findResume(path: string, fp: string, resume: boolean, output: string, say: (l: string) => void): Promise<Checkpoint | undefined> {
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
function checkpointedWriter(
  options: ExportOptions,
  out: FileOutput,
  checkpoint: Checkpointer,
  handed: { rows: number },
  resumed: Checkpoint | undefined,
  resumedState: Uint8Array | undefined,
): { writer: RowWriter; sink: Sink } {
  const settle = () => out.settle({ sync: true });
  if (options.format === 'parquet') {
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

/** Batches to single rows: skipping rows a resumed file already has, stopping at --max-rows. */
async function* rowsOf(batches: AsyncIterable<Row[]>, maxRows: number | undefined, progress: Progress, skip: number, handed: { rows: number }): AsyncGenerator<Row> {
  let left = (maxRows ?? Infinity) - handed.rows;
  let toSkip = skip;
  if (left <= 0) return;
  for await (const batch of batches) {
    let start = 0;
    if (toSkip > 0) {
      start = Math.min(toSkip, batch.length);
      toSkip -= start;
    }
    const end = Math.min(batch.length, start + left);
    progress.rows(end - start);
    for (let i = start; i < end; i++) {
      handed.rows += 1;
      yield batch[i]!;
    }
    left -= end - start;
    if (left <= 0) return;
  }
}

function secretsOf(options: ExportOptions): string[] {
  return Object.entries(options.credentials)
    .filter(([name]) => options.dataset.credentials.find((c) => c.name === name)?.secret)
    .map(([, v]) => v);
}

function describe(o: ExportOptions): string {
  return `${o.dataset.name} ${o.from}..${o.to} as ${o.format}`;
}

function summary(options: ExportOptions, rows: number, client: HttpClient, progress: Progress, ms: number): string {
  const days = options.from === options.to ? options.from : `${options.from}..${options.to}`;
  const where = options.output ?? 'stdout';
  const retries = client.stats.retries ? `, ${client.stats.retries} retries` : '';
  const capped = options.maxRows !== undefined && rows >= options.maxRows ? ' (stopped at --max-rows)' : '';
  return `${rows.toLocaleString('en-US')} rows${capped} of ${options.dataset.name} ${days} (${progress.windowsDone} windows, ${client.stats.requests} requests${retries}) -> ${where} [${options.format}] in ${formatDuration(ms / 1000)}`;
}
