// One API request, start to finish, as the Rails app answers it: route, authenticate, read the
// parameters, count, page, and wrap in the envelope. Pure apart from the clock: no sockets here.
import { authenticate } from './auth.js';
import { isDataset } from './dataset.js';
import { parseRailsQuery, resolveQuery, filterKey } from './params.js';
import { countRows, pageRows, type WindowQuery } from './pager.js';
import { filterFor, type SandboxWorld } from './world.js';
import { dayOfInstant } from './calendar.js';
import { hashString } from './hash.js';
import type { TieOrder } from './options.js';

export interface ApiResponse {
  status: number;
  body: string;
  /** Data rows in the body (0 for errors). */
  rows: number;
}

export interface HandlerContext {
  world: SandboxWorld;
  tieOrder: TieOrder;
  seed: number;
  nowMs: () => number;
}

// Rails routes take an optional format suffix (.json) and a trailing slash.
const DATA_PATH = /^\/api\/v1\/data\/([a-z]+)(?:\.[^/.]+)?\/?$/;

const json = (status: number, error: string): ApiResponse => ({ status, body: `{"error":${JSON.stringify(error)}}`, rows: 0 });

export function handleApiRequest(ctx: HandlerContext, method: string, path: string, query: string, authorization: string | undefined): ApiResponse {
  const route = DATA_PATH.exec(path);
  const dataset = route?.[1];
  // Rails answers HEAD through GET routes; anything else has no route.
  if (dataset === undefined || !isDataset(dataset) || (method !== 'GET' && method !== 'HEAD')) return json(404, 'Not found');
  const auth = authenticate(authorization);
  if (!auth.ok) return json(401, auth.message);

  const nowMs = ctx.nowMs();
  const resolved = resolveQuery(parseRailsQuery(query), dayOfInstant(nowMs));
  if (!resolved.ok) return json(resolved.status, resolved.error);
  const { from, to, page, perPage, offset } = resolved.query;
  const window: WindowQuery = { environment: auth.environment, dataset, from, to, filter: filterFor(dataset, resolved.query.filter), nowMs };

  const total = countRows(ctx.world, window);
  const rows = offset >= total ? [] : pageRows(ctx.world, window, offset, perPage, tieSeed(ctx, window, offset, perPage));
  const totalPages = total === 0 ? 0 : Math.ceil(total / perPage);
  const body = `{"data":[${rows.join(',')}],"meta":{"total_count":${total},"page":${page},"per_page":${perPage},"total_pages":${totalPages}}}`;
  return { status: 200, body, rows: rows.length };
}

/**
 * stable: no shuffling. per-query: the query itself (window, filters, offset, limit) seeds the
 * order of ties, so it repeats byte for byte while neighbouring pages disagree. random: a new
 * order every request.
 */
function tieSeed(ctx: HandlerContext, q: WindowQuery, offset: number, limit: number): number | null {
  switch (ctx.tieOrder) {
    case 'stable':
      return null;
    case 'random':
      return (Math.random() * 0x100000000) >>> 0;
    case 'per-query':
      return hashString(`${q.environment}|${q.dataset}|${q.from}..${q.to}|${filterKey(q.filter)}|${offset}|${limit}`, ctx.seed);
  }
}
