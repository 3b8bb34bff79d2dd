import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truthRows } from '../../src/sandbox/truth.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { createTable } from '../../src/schema/ddl.js';
import { pgSkipReason, PG_PASSWORD, startPostgres, type PgServer } from '../destinations/postgres/pg-server.js';
import { BIN, NOW, runCli, startSandbox, TEST_KEY, type Sandbox } from './harness.js';

// The real CLI, a real sandbox and a real PostgreSQL server: `mbuzz export ... -o postgresql://`.
// Expected rows come from the sandbox's generator (truthRows); what landed is read back with SQL.

type Row = Record<string, unknown>;
const truth = (from: string, to: string, channels?: string[]) => [...truthRows('conversions', { seed: 1, scale: 1, environment: 'test', from, to, now: NOW, dataStart: '2025-01-01', channels })];
/** A row as the API sent it, every column present: how to_jsonb() renders a table row. */
const full = (r: Row) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, r[c.name] ?? null]));
/** jsonb orders object keys its own way: compare with keys sorted, at every depth. */
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Row)[k])])) : v;
const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(sorted(r))).sort();

describe.skipIf(pgSkipReason !== undefined)(`mbuzz export -o postgresql://${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
  let pg: PgServer;
  let sb: Sandbox;
  beforeAll(async () => {
    [pg, sb] = await Promise.all([startPostgres(), startSandbox()]);
  });
  afterAll(async () => {
    await Promise.all([pg?.stop(), sb?.stop()]);
  });
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const tableRows = async (table: string) => (await pg.query<{ r: Row }>(`SELECT to_jsonb(t) AS r FROM ${table} t`)).map((x) => x.r);
  const exportTo = (table: string, from: string, to: string, extra: string[] = [], url = pg.url({ table })) =>
    runCli(['export', 'conversions', '--from', from, '--to', to, '-o', url, ...extra], { env: env() });

  it('creates the table, loads exactly the sandbox rows, and a re-run replaces instead of duplicating', async () => {
    const first = await exportTo('conv', '2026-03-01', '2026-03-04');
    expect(first.stderr).toMatch(/^mbuzz: created table public\.conv for conversions$/m);
    expect(first.stderr).toMatch(/rows of conversions 2026-03-01\.\.2026-03-04 .* -> postgresql:\/\/mbuzz_test:\*\*\*\*@127\.0\.0\.1:\d+\/postgres\?table=conv /);
    expect(first.stderr).not.toContain(PG_PASSWORD);
    expect(first.code).toBe(0);
    const expected = canon(truth('2026-03-01', '2026-03-04').map(full));
    expect(canon(await tableRows('conv'))).toEqual(expected);

    const again = await exportTo('conv', '2026-03-01', '2026-03-04');
    expect(again.code).toBe(0);
    expect(canon(await tableRows('conv'))).toEqual(expected);
    expect(await pg.query('SELECT 1 FROM conv_mbuzz_loads')).toHaveLength(2);
  });

  it('loads integers the server spells 2.0 into INTEGER columns, and keeps a json column\'s digits (sandbox --broken big-numbers)', async () => {
    const big = await startSandbox(['--broken', 'big-numbers']);
    try {
      const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-02', '-o', pg.url({ table: 'bignum' })], { env: { MBUZZ_BASE_URL: big.url, MBUZZ_API_KEY: TEST_KEY } });
      expect(r.code, r.stderr).toBe(0);
      // the sandbox's values (only their spelling differs in this mode)
      const want = truth('2026-03-01', '2026-03-02').map((row) => `${row.date} ${row.touchpoint_index ?? 'null'}`).sort();
      const got = (await pg.query<{ d: string; t: number | null }>('SELECT date::text AS d, touchpoint_index AS t FROM bignum')).map((x) => `${x.d} ${x.t ?? 'null'}`).sort();
      expect(got).toEqual(want);
      const props = await pg.query<{ p: string }>("SELECT properties::text AS p FROM bignum WHERE properties::text LIKE '%12345678901234567890%' LIMIT 1");
      expect(props).toHaveLength(1);
    } finally {
      await big.stop();
    }
  });

  it('a later run of fewer days (a lookback) replaces only those days; a channel filter only its rows', async () => {
    await exportTo('partial', '2026-03-01', '2026-03-04');
    // marks that a replaced row loses and a kept row keeps
    await pg.query("UPDATE partial SET utm_source = 'sentinel' WHERE date IN ('2026-03-01', '2026-03-03')");
    const lookback = await exportTo('partial', '2026-03-03', '2026-03-04');
    expect(lookback.code).toBe(0);
    const marked = async () => (await pg.query<{ d: string; channel: string }>("SELECT DISTINCT date::text AS d, channel FROM partial WHERE utm_source = 'sentinel'")).map((r) => `${r.d} ${r.channel}`);
    expect(new Set((await marked()).map((m) => m.slice(0, 10)))).toEqual(new Set(['2026-03-01']));

    await pg.query("UPDATE partial SET utm_source = 'sentinel' WHERE date = '2026-03-02'");
    const filtered = await exportTo('partial', '2026-03-02', '2026-03-02', ['--channel', 'email']);
    expect(filtered.code).toBe(0);
    const left = await marked();
    expect(left.some((m) => m === '2026-03-02 email')).toBe(false);
    expect(left.some((m) => m.startsWith('2026-03-02 ') && !m.endsWith(' email'))).toBe(true);

    // whatever was replaced, the table holds the sandbox's rows once each (the marks aside)
    const unmark = (r: Row) => ({ ...r, utm_source: null });
    expect(canon((await tableRows('partial')).map(unmark))).toEqual(canon(truth('2026-03-01', '2026-03-04').map(full).map(unmark)));
    const [last] = await pg.query<{ days: string; filters: unknown }>('SELECT days::text, filters FROM partial_mbuzz_loads ORDER BY finished_at DESC LIMIT 1');
    expect(last).toEqual({ days: '{2026-03-02}', filters: { channel: ['email'] } });
  });

  const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

  it('refuses a table whose columns differ (exit 2, before any request)', async () => {
    await pg.query(createTable('mismatched', CONVERSIONS_COLUMNS.slice(0, -1), 'postgres'));
    const sent = await requests();
    const r = await exportTo('mismatched', '2026-03-01', '2026-03-01');
    expect(await requests()).toBe(sent);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mbuzz: table public.mismatched does not match conversions: missing column days_to_conversion (integer) (alter it, or load into another table with ?table=)');
  });

  it('refuses what does not apply to a table (exit 2, nothing sent)', async () => {
    const sent = await requests();
    const cases: [string[], RegExp][] = [
      [['--partition-by', 'date'], /--partition-by does not apply to a PostgreSQL target/],
      [['--max-rows', '5'], /--max-rows does not apply to a PostgreSQL target: it would replace whole days with part of their rows/],
      [['--resume'], /--resume does not apply/],
      [['--format', 'parquet'], /--format does not apply/],
    ];
    for (const [extra, pattern] of cases) {
      const r = await exportTo('conv', '2026-03-01', '2026-03-01', extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    const typo = await exportTo('conv', '2026-03-01', '2026-03-01', [], pg.url({ table: 'conv', sslmod: 'require' }));
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown parameter sslmod=/);
    expect(typo.stderr).not.toContain(encodeURIComponent(PG_PASSWORD));
    expect(await requests()).toBe(sent);
  });

  it('a wrong password is exit 2 on one line, the password never shown', async () => {
    const wrong = 'Another-Secret-Pw-123';
    const sent = await requests();
    const r = await exportTo('conv', '2026-03-01', '2026-03-01', [], pg.url({ table: 'conv' }, { password: wrong }));
    expect(await requests()).toBe(sent);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mbuzz: cannot use PostgreSQL postgresql:\/\/mbuzz_test:\*\*\*\*@.*password authentication failed/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(wrong);
  });

  it("a profile's postgres_password_env names the variable holding the password (never shown); unset, or wrong, is exit 2 before any request", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mbuzz-pg-profile-'));
    try {
      writeFileSync(join(cwd, '.mbuzzrc.yaml'), 'profile: warehouse\nprofiles:\n  warehouse:\n    postgres_password_env: WAREHOUSE_PW\n', { mode: 0o600 });
      const args = ['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', pg.url({ table: 'via_profile' }, { password: null })];
      const ok = await runCli(args, { cwd, env: { ...env(), WAREHOUSE_PW: PG_PASSWORD } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).not.toContain(PG_PASSWORD);
      expect(canon(await tableRows('via_profile'))).toEqual(canon(truth('2026-03-01', '2026-03-01').map(full)));

      const sent = await requests();
      const unset = await runCli(args, { cwd, env: env() });
      expect([unset.code, unset.stderr]).toEqual([2, `mbuzz: ${join(cwd, '.mbuzzrc.yaml')}: profiles.warehouse.postgres_password_env names WAREHOUSE_PW, which is not set\n`]);
      const wrong = await runCli(args, { cwd, env: { ...env(), WAREHOUSE_PW: 'Not-The-Password-42' } });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/password authentication failed .*\(password from the profile's postgres_password_env\)$/m);
      expect(wrong.stderr).not.toContain('Not-The-Password-42');
      expect(await requests()).toBe(sent);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('kill -9 in the middle of the COPY leaves the days as they were', async () => {
    await exportTo('survivor', '2026-03-01', '2026-03-03');
    const before = canon(await tableRows('survivor'));
    const slow = await startSandbox(['--latency', '300']);
    try {
      const child = spawn(process.execPath, [BIN, 'export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-03', '--concurrency', '1', '-o', pg.url({ table: 'survivor' })], {
        env: { PATH: process.env.PATH ?? '', HOME: pg.socketDir, MBUZZ_BASE_URL: slow.url, MBUZZ_API_KEY: TEST_KEY },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_c, signal) => res(signal)));
      // wait until the server has taken rows of this load (PostgreSQL 14+ reports COPY progress)
      let copied = 0;
      for (let i = 0; i < 300 && copied === 0; i++) {
        const [p] = await pg.query<{ n: string }>("SELECT tuples_processed::text AS n FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'mbuzz'");
        copied = Number(p?.n ?? 0);
        if (copied === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(copied).toBeGreaterThan(0);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      for (let i = 0; i < 100 && (await pg.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'mbuzz'")).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(canon(await tableRows('survivor'))).toEqual(before);
      expect(await pg.query('SELECT 1 FROM survivor_mbuzz_loads')).toHaveLength(1);
    } finally {
      await slow.stop();
    }
  });
});
