import { basename, resolve as resolvePath } from 'node:path';
import type { Env } from '../core/env.js';
import { InterruptedError, ServerError } from '../core/errors.js';
import type { Row } from '../core/columns.js';
import { VERSION } from '../core/version.js';
import { openFileSink, type FileOutput } from '../destinations/file.js';
import type { RunStamp } from '../destinations/partition-records.js';
import { writePartitions, type StagedPartitions } from '../destinations/partitioned.js';
import { S3ObjectTarget } from '../destinations/s3/object.js';
import { isS3Url } from '../destinations/s3/url.js';
import { stdoutSink } from '../destinations/stdout.js';
import type { ExportObserver } from '../providers/types.js';
import { writerFor } from '../writers/index.js';
import type { Output } from '../writers/types.js';
import { Checkpointer, checkpointPaths, discardProgress, fingerprint, finishedPrefix } from './checkpoint.js';
import { WindowLedger } from './checks.js';
import { clientFor } from './fetch.js';
import { fileEntry, type ManifestDataset, type ManifestWindow } from './manifest.js';
import type { RunObserver } from './observer.js';
import { openPostgres } from './postgres.js';
import { checkpointedWriter } from './resume.js';
import { rowsOf } from './rows.js';
import { exportIdentity, sourceFingerprint } from './same-export.js';
import { summary } from './summary.js';
import { checkTimestamps } from './timestamps.js';
import type { ExportJob } from './validate.js';

// One dataset to one output: fetch (the provider's windows, through one HTTP client), checks
// (every row against its window, every window's rows against the API's total: checks.ts), rows
// (client-side filter, resume skip, --max-rows), write (a writer into the output's sink), then
// commit; or, on any failure, abort, keeping a checkpointed file's progress where a --resume can
// use it. Partitions are all written before any is published, so a failed check changes nothing.

export interface ExportResult {
  job: ExportJob;
  rows: number;
  windows: ManifestWindow[];
  /** What this run wrote; paths absolute (the manifest makes them relative to itself). */
  files: ManifestDataset['files'];
}

export async function exportDataset(job: ExportJob, env: Env, observer: RunObserver, run: RunStamp): Promise<ExportResult> {
  const { options, resumed } = job;
  const started = Date.now();
  const partitioned = job.partitionBy !== undefined;
  const paths = job.checkpointing ? checkpointPaths(options.output!) : undefined;

  // An earlier run's progress this run does not continue goes first, checkpoint before partial
  // file, so no checkpoint ever describes a partial file this run has started to rewrite.
  if (paths && !resumed) await discardProgress(paths);
  // The output is opened before the first request goes out.
  const pgOut = job.postgres ? await openPostgres(job.postgres, options, env, (line) => observer.say(line), job.pgPassword) : undefined;
  const s3 = !partitioned && options.output !== undefined && isS3Url(options.output) ? await S3ObjectTarget.open(options.output, { vars: env.vars, home: env.home, onWarning: (l) => observer.say(`warning: ${l}`) }) : undefined;
  const out: Output | FileOutput | undefined =
    pgOut ??
    (partitioned
      ? undefined
      : options.output === undefined
        ? stdoutSink(env.stdout, { gzip: options.gzip })
        : s3
          ? await s3.openOutput({ gzip: options.gzip })
          : await openFileSink(options.output, paths ? { temp: { path: paths.temp, resume: resumed?.prefix } } : { gzip: options.gzip }));
  // Parquet's state grows with its row groups: saved every 5 s rather than every second.
  const every = options.format === 'parquet' ? 5000 : 1000;
  const checkpoint = paths ? new Checkpointer(paths.checkpoint, { fingerprint: fingerprint(options), describe: `${options.dataset.name} ${options.from}..${options.to} as ${options.format}` }, () => Date.now(), resumed, every) : undefined;

  const progress = observer.progress(options);
  const record = observer.record?.(options);
  const windows: ManifestWindow[] = resumed ? finishedPrefix(resumed).map((w) => ({ ...w })) : [];
  // A window counts as done for the checkpoint and the manifest once the ledger has all its rows
  // counted (a provider reports it done while its rows may still wait in the look-ahead).
  const ledger = new WindowLedger(options.dataset.name, options, options.dataset.rowDate, options.dataset.keep?.(options), (c) => {
    record?.counted(c);
    if (!c.info) return;
    checkpoint?.windowDone(c.info, c.kept);
    windows.push({ ...c.info, rows: c.kept });
  });
  const watch: ExportObserver = {
    plan: (n) => progress.plan(n),
    expect: (n) => progress.expect?.(n),
    note: (m) => progress.note(m),
    windowDone: (label, rows, info) => {
      progress.windowDone(label, rows);
      if (info) ledger.state(info);
      if (info) record?.stated(info);
    },
  };
  const client = clientFor(options, env);
  record?.started(client.stats);

  const prefix = resumed ? finishedPrefix(resumed) : [];
  const handed = { rows: resumed?.rows ?? 0 };
  if (resumed) {
    observer.say(`resuming: ${resumed.rows.toLocaleString('en-US')} rows already written, ${prefix.length} windows skipped`);
    progress.resumed(prefix.length, resumed.rows);
    record?.resumed(prefix);
  }
  let written: number;
  let files: ManifestDataset['files'] = [];
  let staged: StagedPartitions | undefined;
  try {
    const batches = options.dataset.run({ options, client, observer: watch, signal: env.signal, clock: { now: () => env.now().getTime(), sleep: env.sleep }, resume: resumed ? { skipped: prefix.map((w) => w.received) } : undefined });
    const skipRows = resumed ? resumed.rows - prefix.reduce((n, w) => n + w.rows, 0) : 0;
    const rows: AsyncIterable<Row> = rowsOf(ledger.check(checkTimestamps(options.dataset.name, options.dataset.columns, batches)), options.maxRows, progress, skipRows, handed);
    if (partitioned) {
      const store = job.store!;
      staged = await writePartitions(rows, { store, format: options.format, dateColumn: options.dataset.dateColumn!, columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe });
      const parts = staged.files;
      written = parts.reduce((n, p) => n + p.rows, 0);
      // Only days that complete windows covered can be known empty; nothing outside them is touched.
      const emptyDays = ledger.finished ? [...ledger.daysRead()].filter((d) => !parts.some((p) => p.date === d)) : [];
      const identity = exportIdentity(options);
      const source = sourceFingerprint(options);
      const removed = await staged.commit({
        record: (p) => ({ tool: 'mbuzz', version: VERSION, date: p.date, export: identity, source, run, file: { name: basename(p.path), bytes: p.bytes, sha256: p.sha256, rows: p.rows } }),
        emptyDays,
        alsoRemove: job.replaces,
        published: (job.published = { days: 0 }),
      });
      const empty = removed.filter((d) => emptyDays.includes(d));
      const replaced = removed.filter((d) => !emptyDays.includes(d));
      if (empty.length) observer.say(`removed ${partitions(empty)}: days read that are now empty`);
      if (replaced.length) observer.say(`removed ${partitions(replaced)} of the replaced export`);
      // relative to the manifest's directory
      files = parts.map((p) => ({ path: `${job.storeAt ?? ''}${p.path}`, bytes: p.bytes, sha256: p.sha256, rows: p.rows, date: p.date }));
    } else {
      const { writer, sink } = checkpoint ? await checkpointedWriter(options, out as FileOutput, checkpoint, handed, resumed) : { writer: pgOut?.writer ?? writerFor(options.format), sink: out!.sink };
      // a resumed CSV already starts with its header
      const header = !(resumed && resumed.bytes > 0);
      written = await writer(rows, sink, { columns: options.columns, passThrough: !options.projected, csvSafe: options.csvSafe, header });
      await out!.commit();
      await checkpoint?.remove();
      if (options.output !== undefined && !pgOut && !s3) files = [await fileEntry(resolvePath(options.output), { rows: (resumed?.rows ?? 0) + written })];
    }
  } catch (err) {
    progress.stop();
    record?.failed();
    await staged?.abort();
    // A run cut short by Ctrl-C or an outage keeps its progress for --resume; nothing is at the target either way.
    if (checkpoint?.saved && (err instanceof InterruptedError || err instanceof ServerError || env.signal.aborted)) {
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
  record?.finished(total, files);
  const ms = Date.now() - started;
  const s = client.stats;
  observer.say(summary(options, total, s, progress.windowsDone, ms), { event: 'summary', dataset: options.dataset.name, rows: total, windows: progress.windowsDone, requests: s.requests, retries: s.retries, output: options.output ?? 'stdout', format: options.format, ms });
  windows.sort((a, b) => a.index - b.index);
  return { job, rows: total, windows, files };
}

const partitions = (dates: readonly string[]) =>
  dates.length <= 3 ? `${dates.length} partition${dates.length === 1 ? '' : 's'} (${dates.join(', ')})` : `${dates.length} partitions between ${dates[0]} and ${dates[dates.length - 1]}`;
