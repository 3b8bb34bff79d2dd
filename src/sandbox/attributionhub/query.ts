// What /api/v1/conversions does with a body (S4): the window, exact-match AND filters, and the
// two pagination modes. Direct mode pages conversion records 50 at a time; session mode pages
// sessions, scanning 200 at a time until it holds 50 conversions or runs out, so its offset
// counts sessions and a page may hold more than 50 records.
import { DAY_MS, parseIsoDay } from '../calendar.js';
import { AhSessions, recordOf, type AhConversion, type AhSession } from './sessions.js';

export const PAGE_RECORDS = 50;
export const SESSION_BATCH = 200;
// The server's own lists, kept apart from the exporter's so a mistake in one shows against the other.
export const SESSION_FILTERS = ['source', 'medium', 'campaign', 'content', 'term', 'landing_page'] as const;
export const CONVERSION_FILTERS = ['conversion_page', 'meta_type', 'meta_id'] as const;

export class BadRequest extends Error {}

export interface ConversionsQuery {
  offset: number;
  /** [fromMs, toMs): start inclusive, end inclusive of its whole day (or of its instant). */
  fromMs: number;
  toMs: number;
  session: Partial<Record<(typeof SESSION_FILTERS)[number], string>>;
  conversion: Partial<Record<(typeof CONVERSION_FILTERS)[number], string>>;
}

export interface ConversionsPage {
  records: Record<string, unknown>[];
  recordsProcessed: number;
  totalRecords: number;
  sessionMode: boolean;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A date is its whole day; an ISO 8601 instant is itself. Returns [startMs, endMs) of the value. */
function readBound(value: unknown, name: string): [number, number] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const day = parseIsoDay(value);
    if (day !== null) return [day * DAY_MS, (day + 1) * DAY_MS];
    if (ISO_INSTANT.test(value) && parseIsoDay(value.slice(0, 10)) !== null) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return [ms, ms + 1];
    }
  }
  throw new BadRequest(`Invalid ${name}. Use ISO 8601 (2025-07-01T23:59:59Z) or YYYY-MM-DD.`);
}

/** The body as the server reads it; throws BadRequest with the message to send. */
export function readQuery(body: unknown, nowMs: number): ConversionsQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('Request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const offset = b.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new BadRequest('offset must be a non-negative integer.');
  const start = readBound(b.start_date, 'start_date');
  const end = readBound(b.end_date, 'end_date');
  const toMs = end ? end[1] : nowMs + 1;
  const fromMs = start ? start[0] : toMs - 30 * DAY_MS;
  const pick = <K extends string>(names: readonly K[]) => {
    const out: Partial<Record<K, string>> = {};
    for (const n of names) {
      const v = b[n];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') throw new BadRequest(`${n} must be a string.`);
      out[n] = v;
    }
    return out;
  };
  return { offset, fromMs, toMs: Math.min(toMs, nowMs + 1), session: pick(SESSION_FILTERS), conversion: pick(CONVERSION_FILTERS) };
}

function sessionMatches(s: AhSession, f: ConversionsQuery['session']): boolean {
  return (Object.keys(f) as (keyof typeof f)[]).every((k) => s[k] === f[k]);
}

function conversionMatches(c: AhConversion, f: ConversionsQuery['conversion']): boolean {
  return (
    (f.conversion_page === undefined || c.conversion_page === f.conversion_page) &&
    (f.meta_type === undefined || c.conversion_meta.type === f.meta_type) &&
    (f.meta_id === undefined || c.conversion_meta.id === f.meta_id)
  );
}

/** One page for the query. `wrap` serves the list again from the top past its end (the endless key). */
export function conversionsPage(sessions: AhSessions, q: ConversionsQuery, wrap = false): ConversionsPage {
  const sessionMode = Object.keys(q.session).length > 0;
  const matching = [...sessions.walk(q.fromMs, q.toMs)].filter((s) => sessionMatches(s, q.session));
  if (!sessionMode) {
    const all: Record<string, unknown>[] = [];
    for (const s of matching) for (const c of s.conversions) if (conversionMatches(c, q.conversion)) all.push(recordOf(s, c));
    const from = wrap && all.length > 0 ? q.offset % all.length : q.offset;
    const records = all.slice(from, from + PAGE_RECORDS);
    return { records, recordsProcessed: q.offset + records.length, totalRecords: all.length, sessionMode };
  }
  const records: Record<string, unknown>[] = [];
  let at = wrap && matching.length > 0 ? q.offset % matching.length : q.offset;
  let scanned = 0;
  while (at < matching.length && records.length < PAGE_RECORDS) {
    // A batch is scanned whole: the next offset never lands inside one.
    for (const s of matching.slice(at, at + SESSION_BATCH)) {
      for (const c of s.conversions) if (conversionMatches(c, q.conversion)) records.push(recordOf(s, c));
      scanned++;
    }
    at += SESSION_BATCH;
  }
  return { records, recordsProcessed: q.offset + scanned, totalRecords: matching.length, sessionMode };
}

/** Every record the query matches, in the server's order: what paging from offset 0 must add up to. */
export function allRecords(sessions: AhSessions, q: Omit<ConversionsQuery, 'offset'>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of sessions.walk(q.fromMs, q.toMs)) {
    if (!sessionMatches(s, q.session)) continue;
    for (const c of s.conversions) if (conversionMatches(c, q.conversion)) out.push(recordOf(s, c));
  }
  return out;
}
