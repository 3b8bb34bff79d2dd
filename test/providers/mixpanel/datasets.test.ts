import { sleep } from '../../../src/core/env.js';
import { describe, expect, it } from 'vitest';
import { AuthError, IntegrityError, RejectedError, ServerError, UsageError } from '../../../src/core/errors.js';
import { HttpClient } from '../../../src/http/client.js';
import type { HttpRequest, HttpResponse } from '../../../src/http/transport.js';
import { findDataset } from '../../../src/providers/registry.js';
import { exportBase, queryBase } from '../../../src/providers/mixpanel/hosts.js';
import type { ExportContext, ExportOptions } from '../../../src/providers/types.js';
import type { Row } from '../../../src/core/columns.js';
import { expectedSignature } from '../../../src/sandbox/mixpanel/auth.js';
import { parseForm } from '../../../src/sandbox/mixpanel/query.js';

// Request building, auth and error handling with a fake transport: no sockets.

const KEY = 'f0aa346688cee071cd85d857285a3464';
const SECRET = 'b7e4c2d1a9f84e3c8d6a5b4c3d2e1f00';
const NOW = Date.parse('2026-05-20T12:00:00Z');
type Answer = HttpResponse | ((req: HttpRequest) => HttpResponse);
const json = (body: unknown, status = 200): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const text = (body: string, status = 200, headers: Record<string, string> = {}): HttpResponse => ({ status, headers: { 'content-type': 'text/plain', ...headers }, body });

function setup(dataset: string, o: Partial<ExportOptions> & { answers: Answer[] }) {
  const seen: HttpRequest[] = [];
  const logs: string[] = [];
  const sleeps: number[] = [];
  const def = findDataset(dataset);
  const options = {
    dataset: def,
    from: '2026-05-18',
    to: '2026-05-20',
    today: '2026-05-20',
    params: {},
    baseUrl: 'https://mixpanel.com',
    credentials: { apiKey: KEY, apiSecret: SECRET },
    ...o,
  } as ExportOptions;
  const secrets = Object.entries(options.credentials)
    .filter(([n]) => def.credentials.find((c) => c.name === n)?.secret)
    .map(([, v]) => v);
  const client = new HttpClient({
    fetch: async (req) => {
      seen.push(req);
      const a = o.answers.shift();
      if (!a) throw new Error('no more answers');
      return typeof a === 'function' ? a(req) : a;
    },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => new Date(NOW),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets,
    backoff: { retries: 2 },
    log: (l) => logs.push(l),
  });
  const notes: string[] = [];
  const ctx: ExportContext = { options, client, observer: { plan: () => {}, windowDone: () => {}, note: (m) => notes.push(m) }, signal: new AbortController().signal, clock: { now: () => Date.now(), sleep } };
  const run = async () => {
    const rows: Row[] = [];
    for await (const batch of def.run(ctx)) rows.push(...batch);
    return rows;
  };
  return { seen, logs, sleeps, run, notes };
}

const series = (values: Record<string, Record<string, number>>, labels: string[]) => json({ data: { series: labels, values }, legend_size: Object.keys(values).length });

describe('mixpanel Data API 2.0 datasets', () => {
  it('signs what it sends: the sandbox verifier accepts the received params; the secret never travels', async () => {
    const t = setup('mixpanel:events', {
      params: { event: ['Café ☕', 'Signed Up'], type: ['unique'], unit: ['day'] },
      answers: [series({ 'Café ☕': { '2026-05-17': 1, '2026-05-18': 2, '2026-05-19': 3, '2026-05-20': 4, '2026-05-21': 5 } }, ['2026-05-17', '2026-05-18', '2026-05-19', '2026-05-20'])],
    });
    const realNow = Date.now;
    const rows = await t.run();
    const url = new URL(t.seen[0]!.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://mixpanel.com/api/2.0/events/');
    const received = parseForm(url.search.slice(1));
    expect(Object.fromEntries(received)).toMatchObject({ api_key: KEY, event: '["Caf\\u00e9 \\u2615", "Signed Up"]', type: 'unique', unit: 'day', interval: '4', format: 'json' });
    expect(received.get('sig')).toBe(expectedSignature(received, SECRET));
    expect(Number(received.get('expire'))).toBeGreaterThanOrEqual(Math.floor(realNow() / 1000) + 590);
    expect(t.seen[0]!.url).not.toContain(SECRET);
    // periods outside --from..--to dropped, the one the series lacks kept in its place
    expect(rows.map((r) => r.date)).toEqual(['2026-05-18', '2026-05-19', '2026-05-20']);
    expect(t.logs.join('\n')).not.toContain(KEY);
  });

  it('a bad signature, key or clock is an auth failure (exit 3) with a hint; other 400s are rejections quoting the server', async () => {
    const err = (message: string) => json({ error: message, request: '/api/2.0/events/?…' }, 400);
    const cases: [string, new (...a: never[]) => Error, RegExp][] = [
      ['Invalid request signature', AuthError, /authentication failed \(400\): "Invalid request signature"; check MIXPANEL_API_SECRET/],
      ['Invalid API key', AuthError, /"Invalid API key"; check MIXPANEL_API_KEY/],
      ['Expired request', AuthError, /"Expired request"; .*clock/],
      ['Invalid parameter: funnel', RejectedError, /^request rejected \(400\): "Invalid parameter: funnel"$/],
    ];
    for (const [message, type, text] of cases) {
      const t = setup('mixpanel:funnels', { params: { funnel: ['x'], unit: ['week'] }, answers: [err(message)] });
      const e = await t.run().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(type);
      expect((e as Error).message).toMatch(text);
      expect(t.seen).toHaveLength(1);
    }
  });

  it('an error key in a 200 is a failure, not data', async () => {
    const t = setup('mixpanel:event-names', { params: { type: ['general'], unit: ['day'] }, answers: [json({ error: 'Invalid parameter: type' })] });
    await expect(t.run()).rejects.toThrow(RejectedError);
    expect(t.seen).toHaveLength(1);
  });

  it('a body that is not the documented shape is asked again, then fails (exit 5)', async () => {
    const bad = json({ data: { series: [], values: { a: 'x' } } });
    const t = setup('mixpanel:events', { params: { event: ['a'], type: ['general'], unit: ['day'] }, answers: [bad, bad, bad] });
    const e = await t.run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServerError);
    expect((e as Error).message).toMatch(/data\.values\["a"\] is not an object/);
    expect(t.seen).toHaveLength(3);
  });

  it('totals over "the last N units up to now" refuse a --to before today, before any request', async () => {
    const t = setup('mixpanel:event-names', { to: '2026-05-19', params: { type: ['general'], unit: ['day'] }, answers: [] });
    await expect(t.run()).rejects.toThrow(new UsageError('mixpanel:event-names is one total over the last units up to now: --to must be today (2026-05-20, UTC) or left out'));
    expect(t.seen).toHaveLength(0);
  });

  it('limit must be a whole number; given, it is sent', async () => {
    const bad = setup('mixpanel:events-top', { params: { type: ['general'], limit: ['ten'] }, answers: [] });
    await expect(bad.run()).rejects.toThrow(UsageError);
    const t = setup('mixpanel:events-top', { params: { type: ['unique'], limit: ['3'] }, answers: [json({ events: [{ amount: 2, event: 'a', percent_change: 0.5 }], type: 'unique' })] });
    expect(await t.run()).toEqual([{ event: 'a', amount: 2, percent_change: 0.5 }]);
    const q = parseForm(new URL(t.seen[0]!.url).search.slice(1));
    expect([q.get('limit'), q.get('type'), q.has('interval')]).toEqual(['3', 'unique', false]);
  });

  it('funnel-dates takes no interval; the dates returned are kept inside --from..--to (whole weeks)', async () => {
    const t = setup('mixpanel:funnel-dates', {
      params: { funnel: ['f'], unit: ['week'] },
      answers: [json({ f: ['2026-05-04', '2026-05-11', '2026-05-18'] })],
    });
    expect(await t.run()).toEqual([{ funnel: 'f', date: '2026-05-18' }]);
    expect(parseForm(new URL(t.seen[0]!.url).search.slice(1)).get('funnel')).toBe('["f"]');
  });
});

describe('Mixpanel hosts', () => {
  it('one base URL names the region; the export goes to its data host', () => {
    expect([queryBase('https://mixpanel.com'), exportBase('https://mixpanel.com')]).toEqual(['https://mixpanel.com', 'https://data.mixpanel.com']);
    expect([queryBase('https://data-eu.mixpanel.com'), exportBase('https://eu.mixpanel.com/')]).toEqual(['https://eu.mixpanel.com', 'https://data-eu.mixpanel.com']);
    expect(exportBase('https://in.mixpanel.com')).toBe('https://data-in.mixpanel.com');
    expect([queryBase('http://127.0.0.1:8787/mixpanel'), exportBase('http://127.0.0.1:8787/mixpanel/')]).toEqual(['http://127.0.0.1:8787/mixpanel', 'http://127.0.0.1:8787/mixpanel']);
  });
});

describe('mixpanel:export', () => {
  const SA = { username: 'sa.user', secret: 'sa-secret-0123456789', projectId: '42' };
  const ev = (event: string, day: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ event, properties: { time: Date.parse(`${day}T10:00:00Z`) / 1000, distinct_id: 'u1', $insert_id: `${event}-${day}`, ...extra } });

  it('one Basic-authenticated request per day to the data host, rows in date order, secrets masked', async () => {
    const t = setup('mixpanel:export', {
      credentials: SA,
      params: { event: ['Signed Up', 'Café ☕'], where: ['properties["plan"] == "pro"'], days_per_request: ['2'] },
      from: '2026-05-17',
      answers: [(req) => text(`${ev('Signed Up', new URL(req.url).searchParams.get('from_date')!)}\n`), (req) => text(ev('Café ☕', new URL(req.url).searchParams.get('to_date')!))],
    });
    const rows = await t.run();
    expect(rows.map((r) => [r.event, r.insert_id])).toEqual([
      ['Signed Up', 'Signed Up-2026-05-17'],
      ['Café ☕', 'Café ☕-2026-05-20'],
    ]);
    expect(t.seen.map((r) => new URL(r.url).search)).toEqual([
      `?from_date=2026-05-17&to_date=2026-05-18&project_id=42&event=%5B%22Signed+Up%22%2C%22Caf%C3%A9+%E2%98%95%22%5D&where=properties%5B%22plan%22%5D+%3D%3D+%22pro%22`,
      `?from_date=2026-05-19&to_date=2026-05-20&project_id=42&event=%5B%22Signed+Up%22%2C%22Caf%C3%A9+%E2%98%95%22%5D&where=properties%5B%22plan%22%5D+%3D%3D+%22pro%22`,
    ]);
    expect(new URL(t.seen[0]!.url).host).toBe('data.mixpanel.com');
    expect(t.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('sa.user:sa-secret-0123456789').toString('base64')}`);
    const logged = t.logs.join('\n');
    expect(logged).toContain('2026-05-17');
    expect(logged).not.toContain(SA.secret);
  });

  it('the project secret is Basic "secret:"; a range reaching past today stops at today', async () => {
    const t = setup('mixpanel:export', { credentials: { apiSecret: SECRET }, from: '2026-05-20', to: '2026-05-25', answers: [text('')] });
    expect(await t.run()).toEqual([]);
    expect(t.seen).toHaveLength(1);
    expect(t.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`);
    expect(new URL(t.seen[0]!.url).searchParams.has('project_id')).toBe(false);
  });

  it('missing or half credentials are a usage error naming what to set, before any request', async () => {
    for (const [credentials, message] of [
      [{}, /no credentials for mixpanel:export: set MIXPANEL_SERVICE_ACCOUNT_USERNAME/],
      [{ username: 'u', secret: 's' }, /set MIXPANEL_PROJECT_ID \(or profile keys/],
      [{ secret: 's', projectId: '1' }, /set MIXPANEL_SERVICE_ACCOUNT_USERNAME \(/],
    ] as const) {
      const t = setup('mixpanel:export', { credentials, answers: [] });
      await expect(t.run()).rejects.toThrow(message);
      expect(t.seen).toHaveLength(0);
    }
  });

  it('a 429 asking for a short wait is waited out; one asking for the hour ends the run (exit 4)', async () => {
    const limited = (after: string) => text('{"error":"Query rate limit exceeded","request":"/api/2.0/export"}', 429, { 'retry-after': after });
    const t = setup('mixpanel:export', { credentials: SA, from: '2026-05-20', answers: [limited('2'), text(ev('a', '2026-05-20'))] });
    expect(await t.run()).toHaveLength(1);
    expect(t.sleeps).toEqual([2000]);
    const u = setup('mixpanel:export', { credentials: SA, from: '2026-05-20', answers: [limited('3500')] });
    await expect(u.run()).rejects.toThrow(new RejectedError('rate limited (429): the server asks to wait 3500s: "Query rate limit exceeded"'));
  });

  it('a cut body is fetched again; events outside the days asked for stop the run (exit 6)', async () => {
    const whole = `${ev('a', '2026-05-20')}\n${ev('b', '2026-05-20')}\n`;
    const t = setup('mixpanel:export', { credentials: SA, from: '2026-05-20', answers: [text(whole.slice(0, -10)), text(whole)] });
    expect((await t.run()).map((r) => r.event)).toEqual(['a', 'b']);
    const u = setup('mixpanel:export', { credentials: SA, from: '2026-05-20', answers: [text(ev('a', '2026-05-10'))] });
    const e = await u.run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntegrityError);
    expect((e as Error).message).toBe(
      "export 2026-05-20, line 1: event at 2026-05-10T10:00:00.000Z is outside the days asked for (2026-05-20..2026-05-20, ±1 day for the project's time zone): the server did not honour from_date/to_date; stopped",
    );
  });

  it('quotes a plain-text error body too', async () => {
    const t = setup('mixpanel:export', { credentials: SA, from: '2026-05-20', answers: [text('to_date cannot be later than today', 400)] });
    await expect(t.run()).rejects.toThrow(new RejectedError('request rejected (400): "to_date cannot be later than today"'));
  });
});
