// Ground truth for tests and benchmarks: every microconversion the sandbox holds for a query, in
// the server's stable order (newest first, ties by _id descending), parsed exactly as a client
// parses the served body. Same generator as the server, not a second implementation.
import { parseIsoDay } from '../calendar.js';
import type { Row } from '../../core/columns.js';
import { matchingRows } from './query.js';

export interface SealmetricsTruthQuery {
  seed: number;
  scale: number;
  account: string;
  /** Inclusive days, YYYY-MM-DD. */
  from: string;
  to: string;
  /** ISO code, any case. */
  country?: string;
  /** The sandbox clock: today holds only what happened by then. */
  now: Date | string | number;
  dataStart: string;
}

export function truthMicroconversions(q: SealmetricsTruthQuery): Row[] {
  const from = parseIsoDay(q.from);
  const to = parseIsoDay(q.to);
  const dataStartDay = parseIsoDay(q.dataStart);
  const nowMs = new Date(q.now).getTime();
  if (from === null || to === null || dataStartDay === null) throw new RangeError('from, to and dataStart must be dates YYYY-MM-DD');
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a valid instant: ${String(q.now)}`);
  const rows = matchingRows({ seed: q.seed, scale: q.scale, dataStartDay, nowMs }, { account: q.account, from, to, country: q.country?.toLowerCase() });
  return rows.map((r) => JSON.parse(r.json) as Row);
}
