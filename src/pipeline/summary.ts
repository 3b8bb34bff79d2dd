import type { ClientStats } from '../http/client.js';
import type { ExportOptions } from '../providers/types.js';

/** The one line a finished export says: rows, windows, requests, where, how long. */
export function summary(options: ExportOptions, rows: number, stats: ClientStats, windows: number, ms: number): string {
  const days = options.from === options.to ? options.from : `${options.from}..${options.to}`;
  const where = options.output ?? 'stdout';
  const retries = stats.retries ? `, ${stats.retries} retries` : '';
  const capped = options.maxRows !== undefined && rows >= options.maxRows ? ' (stopped at --max-rows)' : '';
  return `${rows.toLocaleString('en-US')} rows${capped} of ${options.dataset.name} ${days} (${windows} windows, ${stats.requests} requests${retries}) -> ${where} [${options.format}] in ${formatDuration(ms / 1000)}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
