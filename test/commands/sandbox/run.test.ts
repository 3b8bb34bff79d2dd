import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runSandbox } from '../../../src/commands/sandbox/run.js';
import { parseSandboxFlags } from '../../../src/commands/sandbox/options.js';
import { main } from '../../../src/cli/main.js';
import { startSandbox } from '../../../src/sandbox/server.js';
import { SANDBOX_KEYS } from '../../../src/sandbox/keys.js';
import { UsageError } from '../../../src/core/errors.js';
import type { Env } from '../../../src/core/env.js';

function fakeEnv(now = new Date('2025-03-15T12:00:00Z')) {
  const controller = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  const stream = (sink: string[]) => {
    const s = new PassThrough();
    s.on('data', (d: Buffer) => sink.push(d.toString()));
    return s;
  };
  const env = {
    stdout: stream(out), stderr: stream(err), stdoutIsTTY: false, stderrIsTTY: false, vars: {}, cwd: '/', home: '/',
    now: () => now, sleep: async () => undefined, random: () => 0.5, fetch: (async () => { throw new Error('no network in tests'); }) as unknown as Env['fetch'],
    signal: controller.signal, close: async () => undefined,
  } as Env;
  const firstLine = async () => {
    for (let i = 0; i < 200 && !out.join('').includes('\n'); i++) await new Promise((r) => setTimeout(r, 10));
    return out.join('').split('\n')[0] as string;
  };
  return { env, out, err, abort: () => controller.abort(new Error('SIGINT')), firstLine };
}

describe('runSandbox', () => {
  it('prints the URL first on stdout, keys and an example on stderr, serves until aborted, then exits 0', async () => {
    const { env, out, err, abort, firstLine } = fakeEnv();
    const done = runSandbox(parseSandboxFlags({ port: '0' }), env);
    const url = await firstLine();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stderr = err.join('');
    for (const key of Object.values(SANDBOX_KEYS)) expect(stderr).toContain(key);
    expect(stderr).toContain(`MBUZZ_BASE_URL=${url} MBUZZ_API_KEY=sk_test_0123456789abcdef0123456789abcdef mbuzz export conversions --range 7d`);
    // The clock comes from env.now() when --now is absent: the data's last day is that day.
    const res = await fetch(`${url}/api/v1/data/conversions?date_range=7d&per_page=1000&page=1000000`, { headers: { authorization: `Bearer ${SANDBOX_KEYS.test}` } });
    const body = (await res.json()) as { meta: { total_count: number } };
    expect(res.status).toBe(200);
    expect(body.meta.total_count).toBeGreaterThan(0);
    abort();
    await expect(done).resolves.toBe(0);
    expect(out.join('')).toBe(`${url}\n`);
    await expect(fetch(`${url}/_sandbox/stats`)).rejects.toThrow();
  });

  it('runs through the CLI program (`mbuzz sandbox --port 0 --now ...`)', async () => {
    const { env, abort, firstLine } = fakeEnv();
    const done = main(['sandbox', '--port', '0', '--now', '2025-03-15T12:00:00Z', '--tie-order', 'stable'], env);
    const url = await firstLine();
    const res = await fetch(`${url}/api/v1/data/spend?start_date=2025-03-16&end_date=2025-03-20`, { headers: { authorization: `Bearer ${SANDBOX_KEYS.test}` } });
    expect(await res.text()).toBe('{"data":[],"meta":{"total_count":0,"page":1,"per_page":100,"total_pages":0}}');
    abort();
    await expect(done).resolves.toBe(0);
  });

  it('turns a bad flag into exit code 2 without starting anything', async () => {
    const { env, err } = fakeEnv();
    await expect(main(['sandbox', '--tie-order', 'nope'], env)).resolves.toBe(2);
    expect(err.join('')).toMatch(/^mbuzz: --tie-order must be one of/);
  });

  it('reports a port in use as a usage error', async () => {
    const other = await startSandbox({ port: 0 });
    try {
      const { env } = fakeEnv();
      await expect(runSandbox(parseSandboxFlags({ port: String(other.port) }), env)).rejects.toThrow(UsageError);
    } finally {
      await other.close();
    }
  });
});
