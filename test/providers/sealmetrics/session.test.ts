import { describe, expect, it } from 'vitest';
import { AuthError, RejectedError } from '../../../src/core/errors.js';
import { HttpClient } from '../../../src/http/client.js';
import type { HttpRequest, HttpResponse, Transport } from '../../../src/http/transport.js';
import { SealmetricsSession } from '../../../src/providers/sealmetrics/session.js';
import { parseExpiresAt, renewAt } from '../../../src/providers/sealmetrics/expiry.js';

// Login, renewal before expires_at, one more login on a 401, and tokens kept out of every log.

const BASE = 'https://app.sealmetrics.test';
const PASSWORD = 'hunter2-correct-horse';
const T0 = Date.parse('2026-05-20T12:00:00Z');
const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

interface FakeApi {
  /** Epoch ms of the fake clock, moved by the test. */
  clock: { now: number };
  seen: HttpRequest[];
  logs: string[];
  session: SealmetricsSession;
  client: HttpClient;
  tokens: string[];
}

/**
 * A fake Sealmetrics: login issues tok-1, tok-2, … valid for `ttlMs`; a data GET answers 401 when
 * the token is unknown, expired by the fake clock, or listed in `revoked`.
 */
function fakeApi(opts: { ttlMs?: number; password?: string; revoked?: Set<string>; onGet?: (req: HttpRequest) => HttpResponse | undefined } = {}): FakeApi {
  const clock = { now: T0 };
  const seen: HttpRequest[] = [];
  const logs: string[] = [];
  const issued = new Map<string, number>();
  const tokens: string[] = [];
  const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const fetch: Transport = async (req) => {
    seen.push(req);
    if (req.url.endsWith('/api/auth/login')) {
      const { email, password } = JSON.parse(req.body ?? '{}') as { email: string; password: string };
      if (email !== 'a@b.test' || password !== (opts.password ?? PASSWORD)) return json(401, { status: 'error', message: 'Invalid credentials' });
      const token = `tok-${tokens.length + 1}-${'x'.repeat(20)}`;
      tokens.push(token);
      issued.set(token, clock.now + (opts.ttlMs ?? 3_600_000));
      return json(200, { access_token: token, token_type: 'Bearer', expires_at: fmt(clock.now + (opts.ttlMs ?? 3_600_000)) });
    }
    const special = opts.onGet?.(req);
    if (special) return special;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const until = issued.get(token);
    if (until === undefined || clock.now >= until || opts.revoked?.has(token)) return json(401, { status: 'error', message: 'Unauthenticated' });
    return json(200, { status: 'ok', data: [] });
  };
  const client = new HttpClient({
    fetch,
    sleep: async () => {},
    random: () => 0.5,
    now: () => new Date(clock.now),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets: [PASSWORD],
    log: (l) => logs.push(l),
  });
  const session = new SealmetricsSession({ client, baseUrl: BASE, email: 'a@b.test', password: PASSWORD, now: () => clock.now });
  return { clock, seen, logs, session, client, tokens };
}

const get = (api: FakeApi, skip = 0) => api.session.get(`${BASE}/api/report/microconversions?skip=${skip}`, {});
const logins = (api: FakeApi) => api.seen.filter((r) => r.url.endsWith('/auth/login'));

describe('SealmetricsSession', () => {
  it('logs in once, with a JSON body, for requests that start together', async () => {
    const api = fakeApi();
    await Promise.all([get(api, 0), get(api, 100), get(api, 200)]);
    expect(logins(api)).toHaveLength(1);
    const login = logins(api)[0]!;
    expect(login.method).toBe('POST');
    expect(login.headers['content-type']).toBe('application/json');
    expect(JSON.parse(login.body!)).toEqual({ email: 'a@b.test', password: PASSWORD });
    const data = api.seen.filter((r) => r.method === 'GET');
    expect(data.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Bearer ${api.tokens[0]}`));
    expect(api.session.logins).toBe(1);
  });

  it('logs in again before expires_at (no 401 needed)', async () => {
    const api = fakeApi({ ttlMs: 60 * 60_000 });
    await get(api);
    api.clock.now += 54 * 60_000; // 6 min left: more than the 5 min margin
    await get(api);
    expect(api.session.logins).toBe(1);
    api.clock.now += 2 * 60_000; // 4 min left
    await get(api);
    expect(api.session.logins).toBe(2);
    expect(api.seen.filter((r) => r.headers.authorization).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${api.tokens[0]}`,
      `Bearer ${api.tokens[0]}`,
      `Bearer ${api.tokens[1]}`,
    ]);
    // no request was answered 401 on the way
    expect(api.logs.some((l) => / 401 /.test(l))).toBe(false);
  });

  it('renews a short-lived token a quarter of its lifetime ahead', async () => {
    const api = fakeApi({ ttlMs: 8_000 });
    await get(api);
    api.clock.now += 5_000;
    await get(api);
    expect(api.session.logins).toBe(1);
    api.clock.now += 1_500; // 1.5 s left of 8: under a quarter
    await get(api);
    expect(api.session.logins).toBe(2);
  });

  it('logs in again when a token that worked starts answering 401, and resends', async () => {
    const revoked = new Set<string>();
    const api = fakeApi({ revoked });
    await get(api);
    revoked.add(api.tokens[0]!);
    const res = await get(api);
    expect(res.status).toBe(200);
    expect(api.session.logins).toBe(2);
  });

  it('a 401 on a token just issued is an authentication failure, not a loop', async () => {
    const api = fakeApi({ onGet: () => ({ status: 401, headers: {}, body: '{"status":"error","message":"Unauthenticated"}' }) });
    const err = await get(api).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('authentication failed (401): "Unauthenticated" with a token just issued to a@b.test');
    expect(api.seen).toHaveLength(2);
  });

  it('a 403 is not retried with a new login', async () => {
    const api = fakeApi({ onGet: () => ({ status: 403, headers: {}, body: '{"status":"error","message":"You don\'t have access to this account"}' }) });
    const err = await get(api).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe('authentication failed (403): "You don\'t have access to this account"');
    expect(api.session.logins).toBe(1);
  });

  it('a wrong password fails the login with exit 3, quoting the server', async () => {
    const api = fakeApi({ password: 'something else' });
    const err = await get(api).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe('Sealmetrics login as a@b.test: authentication failed (401): "Invalid credentials"');
  });

  it('a 400 is rejected with exit 4, quoting the documented message', async () => {
    const api = fakeApi({ onGet: () => ({ status: 400, headers: {}, body: '{"status":"error","message":"Missing required parameter: account_id"}' }) });
    const err = await get(api).catch((e) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe('request rejected (400): "Missing required parameter: account_id"');
  });

  it('masks the token it obtained wherever the client shows a URL or message', async () => {
    const api = fakeApi({ onGet: (req) => (req.url.includes('skip=500') ? { status: 503, headers: {}, body: 'down' } : undefined) });
    await get(api);
    const token = api.tokens[0]!;
    expect(api.client.mask(`Bearer ${token} ${PASSWORD}`)).not.toContain(token);
    expect(api.client.mask(`x ${encodeURIComponent(token)}`)).not.toContain(token);
    const err = await get(api, 500).catch((e) => e);
    expect(String(err.message)).not.toContain(token);
    expect(api.logs.join('\n')).not.toContain(token);
    expect(api.logs.join('\n')).not.toContain(PASSWORD);
  });
});

describe('expires_at', () => {
  it.each([
    ['2026-05-20 13:00:00', Date.parse('2026-05-20T13:00:00Z')],
    ['2026-05-20T13:00:00Z', Date.parse('2026-05-20T13:00:00Z')],
    ['2026-05-20T13:00:00.000000Z', Date.parse('2026-05-20T13:00:00Z')],
    ['2026-05-20T15:00:00+02:00', Date.parse('2026-05-20T13:00:00Z')],
    ['2026-05-20 15:00:00+0200', Date.parse('2026-05-20T13:00:00Z')],
    [1779282000, 1779282000_000],
    ['1779282000', 1779282000_000],
    [1779282000_000, 1779282000_000],
  ])('reads %j', (value, expected) => {
    expect(parseExpiresAt(value)).toBe(expected);
  });

  it.each([undefined, null, '', 'tomorrow', '2026-13-45 99:00:00', -5, {}])('treats %j as unknown', (value) => {
    expect(parseExpiresAt(value)).toBeUndefined();
  });

  it('renews 5 minutes ahead at most, a quarter of the lifetime for short tokens, never for a past expiry', () => {
    expect(renewAt(T0 + 3_600_000, T0)).toBe(T0 + 3_300_000);
    expect(renewAt(T0 + 2_000, T0)).toBe(T0 + 1_500);
    expect(renewAt(T0 - 1, T0)).toBeUndefined();
    expect(renewAt(undefined, T0)).toBeUndefined();
  });
});
