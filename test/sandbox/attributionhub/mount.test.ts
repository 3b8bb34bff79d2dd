import { describe, expect, it } from 'vitest';
import { ATTRIBUTIONHUB_SANDBOX_KEYS, MONTHLY_LIMIT, attributionhubMount } from '../../../src/sandbox/attributionhub/mount.js';
import { attributionHubRecords } from '../../../src/sandbox/attributionhub/truth.js';
import { DATA_START, NOW, mountContext } from '../../providers/atribu/harness.js';

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: DATA_START };

function api(rateLimits: 'real' | 'off' = 'off') {
  const mount = attributionhubMount(mountContext(rateLimits));
  return (body: unknown, headers: Record<string, string> = { authentication: ATTRIBUTIONHUB_SANDBOX_KEYS.standard }, method = 'POST') => {
    const res = mount.handle({ method, path: '/api/v1/conversions', query: '', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }) as {
      status: number;
      body: string;
    };
    return { status: res.status, json: JSON.parse(res.body) as Record<string, any> };
  };
}

/** Pages from offset 0 the way the docs say: offset = the last records_processed. */
function walk(post: ReturnType<typeof api>, body: Record<string, unknown>) {
  const records: unknown[] = [];
  const pages: Array<{ n: number; processed: number; total: number }> = [];
  for (let offset = 0; pages.length < 500; ) {
    const { json } = post({ ...body, offset });
    if (json.message) break;
    records.push(...json.records);
    pages.push({ n: json.records.length, processed: json.pagination.records_processed, total: json.pagination.total_records });
    if (!json.pagination.has_more) break;
    offset = json.pagination.records_processed;
  }
  return { records, pages };
}

describe('POST /api/v1/conversions', () => {
  const window = { start_date: '2026-05-01', end_date: '2026-05-10' };

  it('direct mode: 50 records a page, offset counting records, total = matching conversions', () => {
    const { records, pages } = walk(api(), window);
    const truth = attributionHubRecords({ ...TRUTH, body: window });
    expect(records).toEqual(truth);
    expect(pages.slice(0, -1).every((p) => p.n === 50)).toBe(true);
    expect(pages.every((p) => p.total === truth.length)).toBe(true);
    expect(pages.at(-1)!.processed).toBe(truth.length);
  });

  it('session mode: offset counts sessions in batches of 200, and a page may exceed 50 records', () => {
    const body = { ...window, source: 'google.com' };
    const { records, pages } = walk(api(), body);
    expect(records).toEqual(attributionHubRecords({ ...TRUTH, body }));
    expect(pages.some((p) => p.n > 50)).toBe(true);
    expect(pages.every((p) => p.processed % 200 === 0 || p.processed === p.total)).toBe(true);
    expect(records.length).not.toBe(pages[0]!.total);
  });

  it('records carry the sample timestamp form and the documented fields, newest first', () => {
    const records = attributionHubRecords({ ...TRUTH, body: window });
    expect(Object.keys(records[0]!)).toEqual(['email', 'timestamp', 'conversion_page', 'previous_page', 'conversion_meta']);
    const stamps = records.map((r) => r.timestamp as string);
    expect(stamps.every((s) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s))).toBe(true);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect(stamps[0]! <= '2026-05-10 23:59:59' && stamps.at(-1)! >= '2026-05-01 00:00:00').toBe(true);
  });

  it('conversion filters are exact and ANDed; nothing matching is the documented message', () => {
    const body = { ...window, meta_type: 'html_form', conversion_page: 'https://www.example.com/request-a-demo/' };
    const records = attributionHubRecords({ ...TRUTH, body });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r: any) => r.conversion_meta.type === 'html_form' && r.conversion_page === body.conversion_page)).toBe(true);
    expect(api()({ ...window, meta_type: 'HTML_FORM' })).toEqual({ status: 200, json: { message: 'No conversions matched the given filters.' } });
  });

  it('takes an ISO 8601 instant as the end (on or before it) as well as a whole day', () => {
    const day = attributionHubRecords({ ...TRUTH, body: { start_date: '2026-05-10', end_date: '2026-05-10' } });
    const noon = attributionHubRecords({ ...TRUTH, body: { start_date: '2026-05-10', end_date: '2026-05-10T12:00:00Z' } });
    expect(noon.length).toBeGreaterThan(0);
    expect(noon.length).toBeLessThan(day.length);
    expect(noon.every((r) => (r.timestamp as string) <= '2026-05-10 12:00:00')).toBe(true);
  });

  it('refuses non-strict JSON, bad dates and bad offsets with 400', () => {
    const post = api();
    expect(post('{"start_date": "2025-07-15", "end_date": "2025-07-30",}')).toEqual({ status: 400, json: { error: 'Invalid JSON body.' } });
    expect(post({ start_date: '07/15/2025' })).toEqual({ status: 400, json: { error: 'Invalid start_date. Use ISO 8601 (2025-07-01T23:59:59Z) or YYYY-MM-DD.' } });
    expect(post({ offset: -1 })).toEqual({ status: 400, json: { error: 'offset must be a non-negative integer.' } });
    expect(post({ offset: '50' }).status).toBe(400);
  });

  it('authenticates with the literal Authentication header only', () => {
    const post = api();
    expect(post(window, {})).toEqual({ status: 401, json: { error: 'Missing Authentication header.' } });
    expect(post(window, { authorization: ATTRIBUTIONHUB_SANDBOX_KEYS.standard })).toEqual({
      status: 401,
      json: { error: 'Missing Authentication header. The header is Authentication, not Authorization.' },
    });
    expect(post(window, { authentication: 'nope' })).toEqual({ status: 401, json: { error: 'Invalid API key.' } });
    expect(post(window, undefined, 'GET').status).toBe(405);
  });

  it('the exhausted key is a 429 monthly-quota body; real limits count every call to the quota', () => {
    const post = api('real');
    const quota = { error: 'API monthly limit exceeded.', limit: MONTHLY_LIMIT, used: MONTHLY_LIMIT, domain: 'example.com' };
    expect(post(window, { authentication: ATTRIBUTIONHUB_SANDBOX_KEYS.exhausted })).toEqual({ status: 429, json: quota });
    for (let i = 0; i < MONTHLY_LIMIT; i++) post({ start_date: '2026-05-10', end_date: '2026-05-10', meta_id: 'none' });
    expect(post(window)).toEqual({ status: 429, json: quota });
  });

  it('the stall key keeps records_processed at the offset asked for; the endless key never says has_more false', () => {
    const post = api();
    const stall = { authentication: ATTRIBUTIONHUB_SANDBOX_KEYS.stall };
    expect(post({ ...window, offset: 0 }, stall).json.pagination.records_processed).toBe(50);
    expect(post({ ...window, offset: 50 }, stall).json.pagination.records_processed).toBe(50);
    const endless = { authentication: ATTRIBUTIONHUB_SANDBOX_KEYS.endless };
    const total = attributionHubRecords({ ...TRUTH, body: window }).length;
    const past = post({ ...window, offset: total + 10 }, endless).json;
    expect(past.records.length).toBe(50);
    expect(past.pagination).toEqual({ records_processed: total + 60, total_records: total, has_more: true });
  });
});
