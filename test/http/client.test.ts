import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/http/transport.js';
import { AuthError, IntegrityError, MbuzzError, RejectedError, ServerError } from '../../src/core/errors.js';
import { DeadlineError } from '../../src/http/deadline.js';

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

  // Issue 9.13: whatever the server echoes back, the message holds no secret and no control character.
  const KEY = 'sk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
  const echo = (msg: string) => JSON.stringify({ error: `Authorization: Bearer ${msg} \u001b]0;x\u0007 \u001b[2J` });
  it.each([
    [400, RejectedError],
    [401, AuthError],
    [403, AuthError],
    [404, RejectedError],
    [422, RejectedError],
    [501, ServerError],
  ] as const)('a %i echoing the key: masked in the message, controls gone', async (code, kind) => {
    const t = setup([status(code, echo(KEY))], [KEY]);
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(kind);
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain('Bearer sk_live_…e8f9');
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('masks before it shortens a long quote, so no half key survives the cut', async () => {
    const padding = 'x'.repeat(290);
    const t = setup([status(400, JSON.stringify({ error: `${padding}${KEY}` }))], [KEY]);
    const err = await t.get().catch((e) => e);
    expect(err.message).not.toContain(KEY.slice(0, 12));
    expect(err.message).toContain('…');
  });

  it('an HTML title is quoted without its control characters', async () => {
    const t = setup([status(500, '<html><title>\u001b]0;owned\u0007Bad\u001b[31m gateway</title></html>', { 'content-type': 'text/html' })]);
    t.client['policy'].retries = 0;
    const err = await t.get().catch((e) => e);
    expect(err.message).toMatch(/^server error 500 \(an HTML page "\]0;owned Bad \[31m gateway", not the API's JSON\)/);
  });

  it('a token added at runtime is masked from then on', async () => {
    const t = setup([status(403, JSON.stringify({ error: 'token tok-runtime-0123456789 expired' }))]);
    t.client.addSecret('tok-runtime-0123456789');
    const err = await t.get().catch((e) => e);
    expect(err.message).toBe('authentication failed (403): "token …6789 expired"');
  });

  // Issue 9.12: a body nested deeper than anything downstream can walk is exit 6, not a crash.
  it('a JSON body nested 10,000 deep is an integrity error at once, not retried', async () => {
    // (JSON lines are checked per line where they are parsed: test/providers/mixpanel/jsonl.test.ts)
    const deep = '{"data":' + '['.repeat(10_000) + ']'.repeat(10_000) + ',"meta":{}}';
    const t = setup([{ ...ok, body: deep }, ok]);
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/^the response nests deeper than 512 levels, more than any real answer; refused \(200, 20019 bytes, GET https:\/\/api\.test\/x\)$/);
    expect(t.seen).toHaveLength(1);
  });

  // Issue 9.9: the transport's deadline is a retryable timeout with a message that says so.
  it('a whole-response deadline is retried, then named in the final error', async () => {
    const t = setup([new DeadlineError(1000, true, 5), new DeadlineError(1000, false, 0)]);
    t.client['policy'].retries = 1;
    const err = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toBe(
      'timed out: the whole response did not arrive within 1s (--timeout), the deadline for headers and body; not even the headers had arrived (gave up after 2 attempts: GET https://api.test/x)',
    );
    expect(t.seen).toHaveLength(2);
  });

  // Issue 13.1: what a proxy answers instead of opening the way.
  it.each([
    ['Proxy response (407) !== 200 when HTTP Tunneling', AuthError, 1],
    ['Proxy Authentication Required (407)', AuthError, 1],
    ['Proxy response (403) !== 200 when HTTP Tunneling', RejectedError, 1],
    ['Proxy response (502) !== 200 when HTTP Tunneling', ServerError, 2],
  ] as const)('%s -> %o after %i attempts', async (message, kind, attempts) => {
    const t = setup([new Error(message), new Error(message)]);
    t.client['policy'].retries = 1;
    const err: MbuzzError = await t.get().catch((e) => e);
    expect(err).toBeInstanceOf(kind);
    expect(t.seen).toHaveLength(attempts);
  });
});
