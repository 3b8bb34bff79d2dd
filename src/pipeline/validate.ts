import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../core/env.js';
import { UsageError } from '../core/errors.js';
import { utcToday } from '../core/dates.js';
import type { ConfigFile } from '../config/schema.js';
import { checkFileTarget } from '../destinations/file.js';
import { checkPartitionDir } from '../destinations/partitioned.js';
import { checkS3Object } from '../destinations/s3/object.js';
import { isS3Url, parseS3ObjectUrl } from '../destinations/s3/url.js';
import { DATASETS, findDataset, providerOf } from '../providers/registry.js';
import type { ExportOptions } from '../providers/types.js';
import { tableName } from '../schema/ddl.js';
import type { PgTarget } from '../destinations/postgres/url.js';
import { checkpointPaths, fingerprint } from './checkpoint.js';
import { checkCreatableDir } from './dry-checks.js';
import { lockDirectory, lockFile } from './locks.js';
import { checkPostgres, postgresTarget, withDatasetTable } from './postgres.js';
import type { ExportFlags } from './request.js';
import { resolveExport } from './resolve.js';
import { canCheckpoint, findResume, whyNotResumable, type ResumePoint } from './resume.js';
import { checkSameExport } from './same-export.js';
import { loadState, stateKey, stateWindow, type StateFile } from './state.js';

// Every usage error of an export, in one place, before the first request: "exit 2 means
// nothing was sent" holds because the run starts only once the whole plan has been checked,
// every dataset of `export all` included.

/** One dataset to one output. */
export interface ExportJob {
  options: ExportOptions;
  /** -o is a directory of date=YYYY-MM-DD partitions. */
  partitionBy?: 'date';
  /** Keeps a checkpoint beside a single output file as it goes. */
  checkpointing: boolean;
  /** The checkpoint this run continues (--resume), its partial file verified. */
  resumed?: ResumePoint;
  /** The --state entry this job advances. */
  stateKey?: string;
  /** --replace-export: dates of another export's partitions in -o DIR, replaced or removed at commit. */
  replaces?: string[];
  /** -o postgresql://...: the load's target (options.output then holds its masked label). */
  postgres?: PgTarget;
}

export interface ExportPlan {
  jobs: ExportJob[];
  /** `mbuzz export all`: several datasets into one directory. */
  multi: boolean;
  state?: { path: string; file: StateFile };
  /** Where the run's manifest goes, if it writes one. */
  manifestPath?: string;
  /** UTC day of the run's start. */
  today: string;
}

export interface Loaded {
  config: ConfigFile;
  file?: string;
}

export async function planExport(flags: ExportFlags, env: Env, loaded: Loaded, say: (line: string) => void): Promise<ExportPlan> {
  const today = utcToday(env.now());
  // --dry-run: every check, none of the effects (no lock, no directory made, nothing written or probed)
  const dry = flags.dryRun === true;
  const multi = flags.dataset === 'all';
  const pg = postgresTarget(flags, env);
  if (flags.datasets && !multi) throw new UsageError('--datasets goes with `mbuzz export all`');
  if (multi && flags.output === undefined) throw new UsageError('`mbuzz export all` needs -o DIR');
  if (multi && isS3Url(flags.output!)) throw new UsageError('`mbuzz export all` writes to a local DIR for now, not s3://');
  if (flags.state !== undefined && flags.rangeDays !== undefined) throw new UsageError('--state decides the dates itself: drop --range');
  if (flags.state !== undefined && flags.includeToday) throw new UsageError('--state records complete days only: drop --include-today');
  if (flags.lookback !== undefined && flags.state === undefined) throw new UsageError('--lookback goes with --state');
  if (flags.manifest && !multi && !flags.partitionBy && (flags.output === undefined || flags.output === '-')) throw new UsageError('--manifest needs -o FILE');
  // A single file holds only what the run read, so the next run's window (from the last day, minus
  // --lookback) would replace the file's history with a few days: refused rather than done quietly.
  if (flags.state !== undefined && !flags.partitionBy && (multi || (flags.output !== undefined && flags.output !== '-'))) {
    throw new UsageError('--state with -o FILE would replace the earlier days in the file with the next run\'s few: use -o DIR --partition-by date (each day its own file), or stdout');
  }
  if (flags.partitionBy && flags.maxRows !== undefined) throw new UsageError('--max-rows would cut a day short, and a partition replaces its day whole: drop --max-rows with --partition-by');
  if (flags.replaceExport && !flags.partitionBy) throw new UsageError('--replace-export goes with --partition-by date');
  const datasets = multi ? (flags.datasets ?? DATASETS.filter((d) => d.provider === 'mbuzz').map((d) => d.name)).map(findDataset) : [findDataset(flags.dataset)];
  // --state: a regular file (or none yet) in a writable directory, locked before it is read
  const statePath = flags.state !== undefined ? await checkFileTarget(flags.state, '') : undefined;
  if (statePath !== undefined && !dry) await lockFile(statePath, `--state ${flags.state}`, say);
  const state = statePath !== undefined ? { path: statePath, file: await loadState(statePath, today) } : undefined;

  const jobs: ExportJob[] = [];
  for (const dataset of datasets) {
    const resolve = (f: ExportFlags): ExportOptions => resolveExport({ dataset, provider: providerOf(dataset), flags: f, config: loaded.config, configFile: loaded.file, vars: env.vars, today });
    // a PostgreSQL URL is no path: nothing downstream of resolve sees it as one
    let f: ExportFlags = { ...flags, dataset: dataset.name, ...(pg ? { output: undefined } : {}) };
    if (multi) {
      const format = resolve({ ...f, output: undefined }).format;
      f = { ...f, output: join(flags.output!, flags.partitionBy ? tableName(dataset.name) : `${tableName(dataset.name)}.${format}`), format };
    }
    let key: string | undefined;
    if (state) {
      const probe = resolve(f);
      key = stateKey({ dataset: dataset.name, profile: probe.profileName, baseUrl: probe.baseUrl, channels: probe.channels, funnel: probe.funnel, params: probe.params });
      const w = stateWindow(state.file.entries[key], { from: flags.from, to: flags.to, today, lookback: flags.lookback ?? 0, defaultDays: 30 });
      if (w.from > w.to) {
        say(`${dataset.name} is up to date through ${state.file.entries[key]?.lastCompleteDay ?? w.to} (nothing before today left to export)`);
        continue;
      }
      f = { ...f, from: w.from, to: w.to };
    }
    const options = resolve(f);
    if (pg) {
      const target = withDatasetTable(pg, dataset.name);
      jobs.push({ options: { ...options, output: target.label, format: 'csv' }, checkpointing: false, stateKey: key, postgres: target });
      continue;
    }
    jobs.push({ options, partitionBy: flags.partitionBy, checkpointing: canCheckpoint(options, flags.partitionBy !== undefined), stateKey: key });
  }
  for (const job of jobs) checkJob(job, flags, env);

  // The pure checks passed: now what needs the filesystem, still before any request.
  // a directory a dry run would have made: nothing in it to check yet
  const unmade = multi && dry && !(await checkCreatableDir(flags.output!));
  if (multi && !dry) {
    await ensureDir(flags.output!);
    await lockDirectory(flags.output!, `-o ${flags.output}`, say);
  }
  for (const job of jobs) {
    const { options } = job;
    for (const w of options.warnings) say(`warning: ${w}`);
    if (job.postgres) {
      // its check connects and may create the table: a dry run leaves the database alone
      if (!dry) await checkPostgres(job.postgres, options, env, say);
      continue;
    }
    if (options.output === undefined || unmade) continue;
    if (job.partitionBy) {
      if (dry && !(await checkCreatableDir(options.output))) continue;
      if (!dry) {
        await checkPartitionDir(options.output);
        await lockDirectory(options.output, `-o ${options.output}`, say);
      }
      job.replaces = await checkSameExport(options.output, options, flags.replaceExport === true, say);
    } else if (isS3Url(options.output)) {
      // the probe starts (and aborts) an upload: a dry run sends nothing to the store
      if (!dry) await checkS3Object(options.output, { vars: env.vars, home: env.home, onWarning: (l) => say(`warning: ${l}`) });
    } else {
      // a symlink of ours to a regular file is written through: the run works on the file it leads to
      const target = await checkFileTarget(options.output);
      if (!dry) await lockFile(target, `-o ${options.output}`, say);
      if (target !== options.output) job.options = { ...options, output: target };
      if (job.checkpointing) job.resumed = await findResume(checkpointPaths(target), fingerprint(options), flags.resume === true, target, say);
    }
  }
  const manifestPath = multi || flags.partitionBy ? join(flags.output!, '_manifest.json') : flags.manifest ? `${jobs[0]?.options.output ?? ''}.manifest.json` : undefined;
  return { jobs, multi, state, manifestPath, today };
}

/** The checks of one job that need no filesystem. */
function checkJob(job: ExportJob, flags: ExportFlags, env: Env): void {
  const { options } = job;
  if (options.output === undefined && options.format === 'parquet' && env.stdoutIsTTY) {
    throw new UsageError('refusing to write Parquet to a terminal: give -o FILE.parquet or pipe it');
  }
  if (options.output !== undefined && isS3Url(options.output)) {
    if (job.partitionBy) throw new UsageError('--partition-by writes to a local DIR for now, not s3://');
    if (flags.manifest) throw new UsageError('--manifest writes beside a local file for now, not s3://');
    parseS3ObjectUrl(options.output);
  }
  if (job.partitionBy) {
    if (options.output === undefined) throw new UsageError('--partition-by date needs -o DIR');
    if (options.gzip) throw new UsageError('--partition-by writes plain files: drop the .gz');
    if (!options.dataset.dateColumn) throw new UsageError(`${options.dataset.name} has no date column to partition by`);
    if (flags.resume) throw new UsageError('--resume is not needed with --partition-by: a re-run replaces whole partitions');
  }
  const why = flags.resume ? whyNotResumable(options, job.partitionBy !== undefined) : undefined;
  if (why) throw new UsageError(`--resume is not possible here: ${why}`);
}

async function ensureDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return;
  if (st) throw new UsageError(`-o ${dir} must be a directory for \`mbuzz export all\``);
  await fsp.mkdir(dir).catch((err: unknown) => {
    throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
  });
}
