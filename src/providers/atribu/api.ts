import type { HttpClient, JsonResponse } from '../../http/client.js';
import type { HttpResponse } from '../../http/transport.js';
import type { Row } from '../../core/columns.js';
import type { RequestParts } from '../../paginate/offset.js';
import type { Page } from '../../paginate/types.js';
import type { RatePacer } from './pace.js';

// Requests to Atribu's /api/v1/customers and /api/v1/customers/{id}/journey, the envelopes
// that come back, and how its error bodies read. Every call takes its turn from the pacer.

/** Atribu's largest page for both endpoints. */
export const ATRIBU_MAX_LIMIT = 100;

export interface AtribuApi {
  client: HttpClient;
  baseUrl: string;
  apiKey: string;
  pacer: RatePacer;
}

export interface CustomersQuery {
  from: string;
  to: string;
  goal: string;
  search?: string;
  limit: number;
}

export function customersUrl(baseUrl: string, q: CustomersQuery, parts: RequestParts): string {
  const url = new URL(`${baseUrl}/api/v1/customers`);
  const sp = url.searchParams;
  sp.set('date_from', q.from);
  sp.set('date_to', q.to);
  sp.set('goal', q.goal);
  if (q.search !== undefined) sp.set('search', q.search);
  sp.set('limit', String(q.limit));
  // URLSearchParams encodes: a `+00:00` offset in cursor_time must not arrive as a space.
  for (const [k, v] of Object.entries(parts.query)) sp.set(k, v);
  return url.toString();
}

export function journeyUrl(baseUrl: string, customerId: string, parts: RequestParts): string {
  const url = new URL(`${baseUrl}/api/v1/customers/${encodeURIComponent(customerId)}/journey`);
  for (const [k, v] of Object.entries(parts.query)) url.searchParams.set(k, v);
  return url.toString();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateCustomers(json: unknown): string | undefined {
  if (!isObject(json)) return 'body is not a JSON object';
  if (!Array.isArray(json.data)) return 'no "data" array in the body';
  if (!json.data.every(isObject)) return 'a "data" entry is not an object';
  if (!isObject(json.pagination)) return 'no "pagination" object in the body';
  if (typeof json.pagination.has_next !== 'boolean') return `pagination.has_next is ${JSON.stringify(json.pagination.has_next)}, not true/false`;
  const c = json.pagination.cursor;
  if (c !== null && c !== undefined && typeof c !== 'string') return `pagination.cursor is ${JSON.stringify(c)}, not a string`;
  return undefined;
}

export function validateJourney(json: unknown): string | undefined {
  if (!isObject(json)) return 'body is not a JSON object';
  if (!isObject(json.data)) return 'no "data" object in the body';
  if (!Array.isArray(json.data.events)) return 'no "data.events" array in the body';
  if (!json.data.events.every(isObject)) return 'a "data.events" entry is not an object';
  const t = json.data.total_count;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return `data.total_count is ${JSON.stringify(t)}, not a count`;
  return undefined;
}

/** `{"error":{"code","message","status","request_id"}}`, quoted with its code and request id. */
export function describeAtribuError(res: HttpResponse): { message?: string } {
  try {
    const e = (JSON.parse(res.body) as { error?: unknown }).error;
    if (isObject(e) && typeof e.message === 'string') {
      const code = typeof e.code === 'string' ? e.code : undefined;
      const id = typeof e.request_id === 'string' ? e.request_id : res.headers['x-request-id'];
      const tail = [code, id ? `request ${id}` : undefined].filter(Boolean).join(', ');
      return { message: tail ? `${e.message} (${tail})` : e.message };
    }
  } catch {
    /* an HTML page from a proxy: the client says what it can */
  }
  return {};
}

/** One paced GET; the pacer learns from the rate-limit headers of the answer. */
export async function getAtribu(api: AtribuApi, url: string, validate: (json: unknown) => string | undefined, countRows: (json: unknown) => number, rows?: readonly string[]): Promise<JsonResponse> {
  const ticket = await api.pacer.take();
  let res: JsonResponse | undefined;
  try {
    res = await api.client.json({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${api.apiKey}`, accept: 'application/json' },
      validate,
      countRows,
      rows,
      describeError: describeAtribuError,
    });
    return res;
  } finally {
    ticket.settle(res?.headers);
  }
}

export async function fetchCustomers(api: AtribuApi, q: CustomersQuery, parts: RequestParts): Promise<Page> {
  const res = await getAtribu(api, customersUrl(api.baseUrl, q, parts), validateCustomers, (j) => (j as { data: unknown[] }).data.length, ['data']);
  return { rows: (res.json as { data: Row[] }).data, json: res.json };
}

export async function fetchJourney(api: AtribuApi, customerId: string, parts: RequestParts): Promise<Page> {
  const res = await getAtribu(api, journeyUrl(api.baseUrl, customerId, parts), validateJourney, (j) => (j as { data: { events: unknown[] } }).data.events.length, ['data', 'events']);
  return { rows: (res.json as { data: { events: Row[] } }).data.events, json: res.json };
}
