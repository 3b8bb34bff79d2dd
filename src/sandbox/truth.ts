// Ground truth for tests and benchmarks: every row the sandbox holds for a window, in the stable
// order, produced by the very generator the server pages over (not a second implementation).
// An export can then be checked as a multiset of rows against what the API really had.
import { parseIsoDay } from './calendar.js';
import { rowFilter } from './params.js';
import { countRows, stableRows, type WindowQuery } from './pager.js';
import { SandboxWorld, filterFor } from './world.js';
import type { DatasetName } from './dataset.js';
import type { SandboxEnvironment } from './keys.js';
import type { Row } from '../core/columns.js';

export interface TruthQuery {
  seed: number;
  scale: number;
  environment: SandboxEnvironment;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from: string;
  to: string;
  /** As the API reads `channels[]`: unknown names match nothing, the canonical 12 in order = all. */
  channels?: readonly string[];
  /** As the API reads `funnel` (only /funnel uses it; "all" drops visits only). */
  funnel?: string;
  /** The sandbox's clock for the run: today holds only what happened by then. */
  now: Date | string | number;
  dataStart: string;
}

// Worlds hold caches worth keeping between calls of one test file.
const worlds = new Map<string, SandboxWorld>();

function windowFor(dataset: DatasetName, q: TruthQuery): { world: SandboxWorld; window: WindowQuery } {
  const from = parseIsoDay(q.from);
  const to = parseIsoDay(q.to);
  const dataStart = parseIsoDay(q.dataStart);
  const nowMs = new Date(q.now).getTime();
  if (from === null || to === null || dataStart === null) throw new RangeError('from, to and dataStart must be dates YYYY-MM-DD');
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a valid instant: ${String(q.now)}`);
  const key = `${q.seed}|${q.scale}|${dataStart}`;
  let world = worlds.get(key);
  if (!world) {
    if (worlds.size >= 2) worlds.clear();
    world = new SandboxWorld({ seed: q.seed, scale: q.scale, dataStart });
    worlds.set(key, world);
  }
  const channels = q.channels && q.channels.length > 0 ? q.channels : null;
  const funnel = q.funnel !== undefined && q.funnel.trim() !== '' ? q.funnel : null;
  const filter = filterFor(dataset, rowFilter(channels, funnel));
  return { world, window: { environment: q.environment, dataset, from, to, filter, nowMs } };
}

/** The rows exactly as JSON.parse reads them from the served body, in the stable order. */
export function truthRows(dataset: DatasetName, q: TruthQuery): Iterable<Row> {
  const { world, window } = windowFor(dataset, q);
  return {
    *[Symbol.iterator]() {
      for (const text of stableRows(world, window)) yield JSON.parse(text) as Row;
    },
  };
}

/** What meta.total_count says for the same window and filters. */
export function truthCount(dataset: DatasetName, q: TruthQuery): number {
  const { world, window } = windowFor(dataset, q);
  return countRows(world, window);
}
