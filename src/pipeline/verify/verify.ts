import { promises as fsp } from 'node:fs';
import type { Env } from '../../core/env.js';
import { UsageError } from '../../core/errors.js';
import { addDays, utcToday } from '../../core/dates.js';
import { isPostgresUrl } from '../../destinations/postgres/url.js';
import { isS3Url } from '../../destinations/s3/url.js';
import { providerOf } from '../../providers/registry.js';
import type { ExportOptions } from '../../providers/types.js';
import { clientFor } from '../fetch.js';
import type { ExportFlags } from '../request.js';
import { resolveExport } from '../resolve.js';
import { describeExport, sourceFingerprint } from '../same-export.js';
import type { Loaded } from '../validate.js';
import { localTarget } from './local.js';
import { postgresVerifyTarget } from './postgres.js';
import { s3VerifyTarget } from './s3.js';
import { countableDataset, type GivenExport, type HeldExport, type VerifyTarget } from './target.js';

// `mbuzz verify TARGET`: what the target holds per day (read first, with every usage error
// before any request), then the API's count of each of those days now, under the export's own
// filters (one cheap request a day), and the days where the two differ. --fix (fix.ts)
// exports those days again into the same target.

/** The flags that say how to reach the API: the same as export's, from the same places. */
export type ApiFlags = Pick<ExportFlags, 'profile' | 'config' | 'baseUrl' | 'apiKey' | 'retries' | 'timeoutSeconds' | 'concurrency' | 'insecureHttp' | 'quiet' | 'verbose' | 'progress'>;

export interface VerifyRequest {
  target: string;
  /** --from/--to as given (YYYY-MM-DD, today, yesterday); undefined = every day the target covers. */
  from?: string;
  to?: string;
  /** --dataset and its filters, for a target that does not record its export. */
  given?: GivenExport;
  fix: boolean;
  api: ApiFlags;
}

export interface DayCheck {
  day: string;
  held: number;
  /** The API's count now. */
  api: number;
  /** Today or later (UTC): still changing. */
  open: boolean;
}

/** One export in the target, ready to be counted: the options the API is asked with. */
export interface PreparedCheck {
  held: HeldExport & { identity: NonNullable<HeldExport['identity']> };
  options: ExportOptions;
}

export interface ExportCheck extends PreparedCheck {
  days: DayCheck[];
  requests: number;
}

export const differs = (d: DayCheck) => d.held !== d.api;

/** The reader for a target: a PostgreSQL URL, an S3 object, or a local file or directory. */
export async function openVerifyTarget(text: string, env: Env, say: (line: string) => void): Promise<VerifyTarget> {
  if (isPostgresUrl(text)) return postgresVerifyTarget(text, env);
  if (isS3Url(text)) return s3VerifyTarget(text, env, say);
  const st = await fsp.stat(text).catch(() => undefined);
  if (!st) throw new UsageError(`${text} does not exist`);
  if (!st.isDirectory() && !st.isFile()) throw new UsageError(`${text} is neither a file nor a directory`);
  return localTarget(text, st.isDirectory());
}

/** Every check of the request that needs no API request: the target read, each export resolved. */
export async function prepareVerify(req: VerifyRequest, env: Env, loaded: Loaded, say: (line: string) => void): Promise<PreparedCheck[]> {
  const today = utcToday(env.now());
  const range = rangeOf(req, today);
  const target = await openVerifyTarget(req.target, env, say);
  const helds = await target.read({ range, given: req.given, fix: req.fix });
  return helds.map((held) => prepareOne(held, req, env, loaded, today, say));
}

function prepareOne(held: HeldExport, req: VerifyRequest, env: Env, loaded: Loaded, today: string, say: (line: string) => void): PreparedCheck {
  const identity = held.identity;
  if (!identity) throw new UsageError(`nothing says which export wrote ${held.label}: give --dataset`);
  const dataset = countableDataset(identity.dataset);
  const provider = providerOf(dataset);
  const days = [...held.days.keys()];
  if (!days.length) throw new UsageError(`${held.label}: no days to verify`);
  const f = identity.filters as { channels?: string[]; funnel?: string; customer?: string; params?: Record<string, string[]> };
  const flags: ExportFlags = { ...req.api, dataset: dataset.name, from: days[0], to: days[days.length - 1], channels: f.channels, funnel: f.funnel, customer: f.customer, params: f.params };
  const resolved = resolveExport({ dataset, provider, flags, config: loaded.config, configFile: loaded.file, vars: env.vars, today });
  // the export's own filters, never a profile's default ones
  const options: ExportOptions = { ...resolved, channels: f.channels, funnel: f.funnel, customer: f.customer, params: { ...resolved.params, ...(f.params ?? {}) } };
  const why = dataset.dayTotal.unavailable?.(options);
  if (why) throw new UsageError(`cannot verify ${describeExport(identity)}: ${why}`);
  if (req.fix) {
    if (held.fix.kind === 'refuse') throw new UsageError(`--fix: ${held.fix.why}`);
    if (!held.recorded) throw new UsageError(`--fix: nothing in ${held.label} records how it was written (format, columns), so days written now could differ from the others; export it again with mbuzz export`);
  }
  for (const w of options.warnings) say(`warning: ${w}`);
  // (--fix: the export says so itself, when it checks the directory)
  if (!req.fix && held.source !== undefined && held.source !== sourceFingerprint(options)) {
    say(`warning: ${held.label} was last written with another API key or base URL than this one: fine for a rotated key, wrong for another account`);
  }
  return { held: held as PreparedCheck['held'], options };
}

function rangeOf(req: VerifyRequest, today: string): { from: string; to: string } | undefined {
  if (req.from === undefined) return undefined;
  const day = (d: string) => (d === 'today' ? today : d === 'yesterday' ? addDays(today, -1) : d);
  const from = day(req.from);
  const to = req.to !== undefined ? day(req.to) : addDays(today, -1);
  if (from > to) throw new UsageError(`--from ${from} is after ${req.to !== undefined ? `--to ${to}` : `yesterday (${to}, UTC)`}`);
  return { from, to };
}

/** The API's count of every day of one export, asked with its filters; requests in flight as --concurrency allows. */
export async function countAgainstApi(p: PreparedCheck, env: Env): Promise<ExportCheck> {
  const { options } = p;
  const client = clientFor(options, env);
  const total = options.dataset.dayTotal!;
  const entries = [...p.held.days.entries()];
  const api = await Promise.all(entries.map(([day]) => total.count({ options, client }, day)));
  const days = entries.map(([day, held], i) => ({ day, held, api: api[i]!, open: day >= options.today }));
  return { ...p, days, requests: client.stats.requests };
}
