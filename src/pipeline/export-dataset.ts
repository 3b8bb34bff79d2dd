import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Env } from '../core/env.js';
import { InterruptedError, ServerError, UsageError } from '../core/errors.js';
import { eachDay } from '../core/dates.js';
import type { Row } from '../core/columns.js';
import { openFileSink, type FileOutput } from '../destinations/file.js';
import { removeEmptyPartitions, writePartitions } from '../destinations/partitioned.js';
import { S3ObjectTarget } from '../destinations/s3/object.js';
import { isS3Url } from '../destinations/s3/url.js';
import { stdoutSink } from '../destinations/stdout.js';
import type { ExportObserver } from '../providers/types.js';
import { writerFor } from '../writers/index.js';
import type { Output } from '../writers/types.js';
import { Checkpointer, checkpointPaths, fingerprint, finishedPrefix, loadWriterState } from './checkpoint.js';
import { clientFor } from './fetch.js';
import { fileEntry, type ManifestDataset, type ManifestWindow } from './manifest.js';
import type { RunObserver } from './observer.js';
import { checkpointedWriter } from './resume.js';
import { rowsOf } from './rows.js';
import { summary } from './summary.js';
import type { ExportJob } from './validate.js';

// One dataset to one output: fetch (the provider's windows, through one HTTP client), rows
// (resume skip, --max-rows), write (a writer into the output's sink), then commit; or, on any
// failure, abort, keeping a checkpointed file's progress where a --resume can use it.

export interface ExportResult {
  job: ExportJob;
  rows: number;
  windows: ManifestWindow[];
  files: ManifestDataset['files'];
}

export async function exportDataset(job: ExportJob, env: Env, observer: RunObserver): Promise<ExportResult> {
  const { options, resumed } = job;
  const started = Date.now();
  const partitioned = job.partitionBy !== undefined;
  const paths = job.checkpointing ? checkpointPaths(options.output!) : undefined;

  // The output is opened before the first request goes out.
  const s3 = !partitioned && options.output !== undefined && isS3Url(options.output) ? await S3ObjectTarget.open(options.output, { vars: env.vars, home: env.home, onWarning: (l) => observer.say(`warning: ${l}`) }) : undefined;
  const out: Output | FileOutput | undefined = partitioned
    ? undefined
    : options.output === undefined
      ? stdoutSink(env.stdout, { gzip: options.gzip })
      : s3
        ? await s3.openOutput({ gzip: options.gzip })
        : await openFileSink(options.output, paths ? { temp: { path: paths.temp, resumeBytes: resumed?.bytes } } : { gzip: options.gzip });
  // Parquet's state grows with its row groups: saved every 5 s rather than every second.
  const every = options.format === 'parquet' ? 5000 : 1000;
  const checkpoint = paths ? new Checkpointer(paths.checkpoint, { fingerprint: fingerprint(options), describe: `${options.dataset.name} ${options.from}..${options.to} as ${options.format}` }, () => Date.now(), resumed, every) : undefined;
  const resumedState = resumed && paths ? await loadWriterState(paths.checkpoint, resumed) : undefined;
  if (resumed?.writerState && !resumedState) {
    await out?.abort();
    throw new UsageError(`the checkpoint beside ${options.output} names ${resumed.writerState}, which is gone; run without --resume to start over`);
  }

  const progress = observer.progress(options);
  const windows: ManifestWindow[] = resumed ? finishedPrefix(resumed).map((w) => ({ ...w })) : [];
  const watch: ExportObserver = {
    plan: (n) => progress.plan(n),
    note: (m) => progress.note(m),
    windowDone: (label, rows, info) => {
      progress.windowDone(label, rows);
      if (info) {
        checkpoint?.windowDone(info, rows);
        windows.push({ ...info, rows });
      }
    },
  };
  const client = clientFor(options, env);

  const prefix = resumed ? finishedPrefix(resumed) : [];
  const handed = { rows: resumed?.rows ?? 0 };
  if (resumed) observer.say(`resuming: ${resumed.rows.toLocaleString('en-US')} rows already written, ${prefix.length} windows skipped`);
  let written: number;
  let files: ManifestDataset['files'] = [];
  try {
    const batches = options.dataset.run({ options, client, observer: watch, signal: env.signal, clock: { now: () => env.now().getTime(), sleep: env.sleep }, resume: resumed ? { skipped: prefix.map((w) => w.received) } : undefined });
    const skipRows = resumed ? resumed.rows - prefix.reduce((n, w) => n + w.rows, 0) : 0;
    const rows: AsyncIterable<Row> = rowsOf(batches, options.maxRows, progress, skipRows, handed);
    if (partitioned) {
      const parts = await writePartitions(rows, { dir: options.output!, format: options.format, dateColumn: options.dataset.dateColumn!, columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe });
      written = parts.reduce((n, p) => n + p.rows, 0);
      const removed = await removeEmptyPartitions(options.output!, eachDay(options.from, options.to), new Set(parts.map((p) => p.date)));
      if (removed.length) observer.say(`removed ${removed.length} stale partitions of days that are now empty`);
      for (const p of parts) files.push(await fileEntry(options.output!, join(options.output!, p.path), { rows: p.rows, date: p.date }));
    } else {
      const { writer, sink } = checkpoint ? await checkpointedWriter(options, out as FileOutput, checkpoint, handed, resumed, resumedState) : { writer: writerFor(options.format), sink: out!.sink };
      // a resumed CSV already starts with its header
      const header = !(resumed && resumed.bytes > 0);
      written = await writer(rows, sink, { columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe, header });
      await out!.commit();
      await checkpoint?.remove();
      if (options.output !== undefined && !s3) files = [await fileEntry(dirname(resolvePath(options.output)), options.output, { rows: (resumed?.rows ?? 0) + written })];
    }
  } catch (err) {
    progress.stop();
    // A run cut short by Ctrl-C or an outage keeps its progress for --resume; nothing is at the target either way.
    if (checkpoint?.saved && (err instanceof InterruptedError || err instanceof ServerError)) {
      await (out as FileOutput).keep();
      observer.say(`progress kept in ${paths!.temp}: run the same command with --resume to continue`);
    } else {
      await out?.abort();
      await checkpoint?.remove();
    }
    throw err;
  } finally {
    s3?.close();
  }
  progress.stop();
  const total = (resumed?.rows ?? 0) + written;
  observer.say(summary(options, total, client.stats, progress.windowsDone, Date.now() - started));
  windows.sort((a, b) => a.index - b.index);
  return { job, rows: total, windows, files };
}
