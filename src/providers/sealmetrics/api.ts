import type { HttpResponse } from '../../http/transport.js';
import type { Row } from '../../core/columns.js';

// The requests of the Sealmetrics API (app.sealmetrics.com/api) and the envelopes that come back:
// `{"status":"ok","data":…}` on success, `{"status":"error","message":"…"}` on failure.

/** The API's largest page: a larger `limit` is clamped silently, which would end paging early. */
export const MAX_LIMIT = 100;

export interface MicroconversionsQuery {
  accountId: string;
  /** Inclusive YYYY-MM-DD days, sent as date_range=YYYYMMDD,YYYYMMDD. */
  from: string;
  to: string;
  country?: string;
  skip: number;
  limit: number;
}

export function apiUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/${path}`;
}

export function dateRange(from: string, to: string): string {
  return `${from.replaceAll('-', '')},${to.replaceAll('-', '')}`;
}

export function microconversionsUrl(baseUrl: string, q: MicroconversionsQuery): string {
  const url = new URL(apiUrl(baseUrl, 'report/microconversions'));
  const sp = url.searchParams;
  sp.set('account_id', q.accountId);
  sp.set('date_range', dateRange(q.from, q.to));
  sp.set('skip', String(q.skip));
  sp.set('limit', String(q.limit));
  if (q.country !== undefined) sp.set('country', q.country);
  // URLSearchParams writes the comma as %2C; the docs' own examples send it bare, so do we.
  return url.toString().replace(/date_range=(\d{8})%2C(\d{8})/, 'date_range=$1,$2');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An ok envelope whose `data` is a list of objects. */
export function validateRowsEnvelope(json: unknown): string | undefined {
  if (!isObject(json)) return 'body is not a JSON object';
  if (json.status !== 'ok') return `status is ${JSON.stringify(json.status)}, not "ok"`;
  if (!Array.isArray(json.data)) return 'no "data" array in the body';
  if (!json.data.every(isObject)) return 'a "data" entry is not an object';
  return undefined;
}

/** An ok envelope whose `data` maps account ids to names. */
export function validateAccountsEnvelope(json: unknown): string | undefined {
  if (!isObject(json)) return 'body is not a JSON object';
  if (json.status !== 'ok') return `status is ${JSON.stringify(json.status)}, not "ok"`;
  // PHP encodes an empty associative array as [], so an account-less login may say "data": [].
  if (Array.isArray(json.data) && json.data.length === 0) return undefined;
  if (!isObject(json.data)) return 'no "data" object in the body';
  if (!Object.values(json.data).every((v) => typeof v === 'string')) return 'an account name is not a string';
  return undefined;
}

export interface LoginAnswer {
  accessToken: string;
  /** As sent: "2026-05-20 13:00:00", an ISO instant, or epoch seconds. */
  expiresAt: unknown;
}

export function validateLogin(json: unknown): string | undefined {
  if (!isObject(json)) return 'body is not a JSON object';
  if (typeof json.access_token !== 'string' || json.access_token === '') return 'no "access_token" in the login answer';
  if (/[\s\x00-\x1f\x7f]/.test(json.access_token)) return 'the access token contains whitespace or control characters';
  if (json.token_type !== undefined && (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer')) {
    return `token_type is ${JSON.stringify(json.token_type)}, not "Bearer"`;
  }
  return undefined;
}

export function readLogin(json: unknown): LoginAnswer {
  const j = json as { access_token: string; expires_at?: unknown };
  return { accessToken: j.access_token, expiresAt: j.expires_at };
}

export function rowsOf(json: unknown): Row[] {
  return (json as { data: Row[] }).data;
}

export function accountsOf(json: unknown): Array<{ id: string; name: string }> {
  const data = (json as { data: Record<string, string> | [] }).data;
  return Object.entries(data).map(([id, name]) => ({ id, name: String(name) }));
}

/** Quote the API's `message` (Sealmetrics) or `error` (a proxy in front of it). */
export function describeSealmetricsError(res: HttpResponse): { message?: string } {
  try {
    const j = JSON.parse(res.body) as Record<string, unknown>;
    if (typeof j.message === 'string') return { message: j.message };
    if (typeof j.error === 'string') return { message: j.error };
  } catch {
    /* an HTML page from a proxy: the status says enough */
  }
  return {};
}
