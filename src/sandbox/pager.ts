// OFFSET/LIMIT over a window of days, the way the server pages: rows in the ORDER BY's order,
// where rows that tie on the sort key come in an order the database chooses. Days are visited in
// order and skipped by their (cached) counts, so a deep page touches only the days it returns.
import { hash3, shuffle } from './hash.js';
import { DAY_MS, dayOfInstant } from './calendar.js';
import type { SandboxWorld } from './world.js';
import type { DatasetName } from './dataset.js';
import type { SandboxEnvironment } from './keys.js';
import type { RowFilter } from './params.js';

export interface WindowQuery {
  environment: SandboxEnvironment;
  dataset: DatasetName;
  /** Inclusive UTC day numbers as asked; clipped here to the days that hold data. */
  from: number;
  to: number;
  filter: RowFilter;
  /** The clock: nothing after it exists, and today holds only what happened so far. */
  nowMs: number;
}

interface DaySpan {
  first: number;
  last: number;
  today: number;
  /** Microseconds into today that have happened. */
  cutoffToday: number;
}

function span(world: SandboxWorld, q: WindowQuery): DaySpan {
  const today = dayOfInstant(q.nowMs);
  return {
    first: Math.max(q.from, world.config.dataStart),
    last: Math.min(q.to, today),
    today,
    cutoffToday: (q.nowMs - today * DAY_MS) * 1000,
  };
}

export function countRows(world: SandboxWorld, q: WindowQuery): number {
  const s = span(world, q);
  let total = 0;
  for (let day = s.first; day <= s.last; day++) {
    total += world.dayCount(q.environment, q.dataset, day, q.filter, day === s.today ? s.cutoffToday : Infinity);
  }
  return total;
}

/**
 * The JSON text of rows [offset, offset + limit). With `tieSeed` null, ties keep the stable
 * order; otherwise each tie group that the page touches is shuffled by a seed derived from
 * `tieSeed` and the group, so one query always gives the same bytes while two queries whose
 * pages split a group differently can repeat one row and skip another, as the server can.
 */
export function pageRows(world: SandboxWorld, q: WindowQuery, offset: number, limit: number, tieSeed: number | null): string[] {
  const s = span(world, q);
  const source = world.source(q.environment, q.dataset);
  const out: string[] = [];
  let skip = offset;
  for (let day = s.first; day <= s.last && out.length < limit; day++) {
    const cutoff = day === s.today ? s.cutoffToday : Infinity;
    const n = world.dayCount(q.environment, q.dataset, day, q.filter, cutoff);
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const view = source.view(day, q.filter, cutoff);
    let pos = skip;
    skip = 0;
    while (pos < view.rows && out.length < limit) {
      const want = limit - out.length;
      if (tieSeed === null) {
        const end = Math.min(view.rows, pos + want);
        view.render(pos, end, out);
        pos = end;
        continue;
      }
      const [start, end] = view.group(pos);
      if (end - start === 1) {
        view.render(pos, end, out);
        pos = end;
        continue;
      }
      const group: string[] = [];
      view.render(start, end, group);
      shuffle(group, hash3(tieSeed, day, start));
      const take = group.slice(pos - start, Math.min(end - start, pos - start + want));
      for (const row of take) out.push(row);
      pos += take.length;
    }
  }
  return out;
}

/** Every row of the window in the stable order, a day at a time (for truthRows). */
export function* stableRows(world: SandboxWorld, q: WindowQuery, chunk = 1000): Generator<string> {
  const s = span(world, q);
  const source = world.source(q.environment, q.dataset);
  for (let day = s.first; day <= s.last; day++) {
    const view = source.view(day, q.filter, day === s.today ? s.cutoffToday : Infinity);
    for (let pos = 0; pos < view.rows; pos += chunk) {
      const rows: string[] = [];
      view.render(pos, Math.min(view.rows, pos + chunk), rows);
      yield* rows;
    }
  }
}
