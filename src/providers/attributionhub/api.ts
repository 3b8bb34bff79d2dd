import type { HttpClient } from '../../http/client.js';
import type { HttpResponse } from '../../http/transport.js';
import type { RequestParts } from '../../paginate/offset.js';
import type { Page } from '../../paginate/types.js';
import type { Row } from '../../core/columns.js';

// POST /api/v1/conversions: the JSON body, the envelope, the no-results answer and the errors.

/** The documented answer when nothing matches: an empty result, not an error. */
export const NO_RESULTS = 'No conversions matched the given filters.';

export interface ConversionsQuery {
  from: string;
  to: string;
  /** Exact-match filters, sent as top-level body keys. */
  filters: Record<string, string>;
}

/**
 * Strict JSON (the docs' sample has a trailing comma a JSON parser rejects): the offset the
 * paginator placed, the inclusive dates, then the filters.
 */
export function conversionsBody(q: ConversionsQuery, parts: RequestParts): string {
  return JSON.stringify({ ...parts.body, start_date: q.from, end_date: q.to, ...q.filters });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isNoResults(json: unknown): boolean {
  return isObject(json) && !('records' in json) && typeof json.message === 'string' && json.message.trim().startsWith('No conversions matched');
}

export function validateConversions(json: unknown): string | undefined {
  if (isNoResults(json)) return undefined;
  if (!isObject(json)) return 'body is not a JSON object';
  if (!Array.isArray(json.records)) return typeof json.message === 'string' ? `a message instead of records: ${JSON.stringify(json.message)}` : 'no "records" array in the body';
  if (!json.records.every(isObject)) return 'a "records" entry is not an object';
  const p = json.pagination;
  if (!isObject(p)) return 'no "pagination" object in the body';
  for (const k of ['records_processed', 'total_records'] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `pagination.${k} is ${JSON.stringify(v)}, not a count`;
  }
  if (typeof p.has_more !== 'boolean') return `pagination.has_more is ${JSON.stringify(p.has_more)}, not true/false`;
  return undefined;
}

/**
 * `{"error":"…"}` quoted; the monthly quota's 429 (`{"error":"API monthly limit exceeded.",
 * "limit","used","domain"}`) is final: waiting minutes will not bring the month's calls back.
 */
export function describeAttributionHubError(res: HttpResponse): { message?: string; final?: boolean } {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return {};
  }
  if (!isObject(body)) return {};
  const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : undefined;
  if (text === undefined) return {};
  const { limit, used, domain } = body;
  const quota = typeof limit === 'number' && typeof used === 'number';
  const message = quota ? `${text} (${used} of ${limit} calls used${typeof domain === 'string' ? ` for ${domain}` : ''})` : text;
  return { message, final: res.status === 429 && (quota || /monthly/i.test(text)) };
}

export interface AttributionHubApi {
  client: HttpClient;
  baseUrl: string;
  apiKey: string;
}

export async function fetchConversions(api: AttributionHubApi, q: ConversionsQuery, parts: RequestParts): Promise<Page> {
  const res = await api.client.json({
    method: 'POST',
    url: `${api.baseUrl}/api/v1/conversions`,
    // The header really is `Authentication`, not `Authorization` (AttributionHub REST overview).
    headers: { authentication: api.apiKey, 'content-type': 'application/json', accept: 'application/json' },
    body: conversionsBody(q, parts),
    validate: validateConversions,
    rows: ['records'],
    countRows: (j) => (isNoResults(j) ? 0 : (j as { records: unknown[] }).records.length),
    describeError: describeAttributionHubError,
  });
  const rows = isNoResults(res.json) ? [] : (res.json as { records: Row[] }).records;
  return { rows, json: res.json };
}
