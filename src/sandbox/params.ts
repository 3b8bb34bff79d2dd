// Query parameters the way the Rails server reads them (api/v1/data_controller.rb, the three
// query services, dashboard/date_range_parser.rb). The server never rejects a bad value except
// a date: it coerces silently, and the sandbox must coerce the same way.
import { CHANNELS } from './vocab.js';
import { rubyDateParse, DateInputTooLongError } from './ruby-date.js';

/** A parsed parameter: Rack gives strings, arrays for `name[]`, hashes for `name[key]`. */
export type ParamValue = string | null | string[] | { nested: true };

export type RailsParams = Map<string, ParamValue>;

export const DATE_ERROR = 'Invalid date format. Use YYYY-MM-DD.';
export const INTERNAL_ERROR = 'Internal server error';

export interface RowFilter {
  /** Bitmask over CHANNELS; null = no channel filter at all (NULL channels kept). */
  channelMask: number | null;
  /** null = no funnel param; 'all' drops visits only; a list drops visits and keeps these funnels. */
  funnel: null | 'all' | readonly string[];
}

export interface DataQuery {
  /** Inclusive UTC day numbers. */
  from: number;
  to: number;
  page: bigint;
  perPage: number;
  offset: number;
  filter: RowFilter;
}

export type QueryOutcome = { ok: true; query: DataQuery } | { ok: false; status: 400 | 500; error: string };

/** Rack's query parser (plus Rails' deep_munge dropping nils from arrays). */
export function parseRailsQuery(qs: string): RailsParams {
  const params: RailsParams = new Map();
  for (const part of qs.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? null : decode(part.slice(eq + 1));
    const bracket = key.indexOf('[');
    if (bracket <= 0) {
      if (key !== '') params.set(key, value);
      continue;
    }
    const name = key.slice(0, bracket);
    if (key.slice(bracket) === '[]') {
      const prev = params.get(name);
      const list = Array.isArray(prev) ? prev : [];
      if (value !== null) list.push(value);
      params.set(name, list);
    } else {
      params.set(name, { nested: true });
    }
  }
  return params;
}

/** A query-string component: `+` is a space, a stray `%` is kept rather than failing the request. */
export function decode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Rails' blank?/present? for what Rack can produce. */
function isPresent(v: ParamValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return !/^[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(v);
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** Ruby's String#to_i: leading blanks, a sign, digits with single underscores; else 0. */
export function rubyToI(s: string): bigint {
  const m = /^\s*([-+]?)(\d+(?:_\d+)*)/.exec(s);
  if (!m) return 0n;
  const n = BigInt((m[2] as string).replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

const PRESETS: Record<string, number> = { '7d': 7, '30d': 30, '90d': 90 };
const INT64_MAX = 2n ** 63n - 1n;

type Window = { from: number; to: number };

/** The date window, or the error the server would answer. */
function resolveWindow(p: RailsParams, today: number): Window | { status: 400 | 500; error: string } {
  const range = p.get('date_range');
  if (isPresent(range)) {
    // A preset name; anything else is 30 days. A non-string (date_range[]=…) misses the
    // parser's table and falls to its fallback, 30.days.ago..today: 31 days.
    if (typeof range !== 'string') return { from: today - 30, to: today };
    return { from: today - ((PRESETS[range] ?? 30) - 1), to: today };
  }
  const start = p.get('start_date');
  const end = p.get('end_date');
  if (!isPresent(start) || !isPresent(end)) return { from: today - 29, to: today };
  const parse = (v: ParamValue | undefined): number | null | 'error' => {
    if (typeof v !== 'string') return 'error'; // Date.parse(Array) raises TypeError: a 500
    try {
      return rubyDateParse(v, today);
    } catch (err) {
      if (err instanceof DateInputTooLongError) return 'error';
      throw err;
    }
  };
  const from = parse(start);
  if (from === 'error') return { status: 500, error: INTERNAL_ERROR };
  if (from === null) return { status: 400, error: DATE_ERROR };
  const to = parse(end);
  if (to === 'error') return { status: 500, error: INTERNAL_ERROR };
  if (to === null) return { status: 400, error: DATE_ERROR };
  return { from, to };
}

function resolveFilter(p: RailsParams): RowFilter {
  const raw = p.get('channels');
  // Array(params[:channels]): a lone string is a one-item list; a hash becomes one item that
  // names no channel.
  const channels = !isPresent(raw) ? null : typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : ['{}'];
  const f = p.get('funnel');
  const funnel = !isPresent(f) ? null : typeof f === 'string' ? f : Array.isArray(f) ? f : ['{}'];
  return rowFilter(channels, funnel);
}

/**
 * The server's filter semantics from already-present values: commas are not split, names are
 * not validated, exactly the canonical list in canonical order means no filter, and only the
 * literal string "all" is the funnel wildcard.
 */
export function rowFilter(channels: readonly string[] | null, funnel: string | readonly string[] | null): RowFilter {
  let channelMask: number | null = null;
  if (channels !== null && !(channels.length === CHANNELS.length && channels.every((c, i) => c === CHANNELS[i]))) {
    channelMask = 0;
    for (const name of channels) {
      const bit = (CHANNELS as readonly string[]).indexOf(name);
      if (bit >= 0) channelMask |= 1 << bit;
    }
  }
  const f = funnel === null ? null : funnel === 'all' ? 'all' : typeof funnel === 'string' ? [funnel] : funnel;
  return { channelMask, funnel: f };
}

export function filterKey(filter: RowFilter): string {
  const c = filter.channelMask === null ? '*' : filter.channelMask.toString(16);
  const f = filter.funnel === null ? '' : filter.funnel === 'all' ? '|all' : `|=${JSON.stringify(filter.funnel)}`;
  return c + f;
}

/**
 * Everything a data request asks for, in the order the server evaluates it: the date window
 * first (its errors win), then page and per_page.
 */
export function resolveQuery(p: RailsParams, today: number): QueryOutcome {
  const window = resolveWindow(p, today);
  if ('status' in window) return { ok: false, ...window };
  const pageRaw = p.get('page');
  const perRaw = p.get('per_page');
  // Array#to_i does not exist: page[]=1 is a NoMethodError, a 500.
  if (isNonString(pageRaw) || (isPresent(perRaw) && isNonString(perRaw))) return { ok: false, status: 500, error: INTERNAL_ERROR };
  const pageInt = typeof pageRaw === 'string' ? rubyToI(pageRaw) : 0n;
  const page = pageInt < 1n ? 1n : pageInt;
  let perPage = 100;
  if (typeof perRaw === 'string' && isPresent(perRaw)) {
    const n = rubyToI(perRaw);
    perPage = n < 1n ? 1 : n > 1000n ? 1000 : Number(n);
  }
  const offset = (page - 1n) * BigInt(perPage);
  // PostgreSQL's OFFSET is a bigint (and Ruby's Array#slice a long): beyond it, a 500.
  if (offset > INT64_MAX) return { ok: false, status: 500, error: INTERNAL_ERROR };
  return { ok: true, query: { ...window, page, perPage, offset: Number(offset), filter: resolveFilter(p) } };
}

function isNonString(v: ParamValue | undefined): boolean {
  return v !== undefined && v !== null && typeof v !== 'string';
}
