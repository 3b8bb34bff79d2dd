import { describe, expect, it } from 'vitest';
import { mixpanelMount } from '../../../src/sandbox/mixpanel/mount.js';
import type { MountContext, MountResponse } from '../../../src/sandbox/mounts.js';
import { expectedSignature } from '../../../src/sandbox/mixpanel/auth.js';
import { parseForm } from '../../../src/sandbox/mixpanel/query.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_PROJECT_ID, SANDBOX_SA_SECRET, SANDBOX_SA_USERNAME } from '../../../src/sandbox/mixpanel/keys.js';
import { signedQuery } from '../../../src/providers/mixpanel/sign.js';
import { truthEvents } from '../../../src/sandbox/mixpanel/truth.js';
import { parseIsoDay } from '../../../src/sandbox/calendar.js';

// The sandbox's Mixpanel, called in-process: signature checks per the contract, the documented
// error bodies, and reports that agree with the raw events they are computed from.

const VECTOR_A_QUERY =
  'api_key=f0aa346688cee071cd85d857285a3464&event=%5B%22splash+features%22%2C+%22account-page%22%5D&expire=1275624968&format=json&interval=7&sig=e600223b20d6edb162e3efe767a8acf8&type=average&unit=day';

function mount(now: string, o: Partial<MountContext> = {}) {
  const m = mixpanelMount({ seed: 1, scale: 0.2, tieOrder: 'stable', nowMs: () => Date.parse(now), dataStartDay: parseIsoDay('2026-04-01')!, rateLimits: 'off', ...o });
  const get = (path: string, query = '', headers: Record<string, string> = {}) => m.handle({ method: 'GET', path, query, headers, body: '' }) as MountResponse;
  const signed = (path: string, params: Record<string, string | string[]>, expireAt = Date.parse(now) / 1000 + 600) =>
    get(path, signedQuery({ params, apiKey: SANDBOX_API_KEY, apiSecret: SANDBOX_API_SECRET, expire: Math.floor(expireAt) }));
  const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  return { get, signed, basic };
}
const body = (r: MountResponse) => JSON.parse(r.body) as Record<string, unknown>;

describe('sandbox Mixpanel: signatures', () => {
  it("verifies the contract's vector A as sent by Python, and refuses it once expired", () => {
    const before = mount('2010-06-04T03:00:00Z', { dataStartDay: parseIsoDay('2010-05-01')! });
    const ok = before.get('/api/2.0/events/', VECTOR_A_QUERY);
    expect(ok.status).toBe(200);
    expect(Object.keys((body(ok).data as { values: object }).values)).toEqual(['splash features', 'account-page']);
    const after = mount('2010-06-04T05:00:00Z', { dataStartDay: parseIsoDay('2010-05-01')! });
    const expired = after.get('/api/2.0/events', VECTOR_A_QUERY);
    expect([expired.status, body(expired)]).toEqual([400, { error: 'Expired request', request: `/api/2.0/events?${VECTOR_A_QUERY}` }]);
  });

  it('vector B (and its compact variant) over the decoded received params, callback left out', () => {
    const received = parseForm('api_key=abc123&callback=cb1&event=Caf%C3%A9+%E2%98%95&expire=1700000000&format=json&interval=4&name=plan&type=unique&unit=week&values=%5B%22pro%22%2C+%22free%22%5D');
    expect(expectedSignature(received, 's3cr3t')).toBe('91e56cb97dbf7396879fd473ed2bd61b');
    received.set('values', '["pro","free"]');
    expect(expectedSignature(received, 's3cr3t')).toBe('d6a17deb237cab74496efdfb311fb992');
  });

  it('key, then signature, then expiry; every failure is a 400 with the documented body', () => {
    const m = mount('2026-05-20T12:00:00Z');
    const q = signedQuery({ params: { event: ['Purchased'], type: 'general', unit: 'day', interval: '3' }, apiKey: SANDBOX_API_KEY, apiSecret: SANDBOX_API_SECRET, expire: 1779280000 });
    expect(m.get('/api/2.0/events/', q).status).toBe(200);
    const errorOf = (query: string, path = '/api/2.0/events/') => {
      const r = m.get(path, query);
      return [r.status, body(r).error];
    };
    expect(errorOf(q.replace(SANDBOX_API_KEY, '0'.repeat(32)))).toEqual([400, 'Invalid API key']);
    expect(errorOf(q.replace(/api_key=[^&]*&/, ''))).toEqual([400, 'Invalid API key']);
    expect(errorOf(q.replace('interval=3', 'interval=4'))).toEqual([400, 'Invalid request signature']);
    expect(errorOf(q.replace(/&sig=[^&]*/, ''))).toEqual([400, 'Missing required parameter: sig']);
    expect(errorOf(q.replace(/&expire=[^&]*/, ''))).toEqual([400, 'Missing required parameter: expire']);
    expect(m.get('/api/2.0/events/', `${q}&callback=cb`).status).toBe(200); // callback is not signed
    expect(errorOf(q, '/api/2.0/events/general')).toEqual([400, 'Invalid endpoint: events/general']);
    // The path is not part of the signature: the same query is valid on another endpoint, which then wants its own parameters.
    expect(errorOf(q, '/api/2.0/events/properties')).toEqual([400, 'Missing required parameter: name']);
  });

  it('compact JSON lists verify too, as long as they were signed as sent', () => {
    const m = mount('2026-05-20T12:00:00Z');
    const q = signedQuery({ params: { event: ['Purchased', 'Café ☕ visited'], type: 'general', unit: 'day', interval: '2' }, apiKey: SANDBOX_API_KEY, apiSecret: SANDBOX_API_SECRET, expire: 1779280000, style: 'compact' });
    expect(q).toContain('event=%5B%22Purchased%22%2C%22Caf%C3%A9+%E2%98%95+visited%22%5D');
    expect(m.get('/api/2.0/events', q).status).toBe(200);
  });
});

describe('sandbox Mixpanel: parameters and formats', () => {
  const m = mount('2026-05-20T12:00:00Z');
  const err = (path: string, params: Record<string, string | string[]>) => {
    const r = m.signed(path, params);
    return [r.status, body(r).error];
  };

  it('missing, malformed and out-of-range parameters get the API messages', () => {
    expect(err('/api/2.0/events/', { type: 'general', unit: 'day', interval: '3' })).toEqual([400, 'Missing required parameter: event']);
    expect(err('/api/2.0/events/', { event: 'Purchased', type: 'general', unit: 'day', interval: '3' })).toEqual([400, 'Invalid JSON Format: event']);
    expect(err('/api/2.0/events/', { event: '{"a":1}', type: 'general', unit: 'day', interval: '3' })).toEqual([400, 'Invalid JSON Format: event']);
    expect(err('/api/2.0/events/', { event: ['a'], type: 'total', unit: 'day', interval: '3' })).toEqual([400, 'Invalid parameter: type']);
    expect(err('/api/2.0/events/', { event: ['a'], type: 'general', unit: 'dayy', interval: '3' })).toEqual([400, 'Invalid parameter: unit']);
    expect(err('/api/2.0/events/', { event: ['a'], type: 'general', unit: 'day', interval: '0' })).toEqual([400, 'Invalid parameter: interval']);
    expect(err('/api/2.0/funnels/', { funnel: ['Signup flow'], unit: 'day', interval: '3' })).toEqual([400, 'Invalid parameter: unit']);
    expect(err('/api/2.0/funnels/', { funnel: ['No such funnel'], unit: 'week', interval: '3' })).toEqual([400, 'Invalid parameter: funnel']);
    expect(err('/api/2.0/events/properties/', { event: 'Purchased', name: 'currency', values: 'USD', type: 'general', unit: 'day', interval: '3' })).toEqual([400, 'Invalid JSON Format: values']);
    expect(err('/api/2.0/events/top/', { type: 'general', format: 'csv' })).toEqual([400, 'Invalid parameter: format']);
  });

  it('hour periods are labelled "YYYY-MM-DD HH:00:00", the last one holding now', () => {
    const r = body(m.signed('/api/2.0/events/', { event: ['Viewed Page'], type: 'general', unit: 'hour', interval: '3' }));
    expect((r.data as { series: string[] }).series).toEqual(['2026-05-20 10:00:00', '2026-05-20 11:00:00', '2026-05-20 12:00:00']);
    const month = body(m.signed('/api/2.0/events/', { event: ['Viewed Page'], type: 'general', unit: 'month', interval: '2' }));
    expect((month.data as { series: string[] }).series).toEqual(['2026-04-01', '2026-05-01']);
  });

  it('JSONP wraps the body; csv is one line per point; retention answers on both paths', () => {
    const params = { event: ['Purchased'], type: 'general', unit: 'day', interval: '2' };
    const plain = m.signed('/api/2.0/events/', params);
    const jsonp = m.signed('/api/2.0/events/', { ...params, callback: 'cb' });
    expect(jsonp.body).toBe(`cb(${plain.body})`);
    expect(jsonp.headers?.['content-type']).toMatch(/javascript/);
    const values = (body(plain).data as { values: { Purchased: Record<string, number> } }).values.Purchased;
    const csv = m.signed('/api/2.0/events/', { ...params, format: 'csv' });
    expect(csv.body).toBe(`event,date,value\n${Object.entries(values).map(([d, v]) => `Purchased,${d},${v}`).join('\n')}\n`);
    const r = { event: ['Viewed Page'], type: 'general', unit: 'day', interval: '5' };
    expect(m.signed('/api/2.0/events/retention', r).body).toBe(m.signed('/api/2.0/retention/', r).body);
  });
});

describe('sandbox Mixpanel: reports agree with the raw events', () => {
  const now = '2026-05-20T12:00:00Z';
  const m = mount(now);
  const raw = truthEvents({ seed: 1, scale: 0.2, dataStart: '2026-04-01', now, from: '2026-05-14', to: '2026-05-20' });

  it('events/: general, unique and average per day are counts over the export', () => {
    const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
    for (const type of ['general', 'unique', 'average']) {
      const r = body(m.signed('/api/2.0/events/', { event: ['Viewed Page', 'Purchased', 'never happened'], type, unit: 'day', interval: '7' }));
      const values = (r.data as { values: Record<string, Record<string, number>> }).values;
      for (const event of ['Viewed Page', 'Purchased', 'never happened']) {
        for (const [date, v] of Object.entries(values[event]!)) {
          const mine = raw.filter((e) => e.event === event && day(e.properties.time as number) === date);
          const users = new Set(mine.map((e) => e.properties.distinct_id)).size;
          const want = type === 'general' ? mine.length : type === 'unique' ? users : users === 0 ? 0 : Math.round((mine.length / users) * 1e4) / 1e4;
          expect([event, date, v]).toEqual([event, date, want]);
        }
      }
      expect(r.legend_size).toBe(3);
    }
  });

  it('today holds only what happened by now', () => {
    expect(raw.every((e) => (e.properties.time as number) <= Date.parse(now) / 1000)).toBe(true);
    expect(raw.some((e) => (e.properties.time as number) > Date.parse(now) / 1000 - 3600)).toBe(true);
  });

  it('funnels: step counts shrink, ratios are counts over counts, weeks start on Monday', () => {
    const r = body(m.signed('/api/2.0/funnels/', { funnel: ['Purchase funnel'], unit: 'week', interval: '3' }));
    const f = r['Purchase funnel'] as { data: Record<string, { steps: { count: number; overall_conv_ratio: number; step_conv_ratio: number; goal: string }[] }>; meta: { dates: string[] } };
    expect(f.meta.dates).toEqual(['2026-05-04', '2026-05-11', '2026-05-18']);
    for (const week of Object.values(f.data)) {
      const counts = week.steps.map((s) => s.count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      expect(week.steps.map((s) => s.goal)).toEqual(['Viewed Page', 'Added to Cart', 'Checkout Started', 'Purchased']);
      week.steps.forEach((s, i) => expect(s.overall_conv_ratio).toBe(s.count / counts[0]!));
      expect(week.steps[0]!.step_conv_ratio).toBe(1);
    }
  });
});

describe('sandbox Mixpanel: raw export', () => {
  const now = '2026-05-20T12:00:00Z';
  const sa = (m: ReturnType<typeof mount>, query: string) => m.get('/api/2.0/export', query, m.basic(SANDBOX_SA_USERNAME, SANDBOX_SA_SECRET));

  it('a service account with its project, or the project secret alone; others are refused', () => {
    const m = mount(now);
    const q = 'from_date=2026-05-19&to_date=2026-05-19';
    const ok = sa(m, `${q}&project_id=${SANDBOX_PROJECT_ID}`);
    expect([ok.status, ok.headers?.['content-type']]).toEqual([200, 'text/plain; charset=utf-8']);
    expect(ok.body.trimEnd().split('\n')).toHaveLength(ok.rows);
    expect(m.get('/api/2.0/export', q, m.basic(SANDBOX_API_SECRET, '')).body).toBe(ok.body);
    const refused = (query: string, headers: Record<string, string>) => {
      const r = m.get('/api/2.0/export', query, headers);
      return [r.status, body(r).error];
    };
    expect(refused(q, m.basic(SANDBOX_SA_USERNAME, SANDBOX_SA_SECRET))).toEqual([400, 'Missing required parameter: project_id']);
    expect(refused(`${q}&project_id=999`, m.basic(SANDBOX_SA_USERNAME, SANDBOX_SA_SECRET))).toEqual([403, 'The service account has no access to project 999']);
    expect(refused(`${q}&project_id=${SANDBOX_PROJECT_ID}`, m.basic(SANDBOX_SA_USERNAME, 'nope'))).toEqual([401, 'Unable to authenticate request']);
    expect(refused(`${q}&api_key=${SANDBOX_API_KEY}&sig=x`, {})[1]).toMatch(/takes HTTP Basic auth .* not api_key\/sig/);
  });

  it('dates are inclusive and checked; event, where and limit filter', () => {
    const m = mount(now);
    const lines = (query: string) => sa(m, `project_id=${SANDBOX_PROJECT_ID}&${query}`).body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; properties: Record<string, unknown> });
    const two = lines('from_date=2026-05-18&to_date=2026-05-19');
    expect(two.length).toBe(lines('from_date=2026-05-18&to_date=2026-05-18').length + lines('from_date=2026-05-19&to_date=2026-05-19').length);
    const bought = lines('from_date=2026-05-18&to_date=2026-05-19&event=%5B%22Purchased%22%5D&where=properties%5B%22currency%22%5D+%3D%3D+%22EUR%22');
    expect(bought.length).toBe(two.filter((e) => e.event === 'Purchased' && e.properties.currency === 'EUR').length);
    expect(bought.length).toBeGreaterThan(0);
    expect(lines('from_date=2026-05-18&to_date=2026-05-19&limit=5')).toEqual(two.slice(0, 5));
    const error = (query: string) => body(sa(m, `project_id=${SANDBOX_PROJECT_ID}&${query}`)).error;
    expect(error('to_date=2026-05-19')).toBe('Missing required parameter: from_date');
    expect(error('from_date=2026-05-19&to_date=2026-05-18')).toBe('Invalid parameter: to_date');
    expect(error('from_date=2026-02-30&to_date=2026-05-18')).toBe('Invalid parameter: from_date');
    expect(error('from_date=2026-05-18&to_date=2026-05-18&where=banana')).toBe('Invalid parameter: where');
    expect(error('from_date=2026-05-18&to_date=2026-05-18&event=Purchased')).toBe('Invalid JSON Format: event');
  });

  it('60 requests an hour per project with real limits, then 429 with Retry-After; off lifts it', () => {
    const real = mount(now, { rateLimits: 'real' });
    const q = `from_date=2026-04-01&to_date=2026-04-01&project_id=${SANDBOX_PROJECT_ID}`;
    for (let i = 0; i < 60; i++) expect(sa(real, q).status).toBe(200);
    const limited = sa(real, q);
    expect(limited.status).toBe(429);
    expect(body(limited).error).toMatch(/60 export requests per hour/);
    expect(Number(limited.headers?.['retry-after'])).toBeGreaterThan(3000);
    const off = mount(now);
    for (let i = 0; i < 61; i++) expect(sa(off, q).status).toBe(200);
  });
});
