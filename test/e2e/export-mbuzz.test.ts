import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rubyFloat } from '../../src/sandbox/ruby-json.js';
import { truthRows } from '../../src/sandbox/truth.js';
import { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import type { Column } from '../../src/core/columns.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { csvCell, fromDuck } from '../providers/atribu/formats.js';
import { canon, LIVE_KEY, NOW, parseNdjson, runCli, startSandbox, tempDir, TEST_KEY, type Sandbox, useSandbox } from './harness.js';

// The real CLI against a real sandbox process. Expected rows come from the sandbox's own
// generator (truthRows), never from the exporter; CSV and Parquet are read back by Python's csv
// module and DuckDB.

type Dataset = 'conversions' | 'funnel' | 'spend';
/** The conversion fields in the order the server emits them (api-contracts/mbuzz.md §4), written out here. */
const CONTRACT_CONVERSION_FIELDS = [
  'date', 'type', 'name', 'funnel', 'attribution_model', 'algorithm', 'channel', 'credit', 'revenue', 'revenue_credit', 'currency',
  'utm_source', 'utm_medium', 'utm_campaign', 'is_acquisition', 'properties', 'journey_position', 'touchpoint_index', 'journey_length', 'days_to_conversion',
];
const COLUMNS: Record<Dataset, readonly Column[]> = { conversions: CONVERSIONS_COLUMNS, funnel: FUNNEL_COLUMNS, spend: SPEND_COLUMNS };

function truth(dataset: Dataset, from: string, to: string, o: { env?: 'test' | 'live'; scale?: number; channels?: string[]; funnel?: string } = {}) {
  return [...truthRows(dataset, { seed: 1, scale: o.scale ?? 1, environment: o.env ?? 'test', from, to, now: NOW, dataStart: '2025-01-01', channels: o.channels, funnel: o.funnel })];
}

/** What a CSV cell should say: the number as the sandbox (Rails) printed it, JSON as compact text. */
function serverCell(v: unknown, type: Column['type']): string {
  if (type === 'double' && typeof v === 'number') return rubyFloat(v);
  return csvCell(v);
}

async function checkFile(path: string, format: 'ndjson' | 'csv' | 'parquet', dataset: Dataset, expected: Record<string, unknown>[]) {
  const columns = COLUMNS[dataset];
  if (format === 'ndjson') {
    expect(canon(parseNdjson(readFileSync(path)))).toEqual(canon(expected));
  } else if (format === 'csv') {
    const [header, ...records] = parseCsvWithPython(readFileSync(path, 'utf8'));
    expect(header).toEqual(columns.map((c) => c.name));
    // A number cell holds the server's digits: the sandbox prints DOUBLE columns as Ruby does
    // (1.0, 1.0e-05). JSON cells are compared as values (nested numbers are checked in big-numbers).
    const json = columns.map((c) => c.type === 'json');
    const values = (cells: string[]) => cells.map((v, i) => (json[i] && v !== '' ? JSON.stringify(JSON.parse(v)) : v));
    expect(canon(records.map(values))).toEqual(canon(expected.map((r) => columns.map((c) => serverCell(r[c.name], c.type)))));
  } else {
    const back = await duckdb(`SELECT * FROM read_parquet(${sqlString(path)})`);
    const norm = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c.name, fromDuck(r[c.name], c.type)]));
    expect(back.length).toBe(expected.length);
    expect(canon(back.map(norm))).toEqual(canon(expected.map(norm)));
  }
}

describe('mbuzz export against the sandbox', () => {
  const { sb, dir } = useSandbox();
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });

  for (const dataset of ['conversions', 'funnel', 'spend'] as const) {
    for (const format of ['ndjson', 'csv', 'parquet'] as const) {
      it(`${dataset} -> ${format}: exactly the sandbox's rows`, async () => {
        const out = join(dir.path, `${dataset}.${format}`);
        const r = await runCli(['export', dataset, '--from', '2026-03-01', '--to', '2026-03-10', '-o', out], { env: env() });
        expect(r.stderr).toMatch(new RegExp(`^mbuzz: [\\d,]+ rows of ${dataset} 2026-03-01..2026-03-10`, 'm'));
        expect(r.code).toBe(0);
        await checkFile(out, format, dataset, truth(dataset, '2026-03-01', '2026-03-10'));
      });
    }
  }

  it('streams NDJSON to stdout with the API field order, and filters by channel (repeatable and comma lists)', async () => {
    const r = await runCli(['export', 'conversions', '--from', '2026-03-02', '--to', '2026-03-03', '--channel', 'email', '--channel', 'ai,direct'], { env: env() });
    expect(r.code).toBe(0);
    const rows = parseNdjson(r.stdout);
    const expected = truth('conversions', '2026-03-02', '2026-03-03', { channels: ['email', 'ai', 'direct'] });
    expect(rows.length).toBeGreaterThan(0);
    expect(canon(rows)).toEqual(canon(expected));
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(expected[0]!));
  });

  it('applies --funnel to conversions client-side (the server ignores it there)', async () => {
    const r = await runCli(['export', 'conversions', '--from', '2026-03-02', '--to', '2026-03-04', '--funnel', 'sales'], { env: env() });
    expect(r.code).toBe(0);
    const rows = parseNdjson(r.stdout);
    const expected = truth('conversions', '2026-03-02', '2026-03-04').filter((x) => x.funnel === 'sales');
    expect(expected.length).toBeGreaterThan(0);
    expect(canon(rows)).toEqual(canon(expected));
  });

  it('--fields keeps those columns in that order; --max-rows stops early', async () => {
    const r = await runCli(['export', 'spend', '--from', '2026-03-01', '--to', '2026-03-31', '--fields', 'spend,spend_date,platform', '--max-rows', '7'], { env: env() });
    expect(r.code).toBe(0);
    const rows = parseNdjson(r.stdout);
    expect(rows).toHaveLength(7);
    expect(Object.keys(rows[0]!)).toEqual(['spend', 'spend_date', 'platform']);
    expect(r.stderr).toMatch(/stopped at --max-rows/);
  });

  it('an empty window gives empty NDJSON, a header-only CSV and a 0-row Parquet with the schema', async () => {
    const base = ['export', 'conversions', '--from', '2024-06-01', '--to', '2024-06-03'];
    const nd = join(dir.path, 'empty.ndjson');
    const csv = join(dir.path, 'empty.csv');
    const pq = join(dir.path, 'empty.parquet');
    for (const out of [nd, csv, pq]) expect((await runCli([...base, '-o', out], { env: env() })).code).toBe(0);
    expect(readFileSync(nd, 'utf8')).toBe('');
    expect(parseCsvWithPython(readFileSync(csv, 'utf8'))).toEqual([CONTRACT_CONVERSION_FIELDS]);
    expect(await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(pq)})`)).toEqual([{ n: 0 }]);
    const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(pq)})`);
    expect(described.map((d) => d.column_name)).toEqual(CONTRACT_CONVERSION_FIELDS);
  });

  it('`| head` ends quietly with exit 0', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', `set -o pipefail; node bin/mbuzz.js export conversions --from 2026-01-01 --to 2026-03-31 | head -n 3 >/dev/null; echo "rc=\${PIPESTATUS[0]}"`], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...env() },
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('rc=0');
    expect(r.stderr).toBe('');
  });
});

describe('exactly once despite unstable ordering and faults (the issue 2 acceptance run)', () => {
  const { sb, dir } = useSandbox(['--tie-order', 'random', '--fault-rate', '0.08', '--scale', '0.25']);

  it.each(['ndjson', 'csv', 'parquet'] as const)('30 days of live conversions (>= 50k rows) -> %s', async (format) => {
    const expected = truth('conversions', '2026-04-01', '2026-04-30', { env: 'live', scale: 0.25 });
    expect(expected.length).toBeGreaterThanOrEqual(50_000);
    const out = join(dir.path, `conv.${format}`);
    const r = await runCli(['export', 'conversions', '--from', '2026-04-01', '--to', '2026-04-30', '-o', out], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/retries/); // faults really happened and were retried
    await checkFile(out, format, 'conversions', expected);
  });

  it.each([1, 8])('--concurrency %i: the same rows exactly once (live funnel and conversions, days over a page)', async (concurrency) => {
    for (const dataset of ['conversions', 'funnel'] as const) {
      const expected = truth(dataset, '2026-04-20', '2026-04-26', { env: 'live', scale: 0.25 });
      const out = join(dir.path, `c${concurrency}-${dataset}.ndjson`);
      const r = await runCli(['export', dataset, '--from', '2026-04-20', '--to', '2026-04-26', '--concurrency', String(concurrency), '-o', out], {
        env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY },
      });
      expect(r.code, r.stderr).toBe(0);
      await checkFile(out, 'ndjson', dataset, expected);
    }
  });
});

describe('exit codes, and nothing half-written', () => {
  const { sb, dir } = useSandbox();
  const stats = async () => (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number };
  const leftovers = () => readdirSync(dir.path);

  it('2: a bad date is refused before any request', async () => {
    const before = (await stats()).requests;
    const r = await runCli(['export', 'conversions', '--from', '2026-02-30', '--to', '2026-03-01', '-o', join(dir.path, 'x.ndjson')], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mbuzz: --from "2026-02-30" is not a calendar date\n');
    expect((await stats()).requests).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('2: no API key', async () => {
    const r = await runCli(['export', 'spend'], { env: { MBUZZ_BASE_URL: sb.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mbuzz: no API key for spend: set MBUZZ_API_KEY/);
  });

  it('3: a revoked key, quoting the server, without printing the key even with --verbose', async () => {
    const key = 'sk_test_deadbeefdeadbeefdeadbeefdeadbeef';
    const out = join(dir.path, 'revoked.csv');
    const r = await runCli(['export', 'conversions', '--range', '7d', '-o', out, '--verbose'], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: key } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mbuzz: authentication failed \(401\): "API key has been revoked"$/m);
    expect(r.stderr).not.toContain(key);
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('4: a request the server rejects (a base URL whose paths 404)', async () => {
    const r = await runCli(['export', 'conversions', '--range', '7d', '--base-url', `${sb.url}/nope`], { env: { MBUZZ_API_KEY: TEST_KEY } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^mbuzz: request rejected \(404\)/);
  });

  it('5: a server that keeps failing, after the retries; no file left behind', async () => {
    const broken = await startSandbox(['--faults', '503=1']);
    try {
      const out = join(dir.path, 'conv.parquet');
      const r = await runCli(['export', 'conversions', '--range', '7d', '-o', out, '--retries', '2'], { env: { MBUZZ_BASE_URL: broken.url, MBUZZ_API_KEY: TEST_KEY } });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^mbuzz: server error 503.*gave up after 3 attempts/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(leftovers()).toEqual([]);
    } finally {
      await broken.stop();
    }
  });

  it('6: ties bigger than any page the user allows cannot be made exact', async () => {
    const out = join(dir.path, 'tiny.ndjson');
    const r = await runCli(['export', 'conversions', '--from', '2026-03-02', '--to', '2026-03-02', '--per-page', '5', '--channel', 'paid_search', '-o', out], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^mbuzz: conversions 2026-03-02: cannot make the page edge at row \d+ exact/);
    expect(leftovers()).toEqual([]);
  });

  it('130: Ctrl-C stops cleanly and leaves nothing at the target', async () => {
    const slow = await startSandbox(['--latency', '200']);
    try {
      const out = join(dir.path, 'interrupted.parquet');
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'mbuzz.js'), 'export', 'conversions', '--from', '2026-01-01', '--to', '2026-05-19', '-o', out], {
        env: { PATH: process.env.PATH, MBUZZ_BASE_URL: slow.url, MBUZZ_API_KEY: TEST_KEY },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      // interrupt once the export is under way (its first requests are in), not during start-up
      const slowStats = async () => (await (await fetch(`${slow.url}/_sandbox/stats`)).json()) as { requests: number };
      for (let i = 0; i < 100 && (await slowStats()).requests < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(child.exitCode).toBeNull(); // still running: 139 days at 200 ms a request
      child.kill('SIGINT');
      const code = await closed;
      expect(code).toBe(130);
      expect(stderr.trim().split('\n').at(-1)).toBe('mbuzz: interrupted');
      // nothing at the target; the progress so far is kept, hidden, for --resume
      expect(existsSync(out)).toBe(false);
      expect(leftovers().every((f) => f.startsWith('.interrupted.parquet.mbuzz-'))).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});
