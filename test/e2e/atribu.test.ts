import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ATRIBU_SANDBOX_KEYS } from '../../src/sandbox/atribu/keys.js';
import { customerId } from '../../src/sandbox/atribu/people.js';
import { atribuCustomerRows, atribuJourneyEvents } from '../../src/sandbox/atribu/truth.js';
import { CUSTOMERS_COLUMNS, JOURNEY_COLUMNS } from '../../src/providers/atribu/schemas.js';
import { expectFile } from '../providers/atribu/formats.js';
import { BIN, NOW, parseNdjson, runCli, startSandbox, tempDir, type Sandbox, useSandbox } from './harness.js';

// The real CLI against a spawned sandbox. Expected rows come from the sandbox's own generator;
// CSV and Parquet are read back by Python's csv module and DuckDB.

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: '2025-01-01' };
const FROM = '2026-05-06';
const TO = '2026-05-12';
const customers = (goal: string, from = FROM, to = TO) => atribuCustomerRows({ ...TRUTH, from, to, goal });
const journey = (id: string) => atribuJourneyEvents({ ...TRUTH, customerId: id }).map((e, i) => ({ customer_profile_id: id, event_index: i, ...e }));
const LONG = Array.from({ length: 2500 }, (_, i) => customerId(1, i)).find((id) => atribuJourneyEvents({ ...TRUTH, customerId: id }).length > 100)!;

async function stats(sb: Sandbox): Promise<{ requests: number; byStatus: Record<string, number> }> {
  return (await fetch(`${sb.url}/_sandbox/stats`)).json() as Promise<{ requests: number; byStatus: Record<string, number> }>;
}

describe('atribu against the sandbox (--rate-limits off)', () => {
  const { sb, dir } = useSandbox(['--rate-limits', 'off']);
  const env = (key: string = ATRIBU_SANDBOX_KEYS.full) => ({ ATRIBU_BASE_URL: `${sb.url}/atribu`, ATRIBU_API_KEY: key });
  const exportTo = (args: string[], out: string, key?: string) => runCli(['export', ...args, '-o', out, '-q'], { env: env(key) });

  const FORMATS = ['ndjson', 'csv', 'parquet'] as const;
  /** One export per format, run side by side (each is a process of its own), each read back. */
  async function exportEach(name: string, args: string[], columns: Parameters<typeof expectFile>[2], expected: Record<string, unknown>[]) {
    const outs = FORMATS.map((format) => join(dir.path, `${name}.${format}`));
    const results = await Promise.all(outs.map((out) => exportTo([`atribu:${name}`, ...args], out)));
    for (const r of results) expect([r.code, r.stderr]).toEqual([0, '']);
    for (const [i, format] of FORMATS.entries()) await expectFile(outs[i]!, format, columns, expected);
  }

  it("customers -> ndjson, csv, parquet: exactly the sandbox's rows, in its order", async () => {
    await exportEach('customers', ['--from', FROM, '--to', TO, '--param', 'goal=payment_received', '--per-page', '50'], CUSTOMERS_COLUMNS, customers('payment_received'));
  });

  it("journey -> ndjson, csv, parquet: one customer's whole timeline over several pages", async () => {
    await exportEach('journey', ['--customer', LONG], JOURNEY_COLUMNS, journey(LONG));
  });

  it('journeys -> ndjson, csv, parquet: the journey of every customer in the window', async () => {
    const ids = [...new Set(customers('closed_won', '2026-05-09', TO).map((c) => c.customer_profile_id as string))];
    expect(ids.length).toBeGreaterThan(3);
    await exportEach('journeys', ['--from', '2026-05-09', '--to', TO, '--param', 'goal=closed_won'], JOURNEY_COLUMNS, ids.flatMap(journey));
  });

  it('prints the summary to stderr and never the key, even with --verbose', async () => {
    const r = await runCli(['export', 'atribu:customers', '--from', TO, '--to', TO, '--param', 'goal=lead_created', '-v'], { env: env() });
    expect(r.code).toBe(0);
    expect(parseNdjson(r.stdout)).toEqual(customers('lead_created', TO, TO));
    expect(r.stderr).toMatch(/^mbuzz: GET http:\/\/127\.0\.0\.1:\d+\/atribu\/api\/v1\/customers\?date_from=2026-05-12&date_to=2026-05-12&goal=lead_created&limit=100 200/m);
    expect(r.stderr).toMatch(/^mbuzz: \d+ rows of atribu:customers 2026-05-12/m);
    expect(r.stdout.toString() + r.stderr).not.toContain(ATRIBU_SANDBOX_KEYS.full.slice(9));
  });

  it('403 insufficient_scope: exit 3 with the server quoted on one line', async () => {
    const r = await runCli(['export', 'atribu:customers', '--param', 'goal=payment_received'], { env: env(ATRIBU_SANDBOX_KEYS.noCustomers) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mbuzz: authentication failed \(403\): "This API key lacks the customers:read scope required for customer data \(insufficient_scope, request req_[0-9a-f]+\)"\n$/);
    expect(r.stdout.length).toBe(0);
  });

  it('an unknown key: exit 3 quoting "Invalid API key"', async () => {
    const r = await runCli(['export', 'atribu:journey', '--customer', LONG], { env: env('atb_live_00000000000000000000000000000000') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/authentication failed \(401\): "Invalid API key \(unauthorized, request req_[0-9a-f]+\)"/);
  });

  it('usage errors exit 2 and send nothing: no key, no goal, a goal not in the docs, no --customer', async () => {
    const before = (await stats(sb)).requests;
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['atribu:customers', '--param', 'goal=closed_won'], { ATRIBU_BASE_URL: `${sb.url}/atribu` }, /no Atribu API key \(atb_live_\.\.\.\) for atribu:customers: set ATRIBU_API_KEY/],
      [['atribu:customers'], env(), /atribu:customers needs --param goal=<value>/],
      [['atribu:journeys', '--param', 'goal=refund'], env(), /goal="refund" must be one of payment_received, lead_created, appointment_booked, closed_won/],
      [['atribu:journey'], env(), /atribu:journey needs --customer ID/],
      [['atribu:customers', '--param', 'goal=closed_won', '--customer', 'x'], env(), /--customer does not apply to atribu:customers/],
    ];
    const results = await Promise.all(cases.map(([args, vars]) => runCli(['export', ...args], { env: vars })));
    for (const [i, [args, , message]] of cases.entries()) {
      expect([args.join(' '), results[i]!.code]).toEqual([args.join(' '), 2]);
      expect(results[i]!.stderr).toMatch(message);
    }
    expect((await stats(sb)).requests).toBe(before);
  });

  it('a cursor the server repeats: exit 6 with a clear message, after two requests', async () => {
    const before = (await stats(sb)).requests;
    const r = await runCli(['export', 'atribu:customers', '--from', FROM, '--to', TO, '--param', 'goal=payment_received', '--per-page', '10'], { env: env(ATRIBU_SANDBOX_KEYS.loop) });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^mbuzz: atribu customers: the server sent cursor "[^"]+" again after 2 pages, so it would serve pages already read; stopped instead of looping\n$/);
    expect((await stats(sb)).requests - before).toBe(2);
  });

  it('a journey that stops short of its total_count: exit 6', async () => {
    const r = await runCli(['export', 'atribu:journey', '--customer', LONG], { env: env(ATRIBU_SANDBOX_KEYS.loop) });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/received \d+ events, but the server says it holds \d+/);
  });
});

describe('atribu against the sandbox with the real limit (60 units/min, 3 per call)', () => {
  const { sb, dir } = useSandbox();
  const env = { ATRIBU_API_KEY: ATRIBU_SANDBOX_KEYS.full, ATRIBU_BASE_URL: '' };

  it('a small window goes through under the limit with no 429 along the way', async () => {
    const r = await runCli(['export', 'atribu:customers', '--from', FROM, '--to', TO, '--param', 'goal=payment_received', '--per-page', '40'], {
      env: { ...env, ATRIBU_BASE_URL: `${sb.url}/atribu` },
    });
    expect(r.code).toBe(0);
    const expected = customers('payment_received');
    expect(parseNdjson(r.stdout)).toEqual(expected);
    const s = await stats(sb);
    expect(s.requests).toBe(Math.ceil(expected.length / 40));
    expect(s.byStatus['429']).toBeUndefined();
  });

  it('with the budget spent it waits for the minute to turn instead of sending into a 429', async () => {
    // Spend the key down to one call's worth: the export's first call then leaves it at 0.
    for (let left = 60; left > 3; ) {
      const res = await fetch(`${sb.url}/atribu/api/v1/customers/unknown/journey`, { headers: { authorization: `Bearer ${ATRIBU_SANDBOX_KEYS.full}` } });
      expect(res.status).toBe(200);
      left = Number(res.headers.get('x-ratelimit-remaining'));
    }
    const before = (await stats(sb)).requests;
    const out = join(dir.path, 'paced.ndjson');
    const child = spawn(process.execPath, [BIN, 'export', 'atribu:customers', '--from', FROM, '--to', TO, '--param', 'goal=payment_received', '--per-page', '10', '-o', out], {
      env: { PATH: process.env.PATH ?? '', HOME: dir.path, ...env, ATRIBU_BASE_URL: `${sb.url}/atribu` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    for (let waited = 0; !stderr.includes('waiting') && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toMatch(/^mbuzz: atribu rate limit: 0 of 60 units left this minute; waiting (5\d|60|61)s$/m);
    // Half a second more: still exactly one request from the export, and no 429 anywhere.
    await new Promise((r) => setTimeout(r, 500));
    const s = await stats(sb);
    expect(s.requests - before).toBe(1);
    expect(s.byStatus['429']).toBeUndefined();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(out)).toBe(false);
  });
});
