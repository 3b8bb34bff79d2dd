// Ground truth for tests: every record the AttributionHub sandbox holds for a body, in the
// server's order, from the generator the server pages over.
import { parseIsoDay } from '../calendar.js';
import { allRecords, readQuery } from './query.js';
import { AhSessions } from './sessions.js';

export interface AttributionHubTruthQuery {
  seed: number;
  scale: number;
  /** The sandbox's clock and first data day, as it was started with. */
  now: Date | string | number;
  dataStart: string;
  /** The request body minus offset: start_date, end_date and any filters. */
  body: Record<string, unknown>;
}

export function attributionHubRecords(q: AttributionHubTruthQuery): Record<string, unknown>[] {
  const dataStartDay = parseIsoDay(q.dataStart);
  const nowMs = new Date(q.now).getTime();
  if (dataStartDay === null || Number.isNaN(nowMs)) throw new RangeError('dataStart must be YYYY-MM-DD and now an instant');
  const sessions = new AhSessions({ seed: q.seed, scale: q.scale, dataStartDay });
  return allRecords(sessions, readQuery({ ...q.body, offset: 0 }, nowMs));
}
