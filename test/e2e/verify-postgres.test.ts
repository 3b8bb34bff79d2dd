import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachDay } from '../../src/core/dates.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { truthCount, truthRows } from '../../src/sandbox/truth.js';
import { pgSkipReason, PG_PASSWORD, startPostgres, type PgServer } from '../destinations/postgres/pg-server.js';
import { NOW, runCli, startSandbox, TEST_KEY, type Sandbox } from './harness.js';

// Issue 13 point 4 on a PostgreSQL table: `mbuzz verify postgresql://...?table=` counts each
// loaded scope (the whole day, and a --channel load's channel) per day with SQL, asks the API
// for the same, lists the days that differ, and --fix loads them again through the PostgreSQL
// destination. A past day "changes" as in verify.test.ts: the same sandbox with a later
// --data-start. Expectations from the sandbox's generator; the table read back with SQL.

type Row = Record<string, unknown>;
const LATER_START = '2026-04-04';
const DAYS = [...eachDay('2026-04-01', '2026-04-06')];
const count = (day: string, dataStart: string, channels?: string[]) => truthCount('conversions', { seed: 1, scale: 1, environment: 'test', from: day, to: day, now: NOW, dataStart, channels });
const full = (r: Row) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, r[c.name] ?? null]));
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Row)[k])])) : v;
const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(sorted(r))).sort();

describe.skipIf(pgSkipReason !== undefined)(`mbuzz verify postgresql://${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
  let pg: PgServer;
  let a: Sandbox;
  let b: Sandbox;
  beforeAll(async () => {
    [pg, a, b] = await Promise.all([startPostgres(), startSandbox(), startSandbox(['--data-start', LATER_START])]);
  });
  afterAll(async () => {
    await Promise.all([pg?.stop(), a?.stop(), b?.stop()]);
  });
  const env = (sb: Sandbox) => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const requests = async (sb: Sandbox) => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

  it('lists the days each loaded scope holds differently from the API, and --fix reloads just those', async () => {
    const url = pg.url({ table: 'conv' });
    const load = (sb: Sandbox, from: string, to: string, ...more: string[]) => runCli(['export', 'conversions', '--from', from, '--to', to, '-o', url, '-q', ...more], { env: env(sb) });
    expect((await load(a, '2026-04-01', '2026-04-06')).code).toBe(0);
    // a second scope: the email rows of two days, loaded on their own
    expect((await load(a, '2026-04-03', '2026-04-04', '--channel', 'email')).code).toBe(0);

    const same = await runCli(['verify', url], { env: env(a) });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain(PG_PASSWORD);

    const before = await requests(b);
    const drift = await runCli(['verify', url, '--json'], { env: env(b) });
    expect(drift.code, drift.stderr).toBe(6);
    expect(drift.stderr).not.toContain(PG_PASSWORD);
    const scopes = (JSON.parse(drift.stdout.toString()) as { exports: { export: { filters: Row }; days: { day: string; held: number; api: number }[] }[] }).exports;
    expect(scopes.map((s) => s.export.filters)).toEqual([{}, { channels: ['email'] }]);
    expect(scopes[0]!.days.map((d) => [d.day, d.held, d.api])).toEqual(DAYS.map((d) => [d, count(d, '2025-01-01'), count(d, LATER_START)]));
    expect(scopes[1]!.days.map((d) => [d.day, d.held, d.api])).toEqual(['2026-04-03', '2026-04-04'].map((d) => [d, count(d, '2025-01-01', ['email']), count(d, LATER_START, ['email'])]));
    // one request per day and scope
    expect((await requests(b)) - before).toBe(DAYS.length + 2);

    const fixed = await runCli(['verify', url, '--fix'], { env: env(b) });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).not.toContain(PG_PASSWORD);
    expect((await runCli(['verify', url], { env: env(b) })).code).toBe(0);

    const rows = (await pg.query<{ r: Row }>('SELECT to_jsonb(t) AS r FROM conv t')).map((x) => x.r);
    const truth = [...truthRows('conversions', { seed: 1, scale: 1, environment: 'test', from: DAYS[0]!, to: DAYS.at(-1)!, now: NOW, dataStart: LATER_START })].map(full);
    expect(canon(rows)).toEqual(canon(truth));
    // only the days that differed were loaded again: the whole-day scope's, then the email scope's
    const loads = await pg.query<{ days: string; filters: Row }>('SELECT days::text, filters FROM conv_mbuzz_loads ORDER BY finished_at');
    expect(loads.slice(2)).toEqual([
      { days: '{2026-04-01,2026-04-02,2026-04-03}', filters: {} },
      { days: '{2026-04-03}', filters: { channel: ['email'] } },
    ]);
  });

  it("reads days right whatever the role's DateStyle (SQL, DMY prints 03/04/2026)", async () => {
    const url = pg.url({ table: 'styled' });
    expect((await runCli(['export', 'conversions', '--from', '2026-04-01', '--to', '2026-04-03', '-o', url, '-q'], { env: env(a) })).code).toBe(0);
    await pg.query("ALTER ROLE CURRENT_USER SET DateStyle = 'SQL, DMY'");
    try {
      // (without ISO set on its sessions, verify read these days as 01/04/2026 ...)
      const same = await runCli(['verify', url, '--json'], { env: env(a) });
      expect(same.code, same.stderr).toBe(0);
      const days = (JSON.parse(same.stdout.toString()) as { exports: { days: { day: string; held: number }[] }[] }).exports[0]!.days;
      expect(days.map((d) => [d.day, d.held])).toEqual(['2026-04-01', '2026-04-02', '2026-04-03'].map((d) => [d, count(d, '2025-01-01')]));
    } finally {
      await pg.query('ALTER ROLE CURRENT_USER RESET DateStyle');
    }
  });

  it('a table without a load table is exit 2 before any request', async () => {
    await pg.query('CREATE TABLE bare (date date)');
    const sent = await requests(a);
    const r = await runCli(['verify', pg.url({ table: 'bare' })], { env: env(a) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mbuzz: public.bare_mbuzz_loads does not exist: nothing records which loads wrote public.bare\n');
    expect(await requests(a)).toBe(sent);
  });
});
