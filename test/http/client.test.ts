import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/http/transport.js';
import { AuthError, RejectedError, ServerError } from '../../src/core/errors.js';

type Step = HttpResponse | Error;
const ok: HttpResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[],"meta":{}}' };
const status = (s: number, body = '{"error":"nope"}', headers: Record<string, string> = {}): HttpResponse => ({ status: s, headers, body });
const netError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

function setup(steps: Step[], secrets: string[] = []) {
  const seen: HttpRequest[] = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const fetch: Transport = async (req) => {
    seen.push(req);
    const step = steps.shift();
    if (!step) throw new Error('no more steps');
    if (step instanceof Error) throw step;
    return step;
  };
  const client = new HttpClient({
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    now: () => new Date('2026-05-20T00:00:00Z'),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets,
    log: (l) => logs.push(l),
  });
  const get = (url = 'https://api.test/x') => client.json({ method: 'GET', url, headers: {} });
  return { client, seen, sleeps, logs, get };
}

describe('HttpClient', () => {
  it('retries 500/502/503/504, resets and cut JSON, then succeeds', async () => {
    const t = setup([status(500), status(502, '<html>bad gateway</html>'), status(503), status(504), netError('ECONNRESET'), { ...ok, body: '{"data":[' }, ok]);
    t.client['policy'].retries = 10;
    const res = await t.get();
    expect(res.json).toEqual({ data: [], meta: {} });
    expect(t.seen).toHaveLength(7);
    expect(t.client.stats).toMatchObject({ requests: 7, retries: 6 });
    // exponential: each wait at least half the doubled ceiling
    expect(t.sleeps.slice(0, 4)).toEqual([188, 375, 750, 1500]);
  });

  it('honours Retry-After on 429', async () => {
    const t = setup([status(429, '{"error":"Rate limit exceeded"}', { 'retry-after': '3' }), ok]);
    await t.get();
    expect(t.sleeps).toEqual([3000]);
  });

  it('never retries 401/403 and quotes the server', async () => {
    const t = setup([status(401, '{"error":"Invalid or expired API key"}')]);
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe('authentication failed (401): "Invalid or expired API key"');
    expect(t.seen).toHaveLength(1);
  });

  it('never retries 400 and quotes the server', async () => {
    const t = setup([status(400, '{"error":"Invalid date format. Use YYYY-MM-DD."}')]);
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect(err.message).toBe('request rejected (400): "Invalid date format. Use YYYY-MM-DD."');
    expect(t.seen).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    const t = setup([status(302, '', { location: 'https://evil.invalid/x' })]);
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect(err.message).toMatch(/redirected \(302\) to https:\/\/evil\.invalid\/x; not followed/);
  });

  it('gives up with a server error after the retries, masking secrets', async () => {
    const secret = 'sk_live_fedcba9876543210fedcba9876543210';
    const t = setup(Array.from({ length: 6 }, () => status(503)), [secret]);
    const err = await t.get(`https://api.test/x?api_key=${secret}`).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toMatch(/server error 503: "nope" \(gave up after 6 attempts/);
    expect(err.message).not.toContain(secret);
    expect(err.message).toContain('sk_live_…3210');
    expect(t.logs.join('\n')).not.toContain(secret);
  });

  it('fails at once on an unresolvable host', async () => {
    const t = setup([netError('ENOTFOUND')]);
    const err = await t.get('https://mbuzz.invalid/x').catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toMatch(/cannot resolve host/);
    expect(t.seen).toHaveLength(1);
  });
});
