import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachDay } from '../../src/core/dates.js';
import { truthCount } from '../../src/sandbox/truth.js';
import { NOW, runCli, startSandbox, TEST_KEY, tempDir, type Sandbox } from './harness.js';

// Issue 13 point 4, through the real CLI: `mbuzz verify` against a directory of partitions, single
// files and (pg.test below) a PostgreSQL table. Past days "change" the faithful way: the same
// sandbox started with a later --data-start holds nothing before that day and exactly the same
// rows from it on, as a day whose conversions were all re-attributed away (and, read the other way
// round, days that gained rows). Every expected day and count comes from the sandbox's generator
// (truthCount), never from the code under test; the files a --fix leaves are compared byte for byte
// (sha256sum) with a fresh export's, so both sandboxes order ties stably.

const LATER_START = '2026-04-04';
const FROM = '2026-04-01';
const TO = '2026-04-06';
const DAYS = [...eachDay(FROM, TO)];
const count = (day: string, dataStart: string, channels?: string[]) => truthCount('conversions', { seed: 1, scale: 1, environment: 'test', from: day, to: day, now: NOW, dataStart, channels });
const truthA = (day: string) => count(day, '2025-01-01');
const truthB = (day: string) => count(day, LATER_START);
/** The days whose totals differ between the two sandboxes: what verify must list, and nothing else. */
const CHANGED = DAYS.filter((d) => truthA(d) !== truthB(d));

interface JsonDay {
  day: string;
  held: number;
  api: number;
  difference: number;
  open: boolean;
}
const jsonDays = (stdout: Buffer) => (JSON.parse(stdout.toString()) as { exports: { days: JsonDay[]; differ: string[] }[] }).exports;
/** The rows of verify's text table: [day, held, api now, difference]. */
const listed = (stdout: Buffer) =>
  stdout
    .toString()
    .split('\n')
    .filter((l) => /^ {2}\d{4}-\d{2}-\d{2} /.test(l))
    .map((l) => l.trim().split(/\s+/).slice(0, 4));
const sha = (path: string) => execFileSync('sha256sum', [path]).toString().split(' ')[0];
/** Every part file under a partition directory with its sha256, as sha256sum sees them. */
const parts = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((d) => d.startsWith('date='))
      .sort()
      .flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.startsWith('part-')).map((f) => [`${d}/${f}`, sha(join(dir, d, f))])),
  );

describe('mbuzz verify: days that changed since the export, listed and fixed', () => {
  let a: Sandbox;
  let b: Sandbox;
  const dir = tempDir();
  beforeAll(async () => {
    [a, b] = await Promise.all([startSandbox(['--tie-order', 'stable']), startSandbox(['--tie-order', 'stable', '--data-start', LATER_START])]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    dir.cleanup();
  });
  const env = (sb: Sandbox) => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const requests = async (sb: Sandbox) => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const exportTo = (sb: Sandbox, out: string, ...more: string[]) => runCli(['export', 'conversions', '--from', FROM, '--to', TO, '-o', out, '-q', ...more], { env: env(sb) });
  const verify = (sb: Sandbox, target: string, ...more: string[]) => runCli(['verify', target, ...more], { env: env(sb) });

  it('the setup changes some past days and not others (or this test proves nothing)', () => {
    expect(CHANGED.length).toBeGreaterThan(0);
    expect(CHANGED.length).toBeLessThan(DAYS.length);
  });

  it('partitions: exit 0 while the API agrees, one request per day; exit 6 listing exactly the changed days; --fix leaves what a fresh export writes', async () => {
    const out = join(dir.path, 'shrunk');
    expect((await exportTo(a, out, '--partition-by', 'date', '-f', 'ndjson')).code).toBe(0);

    const before = await requests(a);
    const same = await verify(a, out);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout.toString()).toBe(`conversions (no filters, ndjson) in ${out}: all ${DAYS.length} days match the API (${DAYS.reduce((n, d) => n + truthA(d), 0).toLocaleString('en-US')} rows)\n`);
    expect((await requests(a)) - before).toBe(DAYS.length);

    const drift = await verify(b, out);
    expect(drift.code, drift.stderr).toBe(6);
    expect(listed(drift.stdout)).toEqual(CHANGED.map((d) => [d, truthA(d), truthB(d), truthB(d) - truthA(d)].map((x) => x.toLocaleString('en-US'))));
    expect(drift.stderr.trimEnd().split('\n').at(-1)).toBe(`mbuzz: ${CHANGED.length} days of ${out} differ from what the API holds now (${CHANGED.join(', ')}): mbuzz verify --fix exports them again`);

    const fixed = await verify(b, out, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain(`fixed: exported ${CHANGED[0]}..${CHANGED.at(-1)} of conversions again into ${out}`);
    const again = await verify(b, out);
    expect(again.code, again.stdout.toString()).toBe(0);

    const fresh = join(dir.path, 'shrunk-fresh');
    expect((await exportTo(b, fresh, '--partition-by', 'date', '-f', 'ndjson')).code).toBe(0);
    expect(Object.keys(parts(fresh)).length).toBeGreaterThan(0);
    expect(parts(out)).toEqual(parts(fresh));
  });

  it('partitions: days that gained rows, including days with no partition at all, are found from the manifest and filled by --fix (CSV)', async () => {
    const out = join(dir.path, 'grown');
    expect((await exportTo(b, out, '--partition-by', 'date', '-f', 'csv')).code).toBe(0);
    for (const d of CHANGED) expect(existsSync(join(out, `date=${d}`))).toBe(false);

    const drift = await verify(a, out, '--json');
    expect(drift.code, drift.stderr).toBe(6);
    const [only] = jsonDays(drift.stdout);
    expect(only!.days).toEqual(DAYS.map((d) => ({ day: d, held: truthB(d), api: truthA(d), difference: truthA(d) - truthB(d), open: false })));
    expect(only!.differ).toEqual(CHANGED);

    const fixed = await verify(a, out, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await verify(a, out)).code).toBe(0);
    const fresh = join(dir.path, 'grown-fresh');
    expect((await exportTo(a, fresh, '--partition-by', 'date', '-f', 'csv')).code).toBe(0);
    expect(parts(out)).toEqual(parts(fresh));
  });

  it('partitions nothing recorded (no _mbuzz.json) have their files counted: CSV records, Parquet footers', async () => {
    for (const format of ['csv', 'parquet']) {
      const out = join(dir.path, `unrecorded-${format}`);
      expect((await exportTo(a, out, '--partition-by', 'date', '-f', format)).code).toBe(0);
      for (const d of [DAYS[0], DAYS[4]]) rmSync(join(out, `date=${d}`, '_mbuzz.json'));
      const r = await verify(a, out, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(jsonDays(r.stdout)[0]!.days.map((d) => [d.day, d.held])).toEqual(DAYS.map((d) => [d, truthA(d)]));
    }
  });

  it.each(['ndjson', 'csv', 'parquet', 'csv.gz'])('a single .%s file without a manifest: its rows counted per day (--dataset says which export)', async (ext) => {
    const file = join(dir.path, `single.${ext}`);
    expect((await exportTo(a, file)).code).toBe(0);
    const drift = await verify(b, file, '--dataset', 'conversions', '--json');
    expect(drift.code, drift.stderr).toBe(6);
    expect(jsonDays(drift.stdout)[0]!.days.map((d) => [d.day, d.held, d.api])).toEqual(DAYS.map((d) => [d, truthA(d), truthB(d)]));
    expect((await verify(a, file, '--dataset', 'conversions')).code).toBe(0);
  });

  it('a single file: refused without --dataset, and --fix refused without a manifest (exit 2, no request)', async () => {
    const file = join(dir.path, 'bare.csv');
    expect((await exportTo(a, file)).code).toBe(0);
    const sent = await requests(b);
    const bare = await verify(b, file);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe(`mbuzz: nothing says which export wrote ${file} (no ${file}.manifest.json): say it with --dataset NAME and the export's --channel/--funnel/--param\n`);
    const fix = await verify(b, file, '--dataset', 'conversions', '--fix');
    expect(fix.code).toBe(2);
    expect(fix.stderr).toMatch(/^mbuzz: --fix: nothing records how .* was written .*one file cannot have days replaced/);
    expect(await requests(b)).toBe(sent);
  });

  it('a single file with its manifest: --fix exports its whole range again (one file cannot have days replaced)', async () => {
    const file = join(dir.path, 'kept.parquet');
    expect((await exportTo(a, file, '--manifest')).code).toBe(0);
    const fixed = await verify(b, file, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain(`note: one file cannot have days replaced: exporting its whole range ${FROM}..${TO} again into ${file}`);
    const fresh = join(dir.path, 'kept-fresh.parquet');
    expect((await exportTo(b, fresh)).code).toBe(0);
    expect(sha(file)).toBe(sha(fresh));
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8'));
    expect(manifest.datasets[0]).toMatchObject({ dataset: 'conversions', from: FROM, to: TO, rows: DAYS.reduce((n, d) => n + truthB(d), 0) });
    expect((await verify(b, file)).code).toBe(0);
  });

  it("--fix writes the held export's rows, never a profile's default filter; a default it cannot undo (fields) is refused, the file untouched", async () => {
    const file = join(dir.path, 'profiled.ndjson');
    expect((await exportTo(a, file, '--manifest')).code).toBe(0);
    // the config verify runs under: a default profile narrowing to one channel
    const cwd = join(dir.path, 'with-profile');
    mkdirSync(cwd, { mode: 0o700 });
    writeFileSync(join(cwd, '.mbuzzrc.yaml'), 'profile: narrow\nprofiles:\n  narrow:\n    channels: [email]\n', { mode: 0o600 });
    const fixed = await runCli(['verify', file, '--fix'], { env: env(b), cwd });
    expect(fixed.code, fixed.stderr).toBe(0);
    // every channel's rows, as the sandbox now holds them
    const rows = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(DAYS.reduce((n, d) => n + truthB(d), 0));
    expect(new Set(rows.map((r) => (JSON.parse(r) as { channel: string }).channel)).size).toBeGreaterThan(1);
    // a default --fields would change the columns: refused, the file as it was (days differ again first)
    expect((await exportTo(a, file, '--manifest')).code).toBe(0);
    writeFileSync(join(cwd, '.mbuzzrc.yaml'), 'profile: narrow\nprofiles:\n  narrow:\n    fields: [date, channel]\n', { mode: 0o600 });
    const before = sha(file);
    const refused = await runCli(['verify', file, '--fix'], { env: env(b), cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trimEnd().split('\n').at(-1)).toMatch(/^mbuzz: --fix would write conversions \(no filters, ndjson, --fields date,channel\), but .* holds conversions \(no filters, ndjson\)/);
    expect(sha(file)).toBe(before);
  });

  it('a damaged manifest is exit 2 naming it, before any request', async () => {
    const out = join(dir.path, 'damaged');
    expect((await exportTo(a, out, '--partition-by', 'date')).code).toBe(0);
    const path = join(out, '_manifest.json');
    const sent = await requests(a);
    writeFileSync(path, '{"tool":"mbuzz","datasets":[{"dataset":"conversions","from":"2026-04-01",');
    let r = await verify(a, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mbuzz: the manifest ${path} is damaged (not JSON): remove it and say which export this is with --dataset, or export again to rewrite it\n`);
    writeFileSync(path, JSON.stringify({ tool: 'mbuzz', datasets: [{ dataset: 'conversions', from: '2026-04-31', to: TO }] }));
    r = await verify(a, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mbuzz: the manifest ${path} is damaged (datasets[0].from is not a YYYY-MM-DD day): remove it and say which export this is with --dataset, or export again to rewrite it\n`);
    expect(await requests(a)).toBe(sent);
  });

  it('bad input is exit 2 before any request; a key the API refuses is exit 3', async () => {
    const out = join(dir.path, 'inputs');
    expect((await exportTo(a, out, '--partition-by', 'date')).code).toBe(0);
    const sent = await requests(a);
    const cases: [string[], string][] = [
      [['verify'], "mbuzz: missing required argument 'target' (run with --help for usage)\n"],
      [['verify', out, '--to', '2026-04-02'], 'mbuzz: --to needs --from\n'],
      [['verify', out, '--from', '2026-04-03', '--to', '2026-04-02'], 'mbuzz: --from 2026-04-03 is after --to 2026-04-02\n'],
      [['verify', out, '--channel', 'email'], 'mbuzz: --channel, --funnel and --param describe the export named by --dataset: give --dataset too (a target that records its export needs neither)\n'],
      [['verify', out, '--dataset', 'conversions'], `mbuzz: ${out} records which export it holds (conversions (no filters, ndjson)): drop --dataset and its filters\n`],
      [['verify', join(dir.path, 'missing')], `mbuzz: ${join(dir.path, 'missing')} does not exist\n`],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args, { env: env(a) });
      expect([r.code, r.stderr]).toEqual([2, stderr]);
    }
    expect(await requests(a)).toBe(sent);
    const refused = await runCli(['verify', out], { env: { ...env(a), MBUZZ_API_KEY: 'sk_test_ffffffffffffffffffffffffffffffff' } });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stdout.toString()).toBe('');
  });

  it('what verify cannot count is exit 2 before any request: a provider without per-day totals, conversions --funnel', async () => {
    const file = join(dir.path, 'funnelled.ndjson');
    expect((await exportTo(a, file)).code).toBe(0);
    const sent = await requests(a);
    const other = await verify(a, file, '--dataset', 'mixpanel:export');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^mbuzz: mbuzz verify compares each day with the API's count of it, and .* has no cheap per-day count for mixpanel:export; verify supports conversions, funnel, spend\n$/);
    const funnel = await verify(a, file, '--dataset', 'conversions', '--funnel', 'signup');
    expect(funnel.code).toBe(2);
    expect(funnel.stderr).toContain('the API does not filter conversions by funnel');
    expect(await requests(a)).toBe(sent);
  });
});

describe('mbuzz verify: today, still changing, is listed as such', () => {
  let noon: Sandbox;
  let evening: Sandbox;
  const dir = tempDir();
  beforeAll(async () => {
    noon = await startSandbox();
    evening = await startSandbox(['--now', '2026-05-20T20:00:00Z']);
  });
  afterAll(async () => {
    await Promise.all([noon?.stop(), evening?.stop()]);
    dir.cleanup();
  });

  it('a day exported at noon differs by evening; the days before it do not', async () => {
    const out = join(dir.path, 'today');
    const at = { MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: NOW };
    const day = (d: string, now: string) => truthCount('conversions', { seed: 1, scale: 1, environment: 'test', from: d, to: d, now, dataStart: '2025-01-01' });
    const exp = await runCli(['export', 'conversions', '--from', '2026-05-18', '--include-today', '-o', out, '--partition-by', 'date', '-q'], { env: { ...at, MBUZZ_BASE_URL: noon.url } });
    expect(exp.code, exp.stderr).toBe(0);
    const r = await runCli(['verify', out], { env: { ...at, MBUZZ_BASE_URL: evening.url } });
    expect(r.code, r.stderr).toBe(6);
    const late = day('2026-05-20', '2026-05-20T20:00:00Z');
    const early = day('2026-05-20', NOW);
    expect(late).toBeGreaterThan(early);
    expect(listed(r.stdout)).toEqual([['2026-05-20', early.toLocaleString('en-US'), late.toLocaleString('en-US'), `+${(late - early).toLocaleString('en-US')}`]]);
    expect(r.stdout.toString()).toMatch(/2026-05-20 .* still changing \(today or later, UTC\)\n$/);
  });
});
