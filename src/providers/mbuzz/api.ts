import { IntegrityError } from '../../core/errors.js';
import type { HttpClient } from '../../http/client.js';
import type { Row } from '../../core/columns.js';

// One request to /api/v1/data/<dataset> and the envelope that comes back.

export type MbuzzDataset = 'conversions' | 'funnel' | 'spend';

export interface MbuzzQuery {
  dataset: MbuzzDataset;
  from: string;
  to: string;
  /** Sent as repeated channels[]; undefined = all channels. */
  channels?: readonly string[];
  /** Sent only where the server honours it (funnel). */
  funnel?: string;
  page: number;
  perPage: number;
}

export interface MbuzzMeta {
  total_count: number;
  page: number;
  per_page: number;
  total_pages: number;
}

export interface MbuzzPage {
  rows: Row[];
  meta: MbuzzMeta;
}

export function queryUrl(baseUrl: string, q: MbuzzQuery): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/data/${q.dataset}`);
  const sp = url.searchParams;
  sp.set('start_date', q.from);
  sp.set('end_date', q.to);
  for (const c of q.channels ?? []) sp.append('channels[]', c);
  if (q.funnel !== undefined && q.dataset === 'funnel') sp.set('funnel', q.funnel);
  sp.set('page', String(q.page));
  sp.set('per_page', String(q.perPage));
  return url.toString();
}

export function validateEnvelope(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return 'body is not a JSON object';
  const { data, meta } = json as { data?: unknown; meta?: unknown };
  if (!Array.isArray(data)) return 'no "data" array in the body';
  if (typeof meta !== 'object' || meta === null) return 'no "meta" object in the body';
  for (const k of ['total_count', 'page', 'per_page', 'total_pages'] as const) {
    const v = (meta as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `meta.${k} is ${JSON.stringify(v)}, not a count`;
  }
  if (!data.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) return 'a "data" entry is not an object';
  return undefined;
}

export async function fetchPage(client: HttpClient, baseUrl: string, apiKey: string, q: MbuzzQuery): Promise<MbuzzPage> {
  const res = await client.json({
    method: 'GET',
    url: queryUrl(baseUrl, q),
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    validate: validateEnvelope,
    rows: ['data'],
    countRows: (j) => (j as { data: unknown[] }).data.length,
  });
  const body = res.json as { data: Row[]; meta: MbuzzMeta };
  const page = { rows: body.data, meta: body.meta };
  const problem = checkEnvelope(q, page);
  if (problem) {
    const channels = q.channels ? ` channels=${q.channels.join(',')}` : '';
    throw new IntegrityError(`${q.dataset} ${q.from === q.to ? q.from : `${q.from}..${q.to}`}${channels}: ${problem}`);
  }
  return page;
}

/**
 * What a well-formed answer says about the query it answers (api-contracts/mbuzz.md §2-3): the
 * page and per_page asked for (always 1..1000, so never clamped), total_pages derived from
 * total_count, and no more rows than per_page. A server that contradicts itself here cannot be
 * trusted to count either, so the export stops (exit 6) rather than guess which half is true.
 */
export function checkEnvelope(q: Pick<MbuzzQuery, 'page' | 'perPage'>, page: MbuzzPage): string | undefined {
  const { meta, rows } = page;
  if (rows.length > q.perPage) return `page ${q.page} has ${rows.length} rows, more than per_page ${q.perPage}`;
  if (meta.per_page !== q.perPage) return `asked for per_page ${q.perPage}, the API answered for per_page ${meta.per_page}`;
  if (meta.page !== q.page) return `asked for page ${q.page}, the API answered page ${meta.page}`;
  const pages = meta.total_count === 0 ? 0 : Math.ceil(meta.total_count / meta.per_page);
  if (meta.total_pages !== pages) {
    return `the API's meta contradicts itself: total_pages ${meta.total_pages}, but total_count ${meta.total_count} at per_page ${meta.per_page} is ${pages} page${pages === 1 ? '' : 's'}`;
  }
  return undefined;
}
