import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/server.js';
import { SANDBOX_KEYS } from '../../src/sandbox/keys.js';
import { truthCount, truthRows, type TruthQuery } from '../../src/sandbox/truth.js';
import { CHANNELS } from '../../src/providers/mbuzz/channels.js';
import type { FaultKind } from '../../src/sandbox/faults.js';

// The sandbox in-process on port 0, spoken to over real sockets on 127.0.0.1.
const NOW = '2025-03-15T12:00:00Z';
const DATA_START = '2025-01-01';
const TRUTH: Omit<TruthQuery, 'from' | 'to'> = { seed: 1, scale: 1, environment: 'test', now: NOW, dataStart: DATA_START };

interface Envelope {
  data: Record<string, unknown>[];
  meta: { total_count: number; page: number; per_page: number; total_pages: number };
}

let stable: SandboxHandle;
let perQuery: SandboxHandle;

beforeAll(async () => {
  stable = await startSandbox({ port: 0, now: new Date(NOW), dataStart: DATA_START, tieOrder: 'stable' });
  perQuery = await startSandbox({ port: 0, now: new Date(NOW), dataStart: DATA_START });
});
afterAll(async () => {
  await stable.close();
  await perQuery.close();
});

async function get(base: SandboxHandle, path: string, key: string | null = SANDBOX_KEYS.test, headers: Record<string, string> = {}) {
  const res = await fetch(`${base.url}${path}`, { headers: { 'accept-encoding': 'identity', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Envelope };
}

/** Raw bytes over node:http, to see what compression really went over the wire. */
function raw(base: SandboxHandle, path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const canon = (rows: Iterable<unknown>) => [...rows].map((r) => JSON.stringify(r)).sort();

async function walk(base: SandboxHandle, path: string, key: string = SANDBOX_KEYS.test, perPage = 1000): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const body = (await get(base, `${path}&per_page=${perPage}&page=${page}`, key)).json();
    rows.push(...body.data);
    if (page >= body.meta.total_pages) return rows;
  }
}

describe('authentication', () => {
  const path = '/api/v1/data/conversions?per_page=1';
  const error = async (authorization: string | null) => {
    const res = await get(stable, path, null, authorization === null ? {} : { authorization });
    return [res.status, res.text];
  };

  it('runs the five checks in order, each a 401 with its message', async () => {
    expect(await error(null)).toEqual([401, '{"error":"Missing Authorization header"}']);
    expect(await error('   ')).toEqual([401, '{"error":"Missing Authorization header"}']);
    const malformed = '{"error":"Authorization header must be in format: Bearer sk_{env}_{key}"}';
    for (const h of ['Basic abc', SANDBOX_KEYS.test, 'Bearer sk_test_abc-def', `Bearer ${SANDBOX_KEYS.test} extra`, 'Bearer sk_prod_abc', 'Bearer']) {
      expect(await error(h)).toEqual([401, malformed]);
    }
    expect(await error('Bearer sk_test_ffffffffffffffffffffffffffffffff')).toEqual([401, '{"error":"Invalid or expired API key"}']);
    expect(await error(`Bearer ${SANDBOX_KEYS.revoked}`)).toEqual([401, '{"error":"API key has been revoked"}']);
    expect(await error(`Bearer ${SANDBOX_KEYS.suspended}`)).toEqual([401, '{"error":"Account suspended"}']);
    // Order: a format error beats an unknown key, a revoked key beats a suspended account, and
    // the key is looked up exactly (the case-insensitive format check does not fold its case).
    expect(await error('Bearer sk_test_nosuchkey-0')).toEqual([401, malformed]);
    expect(await error(`Bearer ${SANDBOX_KEYS.revokedSuspended}`)).toEqual([401, '{"error":"API key has been revoked"}']);
    expect(await error(`Bearer ${SANDBOX_KEYS.test.toUpperCase()}`)).toEqual([401, '{"error":"Invalid or expired API key"}']);
  });

  it('accepts any casing of bearer and extra spaces, and has no WWW-Authenticate', async () => {
    expect((await error(`bEaReR    ${SANDBOX_KEYS.test}  `))[0]).toBe(200);
    const res = await get(stable, path, null);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('authenticates before reading dates', async () => {
    const res = await get(stable, '/api/v1/data/conversions?start_date=banana&end_date=x', null);
    expect([res.status, res.text]).toEqual([401, '{"error":"Missing Authorization header"}']);
  });

  it('shows test and live keys disjoint data', async () => {
    const q = '/api/v1/data/funnel?start_date=2025-02-10&end_date=2025-02-10&per_page=1000';
    const test = (await get(stable, q, SANDBOX_KEYS.test)).json();
    const live = (await get(stable, q, SANDBOX_KEYS.live)).json();
    expect(live.meta.total_count).toBeGreaterThan(test.meta.total_count * 5);
    const ids = (b: Envelope) => new Set(b.data.map((r) => r.session_id).filter((x) => x !== null));
    const liveIds = ids(live);
    expect([...ids(test)].some((id) => liveIds.has(id))).toBe(false);
  });
});

describe('parameters over HTTP', () => {
  const meta = async (qs: string, dataset = 'conversions') => (await get(stable, `/api/v1/data/${dataset}?${qs}`)).json().meta;

  it('parses dates the lenient Ruby way and rejects the rest with 400 (500 past 128 characters)', async () => {
    const oneDay = truthCount('conversions', { ...TRUTH, from: '2025-02-10', to: '2025-02-10' });
    for (const [s, e] of [['2025-2-10', '20250210'], ['10/02/2025', 'Feb 10 2025'], ['2025-02-10T23:00:00+10:00', '2025-02-10 junk']]) {
      const m = await meta(`start_date=${encodeURIComponent(s as string)}&end_date=${encodeURIComponent(e as string)}`);
      expect(m.total_count).toBe(e === '2025-02-10 junk' ? truthCount('conversions', { ...TRUTH, from: '2025-02-10', to: '2025-03-15' }) : oneDay);
    }
    for (const bad of ['banana', '2025-02-30', '2025-13-01', '01/15/2025', 'today']) {
      const res = await get(stable, `/api/v1/data/spend?start_date=2025-02-01&end_date=${bad}`);
      expect([res.status, res.text]).toEqual([400, '{"error":"Invalid date format. Use YYYY-MM-DD."}']);
    }
    const long = await get(stable, `/api/v1/data/funnel?start_date=${'2'.repeat(129)}&end_date=2025-02-01`);
    expect([long.status, long.text]).toEqual([500, '{"error":"Internal server error"}']);
  });

  it('uses 30 days for a lone start or end date, and an empty result for start > end', async () => {
    expect((await meta('start_date=2025-02-01')).total_count).toBe((await meta('')).total_count);
    expect((await meta('start_date=2025-02-10&end_date=2025-02-01')).total_count).toBe(0);
  });

  it('clamps page and per_page the way the server does', async () => {
    expect(await meta('')).toMatchObject({ page: 1, per_page: 100 });
    expect(await meta('per_page=0&page=0')).toMatchObject({ page: 1, per_page: 1 });
    expect(await meta('per_page=-5&page=-3')).toMatchObject({ page: 1, per_page: 1 });
    expect(await meta('per_page=abc&page=abc')).toMatchObject({ page: 1, per_page: 1 });
    expect(await meta('per_page=5000&page=2.9')).toMatchObject({ page: 2, per_page: 1000 });
    const m = await meta('per_page=7');
    expect(m.total_pages).toBe(Math.ceil(m.total_count / 7));
  });

  it('filters channels: unknown and comma lists match nothing, the canonical 12 are no filter, a list drops NULL channels', async () => {
    const window = 'start_date=2025-02-10&end_date=2025-02-11';
    const all = await meta(window, 'funnel');
    expect((await meta(`${window}&channels[]=nope`, 'funnel')).total_count).toBe(0);
    expect((await meta(`${window}&channels[]=email,direct`, 'funnel')).total_count).toBe(0);
    expect((await meta(`${window}&${CHANNELS.map((c) => `channels[]=${c}`).join('&')}`, 'funnel')).total_count).toBe(all.total_count);
    const reordered = [...CHANNELS].reverse().map((c) => `channels[]=${c}`).join('&');
    const listed = await meta(`${window}&${reordered}`, 'funnel');
    expect(listed.total_count).toBeLessThan(all.total_count);
    expect(listed.total_count).toBe(truthCount('funnel', { ...TRUTH, from: '2025-02-10', to: '2025-02-11', channels: [...CHANNELS].reverse() }));
    expect((await meta(`${window}&channels=email`)).total_count).toBe((await meta(`${window}&channels[]=email`)).total_count);
  });

  it('uses funnel only on /funnel: any value drops visits, "all" filters nothing else', async () => {
    const window = 'start_date=2025-02-10&end_date=2025-02-10';
    const plain = await get(stable, `/api/v1/data/conversions?${window}&per_page=50`);
    const withFunnel = await get(stable, `/api/v1/data/conversions?${window}&per_page=50&funnel=sales`);
    expect(withFunnel.text).toBe(plain.text);
    const rows = await walk(stable, `/api/v1/data/funnel?${window}`);
    const visits = rows.filter((r) => r.type === 'visit').length;
    expect(visits).toBeGreaterThan(0);
    expect((await meta(`${window}&funnel=all`, 'funnel')).total_count).toBe(rows.length - visits);
    const sales = await walk(stable, `/api/v1/data/funnel?${window}&funnel=sales`);
    expect(sales.length).toBeGreaterThan(0);
    expect(sales.every((r) => r.funnel === 'sales' && r.type !== 'visit')).toBe(true);
  });
});

describe('envelope and rows', () => {
  it('writes data then meta, meta keys in order, fields in the contract order, Ruby floats', async () => {
    const res = await get(stable, '/api/v1/data/conversions?start_date=2025-02-10&end_date=2025-02-10&per_page=1000');
    expect(res.text.startsWith('{"data":[{"date":"2025-02-10","type":"conversion","name":')).toBe(true);
    expect(res.text).toMatch(/\],"meta":\{"total_count":\d+,"page":1,"per_page":1000,"total_pages":\d+\}\}$/);
    expect(res.text).toMatch(/"credit":1\.0,/);
    const first = res.json().data[0] as Record<string, unknown>;
    expect(Object.keys(first).slice(-4)).toEqual(['journey_position', 'touchpoint_index', 'journey_length', 'days_to_conversion']);
    const spend = await get(stable, '/api/v1/data/spend?start_date=2025-02-10&end_date=2025-02-10&per_page=3');
    expect(Object.keys(spend.json().data[0] as object)).toEqual([
      'spend_date', 'channel', 'platform', 'campaign_name', 'campaign_type', 'network_type', 'device', 'spend_hour', 'spend', 'currency',
      'impressions', 'clicks', 'platform_conversions', 'platform_conversion_value', 'metadata',
    ]);
  });

  it('answers an empty window with total_pages 0, and a page past the end with that page', async () => {
    const empty = await get(stable, '/api/v1/data/spend?start_date=2024-01-01&end_date=2024-01-31');
    expect([empty.status, empty.text]).toEqual([200, '{"data":[],"meta":{"total_count":0,"page":1,"per_page":100,"total_pages":0}}']);
    const past = await get(stable, '/api/v1/data/spend?date_range=7d&page=999');
    const body = past.json();
    expect(past.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.meta.page).toBe(999);
    expect(body.meta.total_count).toBeGreaterThan(0);
  });

  it('answers unknown paths and methods with a JSON 404', async () => {
    for (const path of ['/', '/api/v1/data/sessions', '/api/v2/data/conversions']) {
      const res = await get(stable, path);
      expect([res.status, res.text]).toEqual([404, '{"error":"Not found"}']);
    }
    const post = await fetch(`${stable.url}/api/v1/data/conversions`, { method: 'POST', headers: { authorization: `Bearer ${SANDBOX_KEYS.test}` } });
    expect(post.status).toBe(404);
  });

  it('gzips when Accept-Encoding allows it, and not when it refuses', async () => {
    const path = '/api/v1/data/conversions?date_range=7d&per_page=1000';
    const auth = { authorization: `Bearer ${SANDBOX_KEYS.test}` };
    const plain = await raw(stable, path, { ...auth });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await raw(stable, path, { ...auth, 'accept-encoding': 'br, gzip;q=0.8' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.body.length / 4);
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect((await raw(stable, path, { ...auth, 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding']).toBeUndefined();
  });
});

describe('paging against the ground truth', () => {
  const window = { from: '2025-03-09', to: '2025-03-15' };

  it.each(['conversions', 'funnel', 'spend'] as const)('walking every page of %s with stable ties gives truthRows exactly, in order', async (dataset) => {
    const rows = await walk(stable, `/api/v1/data/${dataset}?start_date=${window.from}&end_date=${window.to}`);
    const truth = [...truthRows(dataset, { ...TRUTH, ...window })];
    expect(truth.length).toBeGreaterThan(dataset === 'spend' ? 50 : 1000);
    expect(rows).toEqual(truth);
  });

  it('per-query ties: one query repeats byte for byte, one page holding a whole day is exact', async () => {
    const q = '/api/v1/data/conversions?start_date=2025-02-10&end_date=2025-02-10&per_page=1000';
    const a = await get(perQuery, q);
    expect((await get(perQuery, q)).text).toBe(a.text);
    expect(a.json().meta.total_pages).toBe(1);
    expect(canon(a.json().data)).toEqual(canon(truthRows('conversions', { ...TRUTH, from: '2025-02-10', to: '2025-02-10' })));
  });

  it('per-query ties: walking a day of several pages repeats and skips rows at page edges, as the server can', async () => {
    // Conversions tie on every credit row of a conversion; funnel only on an event and the
    // conversion made from it, so it needs more page edges to show.
    for (const [dataset, perPage] of [['conversions', 1000], ['funnel', 100]] as const) {
      const rows = await walk(perQuery, `/api/v1/data/${dataset}?start_date=2025-02-10&end_date=2025-02-10`, SANDBOX_KEYS.live, perPage);
      const truth = canon(truthRows(dataset, { ...TRUTH, environment: 'live', from: '2025-02-10', to: '2025-02-10' }));
      expect(truth.length).toBeGreaterThan(3000);
      expect(rows.length).toBe(truth.length);
      const got = canon(rows);
      expect(got).not.toEqual(truth);
      expect(new Set(got).size).toBeLessThan(got.length);
    }
  });

  it('random ties: the same query gives a different order each time', async () => {
    const random = await startSandbox({ port: 0, now: new Date(NOW), tieOrder: 'random' });
    try {
      const q = '/api/v1/data/conversions?start_date=2025-02-10&end_date=2025-02-10&per_page=1000';
      const [a, b] = [await get(random, q), await get(random, q)];
      expect(a.text).not.toBe(b.text);
      expect(canon(a.json().data)).toEqual(canon(b.json().data));
    } finally {
      await random.close();
    }
  });
});

describe('faults, latency and stats', () => {
  const path = '/api/v1/data/conversions?date_range=7d&per_page=1000';

  async function withFault<T>(kind: FaultKind, fn: (s: SandboxHandle) => Promise<T>): Promise<T> {
    const s = await startSandbox({ port: 0, now: new Date(NOW), faults: { [kind]: 1 }, faultSeed: 1 });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  it.each([
    ['500', 500, 'application/json; charset=utf-8', /^\{"error":"Internal server error"\}$/],
    ['502', 502, 'text/html', /502 Bad Gateway/],
    ['503', 503, 'text/html', /503 Service/],
    ['504', 504, 'text/html', /504 Gateway Time-out/],
    ['429', 429, 'application/json; charset=utf-8', /Rate limit exceeded/],
    ['429-no-retry-after', 429, 'application/json; charset=utf-8', /Rate limit exceeded/],
  ] as const)('%s answers %d', async (kind, status, type, body) => {
    await withFault(kind, async (s) => {
      const res = await get(s, path);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.text).toMatch(body);
      expect(res.headers.get('retry-after')).toBe(kind === '429' ? '1' : null);
      expect(s.stats().faults[kind]).toBe(1);
    });
  });

  it('reset sends headers and part of the body, then drops the connection', async () => {
    await withFault('reset', async (s) => {
      const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${SANDBOX_KEYS.test}`, 'accept-encoding': 'identity' } });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    });
  });

  it('truncate ends a chunked response cleanly halfway through the JSON', async () => {
    // The same seed, clock and tie mode as the fault server: the same bytes, until the cut.
    const whole = (await get(perQuery, path)).text;
    await withFault('truncate', async (s) => {
      const res = await raw(s, path, { authorization: `Bearer ${SANDBOX_KEYS.test}` });
      expect(res.status).toBe(200);
      expect(res.headers['transfer-encoding']).toBe('chunked');
      const text = res.body.toString();
      expect(text.length).toBeGreaterThan(0);
      expect(whole.startsWith(text)).toBe(true);
      expect(() => JSON.parse(text)).toThrow();
      const gz = await raw(s, path, { authorization: `Bearer ${SANDBOX_KEYS.test}`, 'accept-encoding': 'gzip' });
      expect(whole.startsWith(zlib.gunzipSync(gz.body).toString())).toBe(true);
    });
  });

  it('spreads faultRate over the kinds, never faults the stats endpoint, and counts everything', async () => {
    const s = await startSandbox({ port: 0, now: new Date(NOW), faultRate: 0.5, faultSeed: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        try {
          const res = await fetch(`${s.url}/api/v1/data/spend?per_page=5`, { headers: { authorization: `Bearer ${SANDBOX_KEYS.test}`, 'accept-encoding': 'identity' } });
          await res.text();
          statuses.push(res.status);
        } catch {
          statuses.push(-1);
        }
      }
      const stats = await (await fetch(`${s.url}/_sandbox/stats`)).json();
      expect(stats.requests).toBe(40);
      expect(Object.values(stats.faults as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThan(8);
      expect(Object.values(stats.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(40);
      expect(statuses.filter((x) => x !== 200).length).toBeGreaterThan(5);
      for (let i = 0; i < 10; i++) expect((await fetch(`${s.url}/_sandbox/stats`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('counts requests, statuses and rows', async () => {
    const s = await startSandbox({ port: 0, now: new Date(NOW) });
    try {
      await get(s, '/api/v1/data/spend?per_page=7');
      await get(s, '/api/v1/data/spend', null);
      expect(s.stats()).toEqual({ requests: 2, byStatus: { '200': 1, '401': 1 }, faults: {}, rows: 7 });
    } finally {
      await s.close();
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    await expect(startSandbox({ host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});

describe('huge windows', () => {
  // How fast and in how little memory is the benchmark's question (scripts/bench.mjs), not a test's.
  it('serves page 9000 of a 10M-row window', async () => {
    const s = await startSandbox({ port: 0, now: new Date(NOW), scale: 50, tieOrder: 'stable' });
    try {
      const res = await get(s, '/api/v1/data/conversions?start_date=2025-02-01&end_date=2025-03-02&per_page=1000&page=9000', SANDBOX_KEYS.live);
      const body = res.json();
      expect(body.meta.total_count).toBeGreaterThan(10_000_000);
      expect(body.data).toHaveLength(1000);
      const next = await get(s, '/api/v1/data/conversions?start_date=2025-02-01&end_date=2025-03-02&per_page=1000&page=9001', SANDBOX_KEYS.live);
      expect(next.json().data).toHaveLength(1000);
      // The rows are the window's, not page 1's: the deep page sits in late February.
      expect((body.data[0] as { date: string }).date >= '2025-02-20').toBe(true);
    } finally {
      await s.close();
    }
  });
});
