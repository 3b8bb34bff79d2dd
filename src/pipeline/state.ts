import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { addDays, parseIsoDate } from '../core/dates.js';
import { writeFileAtomic } from '../core/safe-files.js';

// Incremental runs for cron: per (dataset, profile, filters) the last UTC day exported complete.
// The next run starts after it, re-reading --lookback days for late data (attribution reruns
// change past days), and ends yesterday: today is never recorded as complete. With partitions,
// re-read days replace their partitions whole, so running twice doubles nothing.

export interface StateEntry {
  lastCompleteDay: string;
  updatedAt: string;
  dataset: string;
  profile?: string;
}

export interface StateFile {
  version: 1;
  entries: Record<string, StateEntry>;
}

export function stateKey(parts: { dataset: string; profile?: string; baseUrl: string; channels?: readonly string[]; funnel?: string; params?: Record<string, string[]> }): string {
  const filters = createHash('sha256')
    .update(JSON.stringify({ baseUrl: parts.baseUrl, channels: parts.channels, funnel: parts.funnel, params: parts.params }))
    .digest('hex')
    .slice(0, 12);
  return `${parts.dataset}|${parts.profile ?? '-'}|${filters}`;
}

/**
 * Reads and checks the whole state file before anything is planned from it: every entry's fields
 * are the right type, and lastCompleteDay is a real day no later than today. A file damaged or
 * edited by hand is a usage error naming the file and the key, never a date quietly moved.
 */
export async function loadState(path: string, today: string): Promise<StateFile> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { version: 1, entries: {} };
    throw new UsageError(`cannot read --state ${path}: ${(err as Error).message}`);
  }
  let s: StateFile;
  try {
    s = JSON.parse(text) as StateFile;
  } catch (err) {
    throw new UsageError(`--state ${path} is not an mbuzz state file (${(err as Error).message})`);
  }
  if (!isObject(s) || s.version !== 1 || !isObject(s.entries)) throw new UsageError(`--state ${path} is not an mbuzz state file (no version 1 and entries)`);
  for (const [key, entry] of Object.entries(s.entries)) {
    const problem = entryProblem(entry, today);
    if (problem) throw new UsageError(`--state ${path}: entries[${JSON.stringify(key)}]${problem}; fix or remove that entry`);
  }
  return s;
}

/** What is wrong with one entry (`.field is …`), or undefined. */
function entryProblem(entry: unknown, today: string): string | undefined {
  if (!isObject(entry)) return ` is ${shown(entry)}, not an object`;
  const e = entry as Record<string, unknown>;
  const day = e.lastCompleteDay;
  if (typeof day !== 'string' || parseIsoDate(day) === undefined) return `.lastCompleteDay is ${shown(day)}, not a calendar date (YYYY-MM-DD)`;
  if (day > today) return `.lastCompleteDay is ${day}, after today (${today} UTC)`;
  if (typeof e.updatedAt !== 'string') return `.updatedAt is ${shown(e.updatedAt)}, not a timestamp`;
  if (typeof e.dataset !== 'string') return `.dataset is ${shown(e.dataset)}, not a dataset name`;
  if (e.profile !== undefined && typeof e.profile !== 'string') return `.profile is ${shown(e.profile)}, not a profile name`;
  return undefined;
}

function shown(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Atomically (exclusive temp, fsync, rename): a full disk names the file and leaves no temp file. */
export async function saveState(path: string, state: StateFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The window a stateful run covers: from the day after the last complete one (minus lookback),
 * or --from / the default window on the first run; to --to or yesterday. Pure.
 */
export function stateWindow(entry: StateEntry | undefined, o: { from?: string; to?: string; today: string; lookback: number; defaultDays: number }): { from: string; to: string } {
  const yesterday = addDays(o.today, -1);
  const to = o.to !== undefined && o.to < yesterday ? o.to : yesterday;
  const from = entry ? addDays(entry.lastCompleteDay, 1 - o.lookback) : (o.from ?? addDays(yesterday, 1 - o.defaultDays));
  return { from, to };
}

/** What a finished run may record: never today or later. */
export function completeThrough(to: string, today: string): string {
  const yesterday = addDays(today, -1);
  return to < yesterday ? to : yesterday;
}
