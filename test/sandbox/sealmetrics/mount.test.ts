import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../../src/sandbox/calendar.js';
import type { MountContext, MountResponse, SandboxRequest } from '../../../src/sandbox/mounts.js';
import type { TieOrder } from '../../../src/sandbox/options.js';
import { createSealmetricsMount } from '../../../src/sandbox/sealmetrics/mount.js';
import { parseDateRange, readLimit, readSkip } from '../../../src/sandbox/sealmetrics/query.js';
import { truthMicroconversions } from '../../../src/sandbox/sealmetrics/truth.js';
import { SANDBOX_PASSWORD } from '../../../src/sandbox/sealmetrics/users.js';
import { SANDBOX_ACCOUNTS } from '../../../src/sandbox/sealmetrics/vocab.js';

// The sandbox's Sealmetrics, called in-process with a fake clock for tokens and the throttle.

const NOW = '2026-05-20T12:00:00Z';
const DEMO = SANDBOX_ACCOUNTS.demo;

function mount(opts: { tieOrder?: TieOrder; rateLimits?: 'real' | 'off' } = {}) {
  const clock = { now: Date.parse('2026-11-01T00:00:00Z') };
  const ctx: MountContext = {
    seed: 1,
    scale: 1,
    tieOrder: opts.tieOrder ?? 'per-query',
    nowMs: () => Date.parse(NOW),
    dataStartDay: parseIsoDay('2025-01-01')!,
    rateLimits: opts.rateLimits ?? 'off',
  };
  const m = createSealmetricsMount(ctx, () => clock.now);
  const call = (method: string, path: string, query = '', headers: Record<string, string> = {}, body = ''): MountResponse =>
    m.handle({ method, path, query, headers, body } as SandboxRequest) as MountResponse;
  const login = (email = 'demo@sealmetrics.test', password = SANDBOX_PASSWORD) =>
    call('POST', '/api/auth/login', '', { 'content-type': 'application/json' }, JSON.stringify({ email, password }));
  const tokenOf = (email?: string) => (JSON.parse(login(email).body) as { access_token: string }).access_token;
  const report = (token: string, query: string) => call('GET', '/api/report/microconversions', query, { authorization: `Bearer ${token}` });
  return { m, clock, call, login, tokenOf, report };
}

const ids = (res: MountResponse) => (JSON.parse(res.body) as { data: Array<{ _id: string }> }).data.map((r) => r._id);
const errorOf = (res: MountResponse) => [res.status, JSON.parse(res.body)];

describe('sandbox: login and tokens', () => {
  it('issues a bearer token with a Passport-style expires_at', () => {
    const s = mount();
    const res = s.login();
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_at']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_at).toBe('2026-11-01 01:00:00');
  });

  it('accepts a form body too, and answers the documented-style errors', () => {
    const s = mount();
    expect(s.call('POST', '/api/auth/login', '', { 'content-type': 'application/x-www-form-urlencoded' }, `email=demo%40sealmetrics.test&password=${SANDBOX_PASSWORD}`).status).toBe(200);
    expect(errorOf(s.login('demo@sealmetrics.test', 'nope'))).toEqual([401, { status: 'error', message: 'Invalid credentials' }]);
    expect(errorOf(s.call('POST', '/api/auth/login', '', { 'content-type': 'application/json' }, '{"email":"demo@sealmetrics.test"}'))).toEqual([
      400,
      { status: 'error', message: 'Missing required parameter: password' },
    ]);
    expect(s.call('GET', '/api/auth/login').status).toBe(405);
    expect(s.call('GET', '/api/nope').status).toBe(404);
  });

  it('answers 401 Unauthenticated without, with a bad, or with an expired token', () => {
    const s = mount();
    const q = `account_id=${DEMO}&date_range=20260501,20260501`;
    expect(errorOf(s.call('GET', '/api/report/microconversions', q))).toEqual([401, { status: 'error', message: 'Unauthenticated' }]);
    expect(s.report('not-a-token', q).status).toBe(401);
    const token = s.tokenOf('short-lived@sealmetrics.test');
    expect(s.report(token, q).status).toBe(200);
    s.clock.now += 2_000;
    expect(errorOf(s.report(token, q))).toEqual([401, { status: 'error', message: 'Unauthenticated' }]);
  });

  it('forgetful@ tokens stop after 5 requests although expires_at is an hour away', () => {
    const s = mount();
    const token = s.tokenOf('forgetful@sealmetrics.test');
    const q = `account_id=${DEMO}&date_range=20260501,20260501`;
    expect(Array.from({ length: 6 }, () => s.report(token, q).status)).toEqual([200, 200, 200, 200, 200, 401]);
  });

  it('lists the login\'s accounts; none is PHP\'s []', () => {
    const s = mount();
    const list = (email: string) => JSON.parse(s.call('GET', '/api/auth/accounts', '', { authorization: `Bearer ${s.tokenOf(email)}` }).body);
    expect(list('demo@sealmetrics.test')).toEqual({ status: 'ok', data: { [DEMO]: 'Demo Account' } });
    expect(Object.keys(list('agency@sealmetrics.test').data)).toHaveLength(2);
    expect(list('nobody@sealmetrics.test')).toEqual({ status: 'ok', data: [] });
  });
});

describe('sandbox: the report', () => {
  it('requires account_id and date_range, with the documented message', () => {
    const s = mount();
    const t = s.tokenOf();
    expect(errorOf(s.report(t, 'date_range=20260501,20260501'))).toEqual([400, { status: 'error', message: 'Missing required parameter: account_id' }]);
    expect(errorOf(s.report(t, `account_id=${DEMO}`))).toEqual([400, { status: 'error', message: 'Missing required parameter: date_range' }]);
    expect(errorOf(s.report(t, `account_id=${DEMO}&date_range=2026-05-01`))[0]).toBe(400);
    expect(errorOf(s.report(t, `account_id=${DEMO}&date_range=20260501,20260501&country=esp`))[0]).toBe(400);
    expect(errorOf(s.report(t, `account_id=${SANDBOX_ACCOUNTS.second}&date_range=20260501,20260501`))[0]).toBe(403);
  });

  it('clamps limit to 1..100 silently and reads skip like PHP', () => {
    expect([readLimit(null), readLimit(''), readLimit('0'), readLimit('-5'), readLimit('abc'), readLimit('1000'), readLimit('42x')]).toEqual([100, 100, 1, 1, 1, 100, 42]);
    expect([readSkip(null), readSkip('-3'), readSkip('7.9'), readSkip('x')]).toEqual([0, 0, 7, 0]);
    const s = mount();
    const t = s.tokenOf();
    expect(ids(s.report(t, `account_id=${DEMO}&date_range=20260501,20260501&limit=500`))).toHaveLength(100);
    expect(ids(s.report(t, `account_id=${DEMO}&date_range=20260501,20260501&limit=0`))).toHaveLength(1);
  });

  it('reads date_range as YYYYMMDD,YYYYMMDD (inclusive) or a named period', () => {
    const today = parseIsoDay('2026-05-20')!;
    const d = (s: string) => parseIsoDay(s)!;
    expect(parseDateRange('20260501,20260503', today)).toEqual({ from: d('2026-05-01'), to: d('2026-05-03') });
    expect(parseDateRange('last_7_days', today)).toEqual({ from: d('2026-05-14'), to: today });
    expect(parseDateRange('last_month', today)).toEqual({ from: d('2026-04-01'), to: d('2026-04-30') });
    expect(parseDateRange('this_week_monday_sunday', today)).toEqual({ from: d('2026-05-18'), to: d('2026-05-24') });
    expect(parseDateRange('this_week_sunday_saturday', today)).toEqual({ from: d('2026-05-17'), to: d('2026-05-23') });
    expect(parseDateRange('this_year', today)).toEqual({ from: d('2026-01-01'), to: today });
    expect(parseDateRange('20260230,20260301', today)).toBeNull();
    expect(parseDateRange('2026-05-01', today)).toBeNull();
  });

  it('serves newest first; the stable order pages into exactly the truth', () => {
    const s = mount({ tieOrder: 'stable' });
    const t = s.tokenOf();
    const truth = truthMicroconversions({ seed: 1, scale: 1, account: DEMO, from: '2026-05-01', to: '2026-05-02', now: NOW, dataStart: '2025-01-01' });
    const got: string[] = [];
    for (let skip = 0; ; skip += 100) {
      const page = ids(s.report(t, `account_id=${DEMO}&date_range=20260501,20260502&skip=${skip}&limit=100`));
      got.push(...page);
      if (page.length < 100) break;
    }
    expect(got).toEqual(truth.map((r) => r._id));
    expect(got.length).toBeGreaterThan(300);
    expect([...got].sort().reverse()).toEqual(got);
  });

  it('per-query ties: the same request repeats byte for byte, other queries may disagree at page edges', () => {
    const s = mount();
    const t = s.tokenOf();
    const q = `account_id=${DEMO}&date_range=20260501,20260501&skip=100&limit=100`;
    expect(s.report(t, q).body).toBe(s.report(t, q).body);
    // Over many days, naive paging loses some rows somewhere: the exporter has something to repair.
    let lost = 0;
    for (let day = 1; day <= 20; day++) {
      const dr = `202605${String(day).padStart(2, '0')}`;
      const seen = new Set<string>();
      let served = 0;
      for (let skip = 0; ; skip += 100) {
        const page = ids(s.report(t, `account_id=${DEMO}&date_range=${dr},${dr}&skip=${skip}&limit=100`));
        page.forEach((id) => seen.add(id));
        served += page.length;
        if (page.length < 100) break;
      }
      lost += served - seen.size;
    }
    expect(lost).toBeGreaterThan(0);
  });

  it('filters by country and holds today only up to now', () => {
    const s = mount({ tieOrder: 'stable' });
    const t = s.tokenOf();
    const es = ids(s.report(t, `account_id=${DEMO}&date_range=20260501,20260501&country=ES`));
    const truthEs = truthMicroconversions({ seed: 1, scale: 1, account: DEMO, from: '2026-05-01', to: '2026-05-01', country: 'es', now: NOW, dataStart: '2025-01-01' });
    expect(es).toEqual(truthEs.map((r) => r._id));
    const today = truthMicroconversions({ seed: 1, scale: 1, account: DEMO, from: '2026-05-20', to: '2026-05-20', now: NOW, dataStart: '2025-01-01' });
    expect(today.every((r) => parseInt(String(r._id).slice(0, 8), 16) * 1000 <= Date.parse(NOW))).toBe(true);
    expect(truthMicroconversions({ seed: 1, scale: 1, account: DEMO, from: '2026-05-21', to: '2026-06-30', now: NOW, dataStart: '2025-01-01' })).toEqual([]);
  });

  it('rows look like the docs: field order, 24-hex ids whose seconds fall on the row\'s date, PHP escaping', () => {
    const s = mount();
    const res = s.report(s.tokenOf(), `account_id=${DEMO}&date_range=20260401,20260430&limit=100`);
    const rows = (JSON.parse(res.body) as { data: Record<string, unknown>[] }).data;
    for (const r of rows) {
      expect(Object.keys(r).filter((k) => k !== 'utm_term')).toEqual(['_id', 'date', 'utm_matchtype', 'utm_campaign', 'utm_source', 'utm_medium', 'label']);
      expect(r._id).toMatch(/^[0-9a-f]{24}$/);
      expect(new Date(parseInt(String(r._id).slice(0, 8), 16) * 1000).toISOString().slice(0, 10)).toBe(r.date);
    }
    const all = truthMicroconversions({ seed: 1, scale: 1, account: DEMO, from: '2026-04-01', to: '2026-04-30', now: NOW, dataStart: '2025-01-01' });
    expect(all.some((r) => !('utm_term' in r))).toBe(true);
    expect(all.some((r) => r.utm_term === null)).toBe(true);
    expect(all.some((r) => r.utm_matchtype === 'e')).toBe(true);
    expect(all.some((r) => /[^\x00-\x7f]/.test(String(r.utm_campaign)))).toBe(true);
    expect(res.body).not.toMatch(/[^\x00-\x7f]/);
  });

  it('the misbehaving account ignores skip', () => {
    const s = mount();
    const t = s.tokenOf();
    const q = (skip: number) => `account_id=${SANDBOX_ACCOUNTS.ignoresSkip}&date_range=20260501,20260501&skip=${skip}&limit=100`;
    expect(ids(s.report(t, q(100)))).toEqual(ids(s.report(t, q(0))));
  });
});

describe('sandbox: rate limits', () => {
  it('throttled@ gets 429 Too Many Attempts with Retry-After under real limits, never with them off', () => {
    const q = `account_id=${DEMO}&date_range=20260501,20260501`;
    const real = mount({ rateLimits: 'real' });
    const t = real.tokenOf('throttled@sealmetrics.test');
    const statuses = Array.from({ length: 4 }, () => real.report(t, q));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[0]!.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2' });
    expect(JSON.parse(statuses[3]!.body)).toEqual({ status: 'error', message: 'Too Many Attempts.' });
    expect(statuses[3]!.headers).toMatchObject({ 'retry-after': '1' });
    real.clock.now += 1_000;
    expect(real.report(t, q).status).toBe(200);

    const off = mount({ rateLimits: 'off' });
    const t2 = off.tokenOf('throttled@sealmetrics.test');
    expect(Array.from({ length: 10 }, () => off.report(t2, q).status).every((s) => s === 200)).toBe(true);
  });
});
