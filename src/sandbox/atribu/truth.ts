// Ground truth for tests: what the Atribu sandbox holds, from the very generator it pages over.
import { DAY_MS, parseIsoDay } from '../calendar.js';
import { AtribuConversions, GOALS } from './conversions.js';
import { journeyOf, type JourneyEvent } from './journeys.js';
import { customerIndex } from './people.js';

export interface AtribuTruthQuery {
  seed: number;
  scale: number;
  /** The sandbox's clock and first data day, as it was started with. */
  now: Date | string | number;
  dataStart: string;
}

function setup(q: AtribuTruthQuery): { conversions: AtribuConversions; nowMs: number; dataStartDay: number } {
  const dataStartDay = parseIsoDay(q.dataStart);
  const nowMs = new Date(q.now).getTime();
  if (dataStartDay === null || Number.isNaN(nowMs)) throw new RangeError('dataStart must be YYYY-MM-DD and now an instant');
  return { conversions: new AtribuConversions({ seed: q.seed, scale: q.scale, dataStartDay }), nowMs, dataStartDay };
}

/** Every /api/v1/customers row for the window, in the server's order (newest first). */
export function atribuCustomerRows(q: AtribuTruthQuery & { from: string; to: string; goal: string; search?: string }): Record<string, unknown>[] {
  const { conversions, nowMs } = setup(q);
  const fromDay = parseIsoDay(q.from);
  const toDay = parseIsoDay(q.to);
  const goal = (GOALS as readonly string[]).indexOf(q.goal);
  if (fromDay === null || toDay === null || goal < 0) throw new RangeError('from/to must be YYYY-MM-DD and goal a known goal');
  const search = (q.search ?? '').trim().toLowerCase();
  return [...conversions.walk({ fromDay, toDay, goal, search, nowMs })].map((c) => c.row);
}

/** A customer's whole journey as the API pages it; [] for an id the sandbox does not know. */
export function atribuJourneyEvents(q: AtribuTruthQuery & { customerId: string }): JourneyEvent[] {
  const { nowMs, dataStartDay } = setup(q);
  const index = customerIndex(q.seed, q.scale, q.customerId);
  return index === undefined ? [] : journeyOf(q.seed, index, dataStartDay * DAY_MS, Math.floor(nowMs / DAY_MS) * DAY_MS);
}
