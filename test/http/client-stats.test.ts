import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import type { HttpResponse, Transport } from '../../src/http/transport.js';
import { DeadlineError } from '../../src/http/deadline.js';

// The counters the run report reads (--report): retries by what failed, rate-limit waits, bytes.
// Each failure below is one the client sees from a real server or socket (a status, an errno, a
// deadline, a body that is not JSON); the expected counts are the list itself.

type Step = HttpResponse | Error;
const ok: HttpResponse = { status: 200, headers: {}, body: '{"data":[],"meta":{}}' };
const status = (s: number, headers: Record<string, string> = {}): HttpResponse => ({ status: s, headers, body: '{"error":"x"}' });
const netError = (code: string, message = `socket ${code}`) => Object.assign(new Error(message), { code });

function client(steps: Step[], log?: (line: string, fields: Record<string, string | number>) => void) {
  const fetch: Transport = async () => {
    const step = steps.shift();
    if (!step) throw new Error('no more steps');
    if (step instanceof Error) throw step;
    return step;
  };
  return new HttpClient({
    fetch,
    sleep: async () => undefined,
    random: () => 0.5,
    now: () => new Date('2026-05-20T00:00:00Z'),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets: [],
    backoff: { retries: 20 },
    log,
  });
}

describe('HttpClient stats for the run report', () => {
  it('counts retries by cause: each status, resets, timeouts, cut bodies, refused connections, bodies not JSON', async () => {
    const c = client([
      status(429, { 'retry-after': '2' }),
      status(502),
      status(503),
      status(503),
      netError('ECONNRESET'),
      netError('UND_ERR_SOCKET', 'other side closed'),
      new DeadlineError(1000, true, 10),
      netError('UND_ERR_HEADERS_TIMEOUT'),
      netError('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'),
      netError('ECONNREFUSED'),
      { ...ok, body: '<html>a proxy page</html>' },
      ok,
    ]);
    await c.json({ method: 'GET', url: 'https://api.test/x', headers: {} });
    expect(c.stats.requests).toBe(12);
    expect(c.stats.retries).toBe(11);
    expect(c.stats.retriesBy).toEqual({ '429': 1, '502': 1, '503': 2, reset: 2, timeout: 2, truncated: 1, network: 1, 'bad-body': 1 });
    // only the 429 was a rate limit: its Retry-After is the wait
    expect(c.stats.rateLimitWaits).toEqual({ count: 1, ms: 2000 });
  });

  it('counts a 429 waited out by backoff (no Retry-After) and a provider\'s own pacing as rate-limit waits', async () => {
    const c = client([status(429), ok]);
    await c.json({ method: 'GET', url: 'https://api.test/x', headers: {} });
    c.rateLimitWait(1500.4);
    // backoff for the first retry: half of 250 ms fixed plus half at random 0.5 = 188 ms
    expect(c.stats.rateLimitWaits).toEqual({ count: 2, ms: 188 + 1500 });
  });

  it('counts the bytes of the bodies as they arrived (a gzip body\'s compressed size)', async () => {
    const c = client([{ status: 200, headers: { 'content-encoding': 'gzip' }, body: '{"data":[],"meta":{}}', bytes: 7 }, ok]);
    await c.json({ method: 'GET', url: 'https://api.test/x', headers: {} });
    expect(c.stats.bytes).toBe(7);
  });

  it('counts a body whose transport does not say its size in UTF-8', async () => {
    const body = '{"data":["é€😀"],"meta":{}}';
    const c = client([{ status: 200, headers: {}, body }]);
    await c.json({ method: 'GET', url: 'https://api.test/x', headers: {} });
    expect(c.stats.bytes).toBe(Buffer.from(body, 'utf8').length);
    expect(c.stats.bytes).toBeGreaterThan(body.length);
  });

  it('hands the verbose log each line with its fields (for --log-format json), secrets masked in both', async () => {
    const lines: Array<[string, Record<string, string | number>]> = [];
    const c = client([status(503), ok], (line, fields) => lines.push([line, fields]));
    c.addSecret('sk_live_0123456789abcdef');
    await c.json({ method: 'GET', url: 'https://api.test/x?key=sk_live_0123456789abcdef', headers: {}, countRows: () => 0 });
    expect(lines.map(([, f]) => f.event)).toEqual(['retry', 'request']);
    expect(lines[0]![1]).toMatchObject({ cause: '503', attempt: 2, method: 'GET' });
    expect(lines[1]![1]).toMatchObject({ status: 200, rows: 0, attempt: 2 });
    for (const [line, fields] of lines) expect(`${line} ${JSON.stringify(fields)}`).not.toContain('0123456789abcdef');
  });
});
