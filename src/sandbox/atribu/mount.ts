// Atribu's Customers & Journey API under /atribu (api-contracts/others.md §3): Bearer atb_live_
// keys with scopes, 60 units/min per key with X-RateLimit-* headers and 429 + Retry-After, the
// `time|id` keyset cursor on /api/v1/customers and offset/total_count on the journey.
import { DAY_MS, parseIsoDay } from '../calendar.js';
import { hash2 } from '../hash.js';
import type { MountFactory, MountResponse, SandboxProvider, SandboxRequest } from '../mounts.js';
import { AtribuConversions, GOALS } from './conversions.js';
import { journeyOf } from './journeys.js';
import { ATRIBU_SANDBOX_KEYS, findAtribuKey, type AtribuKey } from './keys.js';
import { customerIndex, uuidFrom } from './people.js';
import { SlidingWindowLimiter } from '../rate-limit.js';

/** Each customers or journey call costs this many of the key's 60 units a minute. */
export const CALL_COST = 3;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export const profileId = (seed: number) => uuidFrom(hash2(seed, 0x9f0f11e), hash2(seed, 2), 0);

/** The position a cursor names, written with a `+00:00` offset: a client that forgets to URL-encode it sends a space. */
export const cursorOf = (timeMs: number, id: string) => `${new Date(timeMs).toISOString().slice(0, 19)}+00:00|${id}`;

class Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const atribuMount: MountFactory = (ctx) => createAtribuApi(ctx);

export function createAtribuApi(ctx: Parameters<MountFactory>[0], clock: () => number = Date.now): ReturnType<MountFactory> {
  const conversions = new AtribuConversions({ seed: ctx.seed, scale: ctx.scale, dataStartDay: ctx.dataStartDay });
  const limiter = new SlidingWindowLimiter(ctx.rateLimits === 'real', clock);
  const profile = profileId(ctx.seed);
  let requests = 0;

  const answer = (status: number, body: unknown, rows: number, requestId: string, extra: Record<string, string> = {}): MountResponse => ({
    status,
    body: JSON.stringify(body),
    rows,
    headers: { ...JSON_TYPE, 'x-request-id': requestId, ...extra },
  });
  const error = (f: Failure, requestId: string, extra: Record<string, string> = {}) =>
    answer(f.status, { error: { code: f.code, message: f.message, status: f.status, request_id: requestId } }, 0, requestId, extra);

  function handle(req: SandboxRequest): MountResponse {
    const requestId = `req_${(hash2(ctx.seed, ++requests) >>> 0).toString(16).padStart(8, '0')}${requests.toString(16)}`;
    const journey = /^\/api\/v1\/customers\/([^/]+)\/journey\/?$/.exec(req.path);
    const route = /^\/api\/v1\/customers\/?$/.test(req.path) ? 'customers' : journey ? 'journey' : undefined;
    if (!route) return error(new Failure(404, 'not_found', `No route for ${req.method} ${req.path}`), requestId);
    if (req.method !== 'GET') return error(new Failure(405, 'method_not_allowed', `Use GET for ${req.path}`), requestId);

    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    const token = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
    if (token === undefined) return error(new Failure(401, 'unauthorized', 'Missing or malformed Authorization header. Use: Bearer atb_live_...'), requestId);
    const key = findAtribuKey(token);
    if (!key) return error(new Failure(401, 'unauthorized', 'Invalid API key'), requestId);

    const spend = limiter.spend(token, CALL_COST);
    const limits = { 'x-ratelimit-limit': String(spend.limit), 'x-ratelimit-remaining': String(spend.remaining) };
    if (!spend.ok) {
      const f = new Failure(429, 'rate_limit_exceeded', `Rate limit exceeded: ${spend.limit} units per minute, each call costs ${CALL_COST}. Retry in ${spend.retryAfterSeconds}s.`);
      return error(f, requestId, { ...limits, 'retry-after': String(spend.retryAfterSeconds) });
    }
    try {
      if (!key.scopes.includes('customers:read')) {
        throw new Failure(403, 'insufficient_scope', 'This API key lacks the customers:read scope required for customer data');
      }
      const query = new URLSearchParams(req.query);
      const out = route === 'customers' ? customersPage(query, key) : journeyPage(decodeSegment(journey![1]!), query, key);
      return answer(200, out.body, out.rows, requestId, limits);
    } catch (err) {
      if (err instanceof Failure) return error(err, requestId, limits);
      throw err;
    }
  }

  function customersPage(q: URLSearchParams, key: AtribuKey): { body: unknown; rows: number } {
    const from = requiredDay(q, 'date_from');
    const to = requiredDay(q, 'date_to');
    if (from > to) throw new Failure(400, 'invalid_date_range', 'date_from must be on or before date_to');
    const goalText = q.get('goal') ?? '';
    const goal = (GOALS as readonly string[]).indexOf(goalText);
    if (goalText === '') throw new Failure(400, 'invalid_parameter', 'goal is required');
    if (goal < 0) throw new Failure(400, 'invalid_parameter', `goal must be one of ${GOALS.join(', ')}`);
    const limit = pageSize(q, 10);
    const cursorTime = q.get('cursor_time');
    const cursorId = q.get('cursor_id');
    if ((cursorTime === null) !== (cursorId === null)) throw new Failure(400, 'invalid_parameter', 'cursor_time and cursor_id go together');
    let after: { timeMs: number; id: string } | undefined;
    if (cursorTime !== null && cursorId !== null && !key.loop) {
      const timeMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(cursorTime) ? Date.parse(cursorTime) : NaN;
      if (Number.isNaN(timeMs)) throw new Failure(400, 'invalid_parameter', `cursor_time ${JSON.stringify(cursorTime)} is not an ISO 8601 timestamp`);
      after = { timeMs, id: cursorId };
    }
    const rows: Record<string, unknown>[] = [];
    let last: { timeMs: number; id: string } | undefined;
    let hasNext = false;
    const search = (q.get('search') ?? '').trim().toLowerCase();
    for (const c of conversions.walk({ fromDay: from, toDay: to, goal, search, after, nowMs: ctx.nowMs() })) {
      if (rows.length === limit) {
        hasNext = true;
        break;
      }
      rows.push(c.row);
      last = c;
    }
    const pagination = { has_next: hasNext, cursor: hasNext && last ? cursorOf(last.timeMs, last.id) : null };
    const meta = { date_from: q.get('date_from'), date_to: q.get('date_to'), profile_id: profile };
    return { body: { data: rows, pagination, meta }, rows: rows.length };
  }

  function journeyPage(id: string, q: URLSearchParams, key: AtribuKey): { body: unknown; rows: number } {
    const offset = nonNegative(q, 'offset', 0);
    const limit = pageSize(q, 50);
    const index = customerIndex(ctx.seed, ctx.scale, id);
    // Journeys end by the start of the sandbox's today, so a live clock does not move them mid-export.
    const events = index === undefined ? [] : journeyOf(ctx.seed, index, ctx.dataStartDay * DAY_MS, Math.floor(ctx.nowMs() / DAY_MS) * DAY_MS);
    const page = events.slice(offset, offset + limit);
    const total = events.length + (key.loop && events.length > 0 ? 25 : 0);
    return { body: { data: { events: page, total_count: total }, meta: { profile_id: profile } }, rows: page.length };
  }

  return { prefix: '/atribu', handle };
}

function requiredDay(q: URLSearchParams, name: string): number {
  const v = q.get(name);
  if (v === null || v === '') throw new Failure(400, 'invalid_parameter', `${name} is required (YYYY-MM-DD)`);
  const day = parseIsoDay(v);
  if (day === null) throw new Failure(400, 'invalid_parameter', `${name} must be a date in YYYY-MM-DD format`);
  return day;
}

function nonNegative(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Failure(400, 'invalid_parameter', `${name} must be a non-negative integer`);
  return Number(v);
}

/** Default when absent, clamped to 1..100 (ASSUMED: the docs say "max 100", not what happens above it). */
function pageSize(q: URLSearchParams, fallback: number): number {
  return Math.min(100, Math.max(1, nonNegative(q, 'limit', fallback)));
}

/** A malformed %-escape names no customer of ours, which is an empty journey like any other. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const sandboxProvider: SandboxProvider = {
  mount: atribuMount,
  banner: (root) => [`ATRIBU_BASE_URL=${root} ATRIBU_API_KEY=${ATRIBU_SANDBOX_KEYS.full}`],
};
