import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../core/env.js';
import { UsageError } from '../core/errors.js';
import { daysBetween, utcToday } from '../core/dates.js';
import type { ConfigFile } from '../config/schema.js';
import { checkFileTarget } from '../destinations/file.js';
import { holdResource } from '../core/lock.js';
import { EVERY_DAY } from '../destinations/claims.js';
import { childTarget, openPartitionStore } from '../destinations/open-partitions.js';
import type { PartitionStore } from '../destinations/partition-store.js';
import { checkS3Object } from '../destinations/s3/object.js';
import { isS3Url, parseS3ObjectUrl, parseS3PrefixUrl } from '../destinations/s3/url.js';
import { DATASETS, findDataset, providerOf } from '../providers/registry.js';
import type { ExportOptions } from '../providers/types.js';
import { tableName } from '../schema/ddl.js';
import type { PgTarget } from '../destinations/postgres/url.js';
import { checkpointPaths, fingerprint } from './checkpoint.js';
import { checkCreatableDir } from './dry-checks.js';
import { lockDirectory, lockFile } from './locks.js';
import { checkPostgres, postgresTarget, profilePgPassword, withDatasetTable } from './postgres.js';
import type { ExportFlags } from './request.js';
import { resolveExport, selectProfile } from './resolve.js';
import { canCheckpoint, findResume, whyNotResumable, type ResumePoint } from './resume.js';
import { checkSameExport } from './same-export.js';
import { checkShardFlags, shardDays, shardLabel } from './shard.js';
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
  /** The password the profile's postgres_password_env names. */
  pgPassword?: string;
  /** --partition-by: the directory or prefix, checked and its days claimed; released when the run ends. */
  store?: PartitionStore;
  /** Where `store` is inside the manifest's directory: '' or `<table>/` (`export all`). */
  storeAt?: string;
  /** Days whose part file a failed commit had already published (the manifest is still rewritten). */
  published?: { days: number };
}

export interface ExportPlan {
  jobs: ExportJob[];
  /** `mbuzz export all`: several datasets into one directory. */
  multi: boolean;
  state?: { path: string; file: StateFile };
  /** Where the run's manifest goes, if it writes one beside a file (or `export all`'s files). */
  manifestPath?: string;
  /** A directory of partitions (`export all`'s, with --partition-by): its _manifest.json describes it. */
  partitionRoot?: PartitionStore;
  /** UTC day of the run's start. */
  today: string;
  /** `I/N` when this run is one of N sharded workers. */
  shard?: string;
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
  if (multi && isS3Url(flags.output!) && !flags.partitionBy) throw new UsageError('`mbuzz export all -o s3://` writes partitions: add --partition-by date (one prefix per dataset)');
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
  checkShardFlags(flags);
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
      f = { ...f, output: flags.partitionBy ? childTarget(flags.output!, tableName(dataset.name)) : join(flags.output!, `${tableName(dataset.name)}.${format}`), format };
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
    if (flags.shard) {
      const whole = resolve(f);
      const mine = shardDays(whole.from, whole.to, flags.shard);
      if (!mine) {
        say(`shard ${shardLabel(flags.shard)} has no days of ${dataset.name} ${whole.from}..${whole.to} (${daysBetween(whole.from, whole.to)} days for ${flags.shard.count} shards): nothing to export`);
        continue;
      }
      f = { ...f, from: mine.from, to: mine.to };
    }
    const options = resolve(f);
    if (pg) {
      const target = withDatasetTable(pg, dataset.name);
      const pgPassword = profilePgPassword(selectProfile(dataset, f, loaded.config, loaded.file, env.vars), loaded.file, env.vars);
      jobs.push({ options: { ...options, output: target.label, format: 'csv' }, checkpointing: false, stateKey: key, postgres: target, ...(pgPassword !== undefined && { pgPassword }) });
      continue;
    }
    jobs.push({ options, partitionBy: flags.partitionBy, checkpointing: canCheckpoint(options, flags.partitionBy !== undefined), stateKey: key });
  }
  for (const job of jobs) checkJob(job, flags, env);

  // The pure checks passed: now what needs the filesystem (or S3), still before any request.
  // --dry-run: every check that only reads; no claim or lock taken, no directory made, no probe written.
  const storeOptions = { vars: env.vars, home: env.home, onWarning: (l: string) => say(`warning: ${l}`) };
  const note = (line: string) => say(`note: ${line}`);
  let root: PartitionStore | undefined;
  // a local directory a dry run would have made: nothing in it to check yet
  const unmade = multi && dry && !isS3Url(flags.output!) && !(await checkCreatableDir(flags.output!));
  if (multi && flags.partitionBy && !unmade) {
    // each dataset's directory is claimed day by day below; the root only holds them and the manifest
    root = await openStore(flags.output!, storeOptions);
    if (!dry) await root.check();
  } else if (multi && !dry) {
    await ensureDir(flags.output!);
    await lockDirectory(flags.output!, `-o ${flags.output}`, say);
  }
  for (const job of jobs) {
    const { options } = job;
    for (const w of options.warnings) say(`warning: ${w}`);
    if (job.postgres) {
      // its check connects and may create the table: a dry run leaves the database alone
      if (!dry) await checkPostgres(job.postgres, options, env, say, job.pgPassword);
      continue;
    }
    if (options.output === undefined || unmade) continue;
    if (job.partitionBy) {
      if (dry && !isS3Url(options.output) && !(await checkCreatableDir(options.output))) continue;
      const store = root ? root.child(tableName(options.dataset.name)) : await openStore(options.output, storeOptions);
      job.store = store;
      job.storeAt = root ? `${tableName(options.dataset.name)}/` : '';
      root ??= store;
      if (!dry) {
        await store.check();
        // the days this run reads (it may rewrite or remove any of their partitions); all of them with --replace-export
        await store.claim(flags.replaceExport ? EVERY_DAY : { from: options.from, to: options.to }, `-o ${options.output}`, note);
      }
      job.replaces = await checkSameExport(store, options, flags.replaceExport === true, say);
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
  const manifestPath = root ? undefined : multi ? join(flags.output!, '_manifest.json') : flags.manifest ? `${jobs[0]?.options.output ?? ''}.manifest.json` : undefined;
  return { jobs, multi, state, manifestPath, partitionRoot: root, today, ...(flags.shard && { shard: shardLabel(flags.shard) }) };
}

/** The checks of one job that need no filesystem. */
function checkJob(job: ExportJob, flags: ExportFlags, env: Env): void {
  const { options } = job;
  if (options.output === undefined && options.format === 'parquet' && env.stdoutIsTTY) {
    throw new UsageError('refusing to write Parquet to a terminal: give -o FILE.parquet or pipe it');
  }
  if (options.output !== undefined && isS3Url(options.output)) {
    if (job.partitionBy) parseS3PrefixUrl(options.output);
    else {
      if (flags.manifest) throw new UsageError('--manifest with -o s3://bucket/key is not written (a manifest describes a directory: use --partition-by date)');
      parseS3ObjectUrl(options.output);
    }
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

/** A partition store, its connection closed when the run ends (with the locks and claims). */
async function openStore(target: string, options: { vars: Env['vars']; home: string; onWarning: (l: string) => void }): Promise<PartitionStore> {
  const store = await openPartitionStore(target, options);
  holdResource(async () => store.close());
  return store;
}

async function ensureDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return;
  if (st) throw new UsageError(`-o ${dir} must be a directory for \`mbuzz export all\``);
  await fsp.mkdir(dir).catch((err: unknown) => {
    throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
  });
}
