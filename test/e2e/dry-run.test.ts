import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { truthCount } from '../../src/sandbox/truth.js';
import { ATRIBU_SANDBOX_KEYS } from '../../src/sandbox/atribu/keys.js';
import { ATTRIBUTIONHUB_SANDBOX_KEYS } from '../../src/sandbox/attributionhub/mount.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_PROJECT_ID, SANDBOX_SA_SECRET, SANDBOX_SA_USERNAME } from '../../src/sandbox/mixpanel/keys.js';
import { expectedConversions } from '../providers/attributionhub/expected-rows.js';
import { NOW, runCli, TEST_KEY, useSandbox } from './harness.js';

// `mbuzz export --dry-run` through the real CLI against a sandbox that logs every request it
// answers (--verbose): the plan's windows and rows are checked against the sandbox's own counts
// (truthCount) and against what a real run then does (its --report), and the requests the dry run
// sent against the sandbox's log: one-row count requests only, nothing written.

const { sb, dir } = useSandbox(['--verbose']);
/** Request lines the sandbox logs: `GET /api/v1/data/...?... 200 1 rows 1.2 ms`. */
let served: string[] = [];
beforeAll(() => {
  let partial = '';
  sb.child.stderr!.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split('\n');
    partial = lines.pop()!;
    served.push(...lines.filter((l) => /^(GET|POST) \//.test(l)));
  });
});

const stats = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

/**
 * The requests the sandbox answers while `f` runs: as many as its own counter says it received
 * (waiting for their log lines, which reach us through a pipe), so none is missed by a race.
 */
async function requestsDuring<T>(f: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
  served = [];
  const before = await stats();
  const result = await f();
  const received = (await stats()) - before;
  for (let waited = 0; served.length < received && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  expect(served, 'the sandbox logged every request its counter saw').toHaveLength(received);
  return { result, requests: served };
}

const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: NOW });
const count = (dataset: 'conversions' | 'funnel', from: string, to: string) => truthCount(dataset, { seed: 1, scale: 1, environment: 'test', from, to, now: NOW, dataStart: '2025-01-01' });

interface PlanJson {
  dryRun: true;
  datasets: Array<{
    dataset: string;
    windows: Array<{ from: string; to: string; rows?: number; open?: boolean }> | null;
    rows: number | null;
    requests: { count: number; exact: boolean } | null;
    quota: { limit: string; spend?: number; spentByDryRun: number; remaining?: number; warning?: string } | null;
    sent: { requests: number };
    eta: { ms: number; model: string } | null;
  }>;
}

describe('--dry-run for mbuzz datasets', () => {
  it('plans the windows a real run reads, with the rows in each, sending one-row count requests only and writing nothing', async () => {
    const work = join(dir.path, 'conv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(work);
    const out = join(work, 'conv.csv');
    // nine complete days and today, which is read on its own (open)
    const args = ['export', 'conversions', '--from', '2026-05-11', '--to', 'today', '-o', out];
    const dry = await requestsDuring(() => runCli([...args, '--dry-run', '--json'], { env: env() }));
    expect(dry.result.stderr).toBe('');
    expect(dry.result.code).toBe(0);
    const plan = JSON.parse(dry.result.stdout.toString()) as PlanJson;
    const d = plan.datasets[0]!;
    // the sandbox's own counts, day by day (each day fits one page of 1000 at this scale)
    const days = ['2026-05-11', '2026-05-12', '2026-05-13', '2026-05-14', '2026-05-15', '2026-05-16', '2026-05-17', '2026-05-18', '2026-05-19', '2026-05-20'];
    expect(d.windows).toEqual(days.map((day) => ({ from: day, to: day, rows: count('conversions', day, day), ...(day === '2026-05-20' && { open: true }) })));
    expect(d.rows).toBe(count('conversions', '2026-05-11', '2026-05-20'));
    // what it sent: a one-row request for the nine complete days and one for each of them (its
    // windows); one for today, its only window
    expect(dry.requests).toHaveLength(1 + 9 + 1);
    for (const line of dry.requests) expect(line).toMatch(/^GET \/api\/v1\/data\/conversions\?\S*&per_page=1 200 1 rows /);
    expect(d.sent.requests).toBe(dry.requests.length);
    expect(readdirSync(work)).toEqual([]);

    // the real run reads exactly those windows, with those totals, in the requests planned
    const report = join(dir.path, 'conv-report.json');
    const real = await requestsDuring(() => runCli([...args, '--report', report], { env: env() }));
    expect(real.result.code).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const ran = r.datasets[0];
    expect(ran.windows.map((w: { from: string; to: string; apiTotal: number; open: boolean }) => ({ from: w.from, to: w.to, rows: w.apiTotal, ...(w.open && { open: true }) }))).toEqual(d.windows);
    expect(d.requests).toEqual({ count: real.requests.length, exact: true });
    expect(ran.requests).toBe(real.requests.length);
  });

  it('says the same for people: the windows with their rows, the requests, the quota and an ETA with its model', async () => {
    const res = await runCli(['export', 'funnel', '--from', '2026-05-17', '--to', '2026-05-19', '--dry-run'], { env: env() });
    expect(res.code).toBe(0);
    const text = res.stdout.toString();
    expect(text).toMatch(/^dry run: nothing written; \d+ requests sent to plan it\n/);
    expect(text).toContain(`funnel 2026-05-17..2026-05-19 (3 days) -> stdout [ndjson]`);
    // runs of days expected to fill a page: each with the sandbox's count, together the range
    const windows = [...text.matchAll(/\n {4}(\d{4}-\d\d-\d\d)(?:\.\.(\d{4}-\d\d-\d\d))? +([\d,]+) rows(?=\n)/g)].map((m) => ({ from: m[1]!, to: m[2] ?? m[1]!, rows: Number(m[3]!.replace(/,/g, '')) }));
    expect(windows[0]!.from).toBe('2026-05-17');
    expect(windows.at(-1)!.to).toBe('2026-05-19');
    for (const w of windows) expect(w.rows).toBe(count('funnel', w.from, w.to));
    expect(text).toContain(`  windows:  ${windows.length}, ${count('funnel', '2026-05-17', '2026-05-19').toLocaleString('en-US')} rows\n`);
    expect(text).toMatch(/\n {2}quota: {4}none stated by the API\n/);
    expect(text).toMatch(/\n {2}ETA: {6}\d+\.\ds \(\d+ ms mean latency of the dry run's requests x \d+ requests \/ 4 in flight; .*lower bound\)\n/);
  });

  it('estimates a lower bound where windows hold more than a page, and the real run sends at least that many', async () => {
    const args = ['export', 'conversions', '--from', '2026-05-18', '--to', '2026-05-19', '--per-page', '300', '-o', join(dir.path, 'big.ndjson')];
    const dry = await runCli([...args, '--dry-run', '--json'], { env: env() });
    const d = (JSON.parse(dry.stdout.toString()) as PlanJson).datasets[0]!;
    expect(d.requests!.exact).toBe(false);
    const real = await requestsDuring(() => runCli(args, { env: env() }));
    expect(real.result.code).toBe(0);
    expect(real.requests.length).toBeGreaterThanOrEqual(d.requests!.count);
    expect(d.windows!.map((w) => w.rows)).toEqual([count('conversions', '2026-05-18', '2026-05-18'), count('conversions', '2026-05-19', '2026-05-19')]);
    // one day bigger than a page: its only window is not held by the first page either
    const one = ['export', 'conversions', '--from', '2026-05-18', '--to', '2026-05-18', '--per-page', '300', '-o', join(dir.path, 'one.ndjson')];
    expect(count('conversions', '2026-05-18', '2026-05-18')).toBeGreaterThan(300);
    const plan = (JSON.parse((await runCli([...one, '--dry-run', '--json'], { env: env() })).stdout.toString()) as PlanJson).datasets[0]!;
    expect(plan.requests!.exact).toBe(false);
    const ran = await requestsDuring(() => runCli(one, { env: env() }));
    expect(ran.result.code).toBe(0);
    expect(ran.requests.length).toBeGreaterThanOrEqual(plan.requests!.count);
    expect(plan.requests!.count).toBeGreaterThan(1);
  });

  it('creates no directory and leaves no file: partitions with --state, and export all', async () => {
    const parts = join(dir.path, 'parts');
    const state = join(dir.path, 'state.json');
    const a = await runCli(['export', 'conversions', '-o', parts, '--partition-by', 'date', '--state', state, '--dry-run'], { env: env() });
    expect(a.code).toBe(0);
    const all = join(dir.path, 'all');
    const b = await runCli(['export', 'all', '--from', '2026-05-19', '--to', '2026-05-19', '-o', all, '--dry-run', '--json'], { env: env() });
    expect(b.code).toBe(0);
    expect((JSON.parse(b.stdout.toString()) as PlanJson).datasets.map((x) => x.dataset)).toEqual(['conversions', 'funnel', 'spend']);
    expect(existsSync(parts)).toBe(false);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(all)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.includes('mbuzz'))).toEqual([]);
  });

  it('needs no lock: while another run holds the output a real run is busy (75), a dry run still plans', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const held = join(dir.path, 'held');
    mkdirSync(held);
    // a lock of a run on another machine: never judged stale, so it holds
    writeFileSync(join(held, '.out.ndjson.mbuzz-lock'), `${JSON.stringify({ pid: 1, hostname: 'elsewhere.invalid', startedAt: NOW, nonce: '00' })}\n`);
    const args = ['export', 'conversions', '--from', '2026-05-19', '--to', '2026-05-19', '-o', join(held, 'out.ndjson')];
    expect((await runCli(args, { env: env() })).code).toBe(75);
    const dry = await runCli([...args, '--dry-run'], { env: env() });
    expect(dry.code).toBe(0);
    expect(readdirSync(held)).toEqual(['.out.ndjson.mbuzz-lock']);
  });

  it('exit 2 for bad input, before any request; exit 3 for a bad key', async () => {
    for (const bad of [
      ['--channel', 'emial'],
      ['--json'],
      ['--report', join(dir.path, 'r.json')],
      ['--from', '2026-02-30'],
    ]) {
      const res = await requestsDuring(() => runCli(['export', 'conversions', '--dry-run', ...bad].filter((a) => !(bad[0] === '--json' && a === '--dry-run')), { env: env() }));
      expect(res.result.code, bad.join(' ')).toBe(2);
      expect(res.result.stderr).toMatch(/^mbuzz: .+\n$/);
      expect(res.requests, bad.join(' ')).toEqual([]);
    }
    expect(existsSync(join(dir.path, 'r.json'))).toBe(false);
    const revoked = await runCli(['export', 'conversions', '--dry-run'], { env: { ...env(), MBUZZ_API_KEY: 'sk_test_deadbeefdeadbeefdeadbeefdeadbeef' } });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toBe('mbuzz: authentication failed (401): "API key has been revoked"\n');
    expect(revoked.stdout.toString()).toBe('');
  });
});

describe('--dry-run for other providers: quota use', () => {
  const mixpanel = () => ({ MIXPANEL_BASE_URL: `${sb.url}/mixpanel`, MIXPANEL_SERVICE_ACCOUNT_USERNAME: SANDBOX_SA_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET: SANDBOX_SA_SECRET, MIXPANEL_PROJECT_ID: SANDBOX_PROJECT_ID, MBUZZ_NOW: NOW });

  it('Mixpanel export: one request a date block against 60 an hour, a warning and the fix when the range needs more, one limit=1 request sent', async () => {
    const dry = await requestsDuring(() => runCli(['export', 'mixpanel:export', '--range', '90d', '--dry-run', '--json'], { env: mixpanel() }));
    expect(dry.result.code).toBe(0);
    const d = (JSON.parse(dry.result.stdout.toString()) as PlanJson).datasets[0]!;
    expect(d.windows).toHaveLength(90);
    expect(d.windows![0]).toEqual({ from: '2026-02-19', to: '2026-02-19' });
    expect(d.requests).toEqual({ count: 90, exact: true });
    expect(d.quota).toMatchObject({ limit: '60 export requests an hour per project', spend: 90, spentByDryRun: 1 });
    expect(d.quota!.warning).toContain('--param days_per_request=2');
    expect(dry.requests).toHaveLength(1);
    expect(dry.requests[0]).toMatch(/^GET \/mixpanel\/api\/2\.0\/export\?from_date=2026-02-19&to_date=2026-02-19&project_id=1234567&limit=1 200 /);

    const fixed = await runCli(['export', 'mixpanel:export', '--range', '90d', '--param', 'days_per_request=2', '--dry-run'], { env: mixpanel() });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.toString()).toContain('  quota:    60 export requests an hour per project: the run takes 45 requests (this dry run took 1)\n');
    expect(fixed.stdout.toString()).not.toContain('warning:');
  });

  it('Mixpanel reports: the dry run refuses what the run refuses (exit 2), and says "all events" costs more than one request', async () => {
    const reports = () => ({ MIXPANEL_BASE_URL: `${sb.url}/mixpanel`, MIXPANEL_API_KEY: SANDBOX_API_KEY, MIXPANEL_API_SECRET: SANDBOX_API_SECRET, MBUZZ_NOW: NOW });
    // a total over the units up to now: --to must be today, for the run and so for its dry run
    const args = ['export', 'mixpanel:event-names', '--from', '2026-05-10', '--to', '2026-05-15'];
    const run = await runCli(args, { env: reports() });
    const dry = await requestsDuring(() => runCli([...args, '--dry-run'], { env: reports() }));
    expect([run.code, dry.result.code]).toEqual([2, 2]);
    expect(dry.result.stderr).toBe(run.stderr);
    expect(dry.requests).toEqual([]);
    // no --param event: the names endpoint first, then a request per batch of names
    const all = await runCli(['export', 'mixpanel:events', '--range', '3d', '--dry-run', '--json'], { env: reports() });
    expect(all.code, all.stderr).toBe(0);
    const d = (JSON.parse(all.stdout.toString()) as PlanJson).datasets[0]!;
    expect(d.requests).toMatchObject({ count: 2, exact: false });
    const one = await runCli(['export', 'mixpanel:events', '--range', '3d', '--param', 'event=signup', '--dry-run', '--json'], { env: reports() });
    expect((JSON.parse(one.stdout.toString()) as PlanJson).datasets[0]!.requests).toEqual({ count: 1, exact: true });
  });

  it('Atribu: 3 of the 60 units a minute for its one request, and what the key has left', async () => {
    const dry = await requestsDuring(() =>
      runCli(['export', 'atribu:customers', '--range', '7d', '--param', 'goal=payment_received', '--dry-run', '--json'], { env: { ATRIBU_BASE_URL: `${sb.url}/atribu`, ATRIBU_API_KEY: ATRIBU_SANDBOX_KEYS.full, MBUZZ_NOW: NOW } }),
    );
    expect(dry.result.code).toBe(0);
    const d = (JSON.parse(dry.result.stdout.toString()) as PlanJson).datasets[0]!;
    expect(d.quota).toMatchObject({ limit: '60 units a minute per key, 3 a call', spentByDryRun: 3 });
    expect(d.quota!.remaining).toBeLessThanOrEqual(57);
    expect(d.requests).toBeNull();
    expect(dry.requests).toHaveLength(1);
    expect(dry.requests[0]).toMatch(/^GET \/atribu\/api\/v1\/customers\?\S*limit=1 200 /);
    // a key without the customers:read scope fails the dry run as it would the run
    const scope = await runCli(['export', 'atribu:customers', '--range', '7d', '--param', 'goal=payment_received', '--dry-run'], { env: { ATRIBU_BASE_URL: `${sb.url}/atribu`, ATRIBU_API_KEY: ATRIBU_SANDBOX_KEYS.noCustomers, MBUZZ_NOW: NOW } });
    expect(scope.code).toBe(3);
  });

  it('AttributionHub: rows and requests from total_records, one call of the monthly quota; an exhausted quota is exit 4', async () => {
    const ah = (key: string) => ({ ATTRIBUTIONHUB_BASE_URL: `${sb.url}/attributionhub`, ATTRIBUTIONHUB_API_KEY: key, MBUZZ_NOW: NOW });
    const dry = await runCli(['export', 'attributionhub:conversions', '--range', '7d', '--dry-run', '--json'], { env: ah(ATTRIBUTIONHUB_SANDBOX_KEYS.standard) });
    expect(dry.code).toBe(0);
    const d = (JSON.parse(dry.stdout.toString()) as PlanJson).datasets[0]!;
    // the real run: its rows and requests
    const real = await requestsDuring(() => runCli(['export', 'attributionhub:conversions', '--range', '7d'], { env: ah(ATTRIBUTIONHUB_SANDBOX_KEYS.standard) }));
    expect(real.result.code).toBe(0);
    // the sandbox's own records for --range 7d (the 7 complete days before NOW's)
    expect(d.rows).toBe(expectedConversions({ seed: 1, scale: 1, now: NOW, dataStart: '2025-01-01' }, { start_date: '2026-05-13', end_date: '2026-05-19' }).length);
    expect(real.result.stdout.toString().trimEnd().split('\n')).toHaveLength(d.rows!);
    expect(d.requests).toEqual({ count: real.requests.length, exact: true });
    expect(d.quota).toMatchObject({ spend: real.requests.length, spentByDryRun: 1 });
    const exhausted = await runCli(['export', 'attributionhub:conversions', '--range', '7d', '--dry-run'], { env: ah(ATTRIBUTIONHUB_SANDBOX_KEYS.exhausted) });
    expect(exhausted.code).toBe(4);
    expect(exhausted.stderr).toMatch(/^mbuzz: quota exhausted \(429\)/);
  });
});
