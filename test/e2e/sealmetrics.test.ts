import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { truthMicroconversions } from '../../src/sandbox/sealmetrics/truth.js';
import { SANDBOX_ACCOUNTS } from '../../src/sandbox/sealmetrics/vocab.js';
import { MICROCONVERSIONS_COLUMNS } from '../../src/providers/sealmetrics/schema.js';
import type { Row } from '../../src/core/columns.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { NOW, parseNdjson, runCli, startSandbox, tempDir, type Sandbox } from './harness.js';

// The real CLI against a spawned sandbox's /sealmetrics. Expected rows come from the sandbox's
// own generator (truthMicroconversions), in the order the exporter promises: by day, then _id.

const DATASET = 'sealmetrics:microconversions';
const PASSWORD = 'sandbox-password';
const NAMES = MICROCONVERSIONS_COLUMNS.map((c) => c.name);

function expected(from: string, to: string, o: { account?: string; country?: string } = {}): Row[] {
  const rows = truthMicroconversions({ seed: 1, scale: 1, account: o.account ?? SANDBOX_ACCOUNTS.demo, from, to, country: o.country, now: NOW, dataStart: '2025-01-01' });
  return rows
    // The API leaves utm_term out of many rows (the docs' sample too): the row says null.
    .map((r): Row => ({ ...r, utm_term: r.utm_term ?? null, utm_matchtype: r.utm_matchtype ?? null }))
    .sort((a, b) => ((a.date as string) + (a._id as string) < (b.date as string) + (b._id as string) ? -1 : 1));
}

describe('sealmetrics:microconversions against the sandbox', () => {
  let sb: Sandbox;
  let slow: Sandbox;
  let limited: Sandbox;
  const dir = tempDir();
  const env = (over: Record<string, string | undefined> = {}, base = sb) => ({
    SEALMETRICS_BASE_URL: `${base.url}/sealmetrics`,
    SEALMETRICS_EMAIL: 'demo@sealmetrics.test',
    SEALMETRICS_PASSWORD: PASSWORD,
    ...over,
  });
  const stats = async (s: Sandbox) => (await (await fetch(`${s.url}/_sandbox/stats`)).json()) as { requests: number; byStatus: Record<string, number> };
  const requests = async (s: Sandbox) => (await stats(s)).requests;
  const unauthenticated = async (s: Sandbox) => (await stats(s)).byStatus['401'] ?? 0;
  const logins = (stderr: string) => stderr.split('\n').filter((l) => /POST \S+\/api\/auth\/login 200/.test(l)).length;

  beforeAll(async () => {
    // Real rate limits would throttle the demo login to 60 requests a minute: off for most tests.
    [sb, slow, limited] = await Promise.all([startSandbox(['--rate-limits', 'off']), startSandbox(['--rate-limits', 'off', '--latency', '60']), startSandbox()]);
  });
  afterAll(async () => {
    await Promise.all([sb.stop(), slow.stop(), limited.stop()]);
    dir.cleanup();
  });

  it('exports exactly the rows the sandbox holds, repaired across unstable page edges, the same bytes twice', async () => {
    const args = ['export', DATASET, '--from', '2026-05-08', '--to', '2026-05-20', '--verbose'];
    const first = await runCli(args, { env: env() });
    expect(first.stderr).toContain('no SEALMETRICS_ACCOUNT_ID: using demo@sealmetrics.test\'s only account, 000000000000000000001234 (Demo Account)');
    expect(first.code).toBe(0);
    const rows = parseNdjson(first.stdout);
    expect(rows).toEqual(expected('2026-05-08', '2026-05-20'));
    expect(rows.length).toBeGreaterThan(2500);
    // per-query tie order (the default) moved rows across edges on some day, and it was repaired
    expect(first.stderr).toMatch(/the API's order moved rows across page edges; \d reads to collect all/);
    expect(first.stderr).toMatch(/date_range=20260508,20260508&skip=0&limit=100 200/);
    const again = await runCli(args.slice(0, -1), { env: env({ SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.demo }) });
    expect(again.code).toBe(0);
    expect(again.stdout.equals(first.stdout)).toBe(true);
  });

  it('writes CSV and typed Parquet with the same rows', async () => {
    const want = expected('2026-05-01', '2026-05-03');
    const csv = join(dir.path, 'mc.csv');
    const pq = join(dir.path, 'mc.parquet');
    for (const out of [csv, pq]) {
      const res = await runCli(['export', DATASET, '--from', '2026-05-01', '--to', '2026-05-03', '-o', out], { env: env() });
      expect([res.code, res.stderr]).toEqual([0, expect.stringContaining(`rows of ${DATASET} 2026-05-01..2026-05-03`)]);
    }
    const [header, ...records] = parseCsvWithPython(readFileSync(csv, 'utf8'));
    expect(header).toEqual(NAMES);
    expect(records).toEqual(want.map((r) => NAMES.map((n) => (r[n] === null ? '' : String(r[n])))));

    const types = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(pq)})`);
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual(MICROCONVERSIONS_COLUMNS.map((c) => [c.name, c.type === 'date' ? 'DATE' : 'VARCHAR']));
    const back = await duckdb(`SELECT * FROM read_parquet(${sqlString(pq)})`);
    expect(back).toEqual(want);
  });

  it('--param country filters on the server; a malformed one is refused before any request', async () => {
    const res = await runCli(['export', DATASET, '--from', '2026-05-01', '--to', '2026-05-02', '--param', 'country=ES', '--verbose'], { env: env() });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('&country=es ');
    expect(parseNdjson(res.stdout)).toEqual(expected('2026-05-01', '2026-05-02', { country: 'es' }));

    const before = await requests(sb);
    const bad = await runCli(['export', DATASET, '--from', '2026-05-01', '--param', 'country=e1'], { env: env() });
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'mbuzz: --param country="e1" must be a two-letter ISO 3166-1 code such as es or US']);
    expect(await requests(sb)).toBe(before);
  });

  it('missing credentials are a usage error and send nothing', async () => {
    const before = await requests(sb);
    for (const missing of ['SEALMETRICS_EMAIL', 'SEALMETRICS_PASSWORD']) {
      const res = await runCli(['export', DATASET, '--from', '2026-05-01'], { env: env({ [missing]: undefined }) });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`no Sealmetrics (login email|password) for ${DATASET}: set ${missing}`));
    }
    const http = await runCli(['export', DATASET, '--from', '2026-05-01'], { env: env({ SEALMETRICS_BASE_URL: 'http://mbuzz.invalid/sealmetrics' }) });
    expect([http.code, http.stderr]).toEqual([2, expect.stringContaining('refusing plain http:// to mbuzz.invalid')]);
    expect(await requests(sb)).toBe(before);
  });

  it('account discovery: several or no accounts is a usage error that lists them', async () => {
    const agency = await runCli(['export', DATASET, '--from', '2026-05-01'], { env: env({ SEALMETRICS_EMAIL: 'agency@sealmetrics.test' }) });
    expect(agency.code).toBe(2);
    expect(agency.stderr.trim()).toBe(
      'mbuzz: the Sealmetrics login agency@sealmetrics.test has 2 accounts: 000000000000000000001234 (Demo Account), 000000000000000000005678 (Tienda Ñandú, S.L.); pick one with SEALMETRICS_ACCOUNT_ID or a profile\'s account_id',
    );
    const nobody = await runCli(['export', DATASET, '--from', '2026-05-01'], { env: env({ SEALMETRICS_EMAIL: 'nobody@sealmetrics.test' }) });
    expect([nobody.code, nobody.stderr.trim()]).toEqual([2, 'mbuzz: the Sealmetrics login nobody@sealmetrics.test has no accounts (GET /api/auth/accounts is empty)']);
    const chosen = await runCli(['export', DATASET, '--from', '2026-05-01', '--to', '2026-05-01'], {
      env: env({ SEALMETRICS_EMAIL: 'agency@sealmetrics.test', SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.second }),
    });
    expect(chosen.code).toBe(0);
    expect(parseNdjson(chosen.stdout)).toEqual(expected('2026-05-01', '2026-05-01', { account: SANDBOX_ACCOUNTS.second }));
  });

  it('a wrong password is exit 3 quoting the server, and the password never shows', async () => {
    const res = await runCli(['export', DATASET, '--from', '2026-05-01', '--verbose'], { env: env({ SEALMETRICS_PASSWORD: 'wrong-password-123' }) });
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n').at(-1)).toBe('mbuzz: Sealmetrics login as demo@sealmetrics.test: authentication failed (401): "Invalid credentials"');
    expect(res.stderr).not.toContain('wrong-password-123');
  });

  it('an account the login may not read is exit 3 quoting the 403', async () => {
    const res = await runCli(['export', DATASET, '--from', '2026-05-01'], { env: env({ SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.second }) });
    expect([res.code, res.stderr.trim()]).toEqual([3, 'mbuzz: authentication failed (403): "You don\'t have access to this account"']);
  });

  it('a server that ignores skip ends with exit 6, not a loop', async () => {
    const before = await requests(sb);
    const res = await runCli(['export', DATASET, '--from', '2026-05-01', '--to', '2026-05-01', '--concurrency', '1'], { env: env({ SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.ignoresSkip }) });
    expect(res.code).toBe(6);
    expect(res.stderr.trim()).toBe(
      `mbuzz: ${DATASET} 2026-05-01: skip=100 returned the same 100 rows as skip=0: the server is ignoring skip; stopped instead of looping`,
    );
    expect((await requests(sb)) - before).toBe(3); // login, page 1, page 2
  });

  it('re-logs in when a token that worked stops working (401), and masks every token', async () => {
    const before = await unauthenticated(sb);
    const res = await runCli(['export', DATASET, '--from', '2026-05-10', '--to', '2026-05-14', '--concurrency', '1', '--verbose'], {
      env: env({ SEALMETRICS_EMAIL: 'forgetful@sealmetrics.test', SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.demo }),
    });
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout)).toEqual(expected('2026-05-10', '2026-05-14'));
    // tokens die after 5 requests: each death is a 401 answered by a new login, or by the token
    // another window's login already brought (two windows are open at --concurrency 1)
    const deaths = (await unauthenticated(sb)) - before;
    expect(deaths).toBeGreaterThanOrEqual(2);
    expect(logins(res.stderr)).toBeGreaterThanOrEqual(3);
    expect(logins(res.stderr)).toBeLessThanOrEqual(deaths + 1);
    expect(res.stderr).not.toMatch(/eyJ0eXAi/);
    expect(res.stderr).not.toContain(PASSWORD);
  });

  it('re-logs in before expires_at: a 2-second token is renewed without a single 401', async () => {
    const before = await unauthenticated(slow);
    const res = await runCli(['export', DATASET, '--from', '2026-05-06', '--to', '2026-05-20', '--concurrency', '1', '--verbose'], {
      env: env({ SEALMETRICS_EMAIL: 'short-lived@sealmetrics.test', SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.demo }, slow),
    });
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout)).toEqual(expected('2026-05-06', '2026-05-20'));
    expect(logins(res.stderr)).toBeGreaterThanOrEqual(2);
    expect((await unauthenticated(slow)) - before).toBe(0);
  });

  it('under real rate limits, waits out 429 Too Many Attempts (Retry-After) and finishes', async () => {
    const res = await runCli(['export', DATASET, '--from', '2026-05-01', '--to', '2026-05-02', '--verbose'], {
      env: env({ SEALMETRICS_EMAIL: 'throttled@sealmetrics.test', SEALMETRICS_ACCOUNT_ID: SANDBOX_ACCOUNTS.demo }, limited),
    });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('rate limited (429): "Too Many Attempts."; retrying in 1000ms');
    expect(parseNdjson(res.stdout)).toEqual(expected('2026-05-01', '2026-05-02'));
  });

  it('mbuzz datasets documents the parameter and how dates map', async () => {
    const res = await runCli(['datasets', '--json']);
    const ds = (JSON.parse(res.stdout.toString()) as Array<Record<string, unknown>>).find((d) => d.name === DATASET)!;
    expect(ds.credentials).toEqual(['SEALMETRICS_EMAIL', 'SEALMETRICS_PASSWORD', 'SEALMETRICS_ACCOUNT_ID']);
    expect(ds.params).toEqual([expect.objectContaining({ name: 'country', required: false })]);
    expect(ds.notes).toMatch(/date_range=YYYYMMDD,YYYYMMDD/);
  });
});
