import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { addDays } from '../core/dates.js';

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

export async function loadState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { version: 1, entries: {} };
    throw new UsageError(`cannot read --state ${path}: ${(err as Error).message}`);
  }
  try {
    const s = JSON.parse(text) as StateFile;
    if (s.version !== 1 || typeof s.entries !== 'object' || s.entries === null) throw new Error('not an mbuzz state file');
    return s;
  } catch (err) {
    throw new UsageError(`--state ${path} is not an mbuzz state file (${(err as Error).message})`);
  }
}

export async function saveState(path: string, state: StateFile): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  await fsp.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await fsp.rename(tmp, path);
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
