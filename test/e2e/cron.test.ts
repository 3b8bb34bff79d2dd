import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { truthRows } from '../../src/sandbox/truth.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { fromDuck } from '../providers/atribu/formats.js';
import { canon, NOW, runCli, startSandbox, tempDir, TEST_KEY, type Sandbox, ROOT, useSandbox } from './harness.js';

// Cron-grade runs: incremental state across a moving "today" (MBUZZ_NOW), Hive partitions read
// back by DuckDB, the manifest checked against the files themselves, several datasets in one run.

const truth = (dataset: 'conversions' | 'funnel' | 'spend', from: string, to: string) =>
  [...truthRows(dataset, { seed: 1, scale: 1, environment: 'test', from, to, now: NOW, dataStart: '2025-01-01' })];

describe('cron-grade exports', () => {
  const { sb, dir } = useSandbox();
  const env = (now?: string) => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: now });

  it('--state moves forward with today, never records today, and --lookback re-reads late days', async () => {
    const out = join(dir.path, 'conv');
    const state = join(dir.path, 'state.json');
    const base = ['export', 'conversions', '--state', state, '-o', out, '--partition-by', 'date', '-f', 'parquet'];
    let r = await runCli([...base, '--from', '2026-05-01'], { env: env('2026-05-06T03:00:00Z') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/conversions 2026-05-01\.\.2026-05-05/);
    const entry = () => Object.values(JSON.parse(readFileSync(state, 'utf8')).entries)[0] as { lastCompleteDay: string };
    expect(entry().lastCompleteDay).toBe('2026-05-05');

    // same day again: nothing to do, nothing doubled
    r = await runCli(base, { env: env('2026-05-06T09:00:00Z') });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/up to date through 2026-05-05/);

    // two days later with a 2-day lookback: 05-04..05-07 re-read, partitions replaced whole
    r = await runCli([...base, '--lookback', '2'], { env: env('2026-05-08T03:00:00Z') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/conversions 2026-05-04\.\.2026-05-07/);
    expect(entry().lastCompleteDay).toBe('2026-05-07');
    expect(readdirSync(out).filter((d) => d.startsWith('date=')).sort()).toEqual(
      ['01', '02', '03', '04', '05', '06', '07'].map((d) => `date=2026-05-${d}`),
    );
    const back = await duckdb(
      `SELECT * EXCLUDE (date), strftime(date, '%Y-%m-%d') AS date FROM read_parquet(${sqlString(join(out, '**/*.parquet'))}, hive_partitioning = true)`,
    );
    // Every column of every row, each row exactly once, against the sandbox's own rows.
    const expected = truth('conversions', '2026-05-01', '2026-05-07');
    expect(back.length).toBe(expected.length);
    const norm = (r: Record<string, unknown>) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, fromDuck(r[c.name], c.type)]));
    expect(Object.keys(back[0]!).sort()).toEqual(CONVERSIONS_COLUMNS.map((c) => c.name).sort());
    expect(canon(back.map(norm))).toEqual(canon(expected.map(norm)));
  });

  it("exports through the README's profile: ~/.config/mbuzz/config.yaml with base_url, api_key_env and format", async () => {
    const home = join(dir.path, 'home');
    const work = join(dir.path, 'work');
    mkdirSync(join(home, '.config', 'mbuzz'), { recursive: true });
    mkdirSync(work);
    writeFileSync(
      join(home, '.config', 'mbuzz', 'config.yaml'),
      `profile: prod\nprofiles:\n  prod:\n    base_url: ${sb.url}\n    api_key_env: MBUZZ_PROD_KEY\n    format: parquet\n`,
    );
    const out = join(work, 'conversions'); // no extension: the profile's format decides
    const r = await runCli(['export', 'conversions', '--from', '2026-04-05', '--to', '2026-04-06', '-o', out, '--quiet'], {
      cwd: work,
      env: { HOME: home, MBUZZ_PROD_KEY: TEST_KEY },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rows = await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(out)})`);
    expect(rows).toEqual([{ n: truth('conversions', '2026-04-05', '2026-04-06').length }]);
    const profiles = await runCli(['profiles'], { cwd: work, env: { HOME: home, MBUZZ_PROD_KEY: TEST_KEY } });
    expect(profiles.stdout.toString()).toContain(`config: ${join(home, '.config', 'mbuzz', 'config.yaml')}`);
    expect(profiles.stdout.toString()).toMatch(/\* prod \(active via profile: in the file\)/);
    expect(profiles.stdout.toString()).toContain('api_key: from $MBUZZ_PROD_KEY (sk_test_…cdef)');
  });

  it('writes a manifest whose sizes and sha256 match the files, with windows and the API totals', async () => {
    const out = join(dir.path, 'spend.csv');
    const r = await runCli(['export', 'spend', '--from', '2026-04-01', '--to', '2026-04-20', '-o', out, '--manifest', '--api-key', TEST_KEY], { env: { MBUZZ_BASE_URL: sb.url } });
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));
    const bytes = readFileSync(out);
    // Every count against the sandbox's rows and the file as Python reads it, never against another field of the manifest.
    const rows = truth('spend', '2026-04-01', '2026-04-20').length;
    expect(parseCsvWithPython(bytes.toString('utf8'))).toHaveLength(rows + 1);
    expect(m.datasets[0].files).toEqual([{ path: 'spend.csv', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), rows }]);
    expect(m.datasets[0].rows).toBe(rows);
    expect(m.datasets[0].apiTotal).toBe(rows);
    expect(m.datasets[0].windows.reduce((n: number, w: { rows: number }) => n + w.rows, 0)).toBe(rows);
    // the key given on the command line is masked in the recorded args
    expect(JSON.stringify(m)).not.toContain(TEST_KEY);
    expect(m.args).toContain('sk_test_…cdef');
  });

  it('`export all` writes every mbuzz dataset into the directory with one manifest', async () => {
    const out = join(dir.path, 'all');
    const r = await runCli(['export', 'all', '-o', out, '-f', 'ndjson', '--from', '2026-04-02', '--to', '2026-04-03'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['_manifest.json', 'conversions.ndjson', 'funnel.ndjson', 'spend.ndjson']);
    for (const ds of ['conversions', 'funnel', 'spend'] as const) {
      const got = readFileSync(join(out, `${ds}.ndjson`), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(canon(got)).toEqual(canon(truth(ds, '2026-04-02', '2026-04-03')));
    }
    const m = JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8'));
    expect(m.datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['conversions', 'funnel', 'spend']);
  });

  it('flags a window that reaches today as open, in the manifest and on stderr', async () => {
    const out = join(dir.path, 'today.ndjson');
    const r = await runCli(['export', 'funnel', '--from', '2026-05-19', '--to', '2026-05-20', '-o', out, '--manifest'], { env: env(NOW) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2026-05-20 is today or later \(UTC\): its rows may still change/);
    const m = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));
    expect(m.datasets[0].openDays).toEqual(['2026-05-20']);
  });

  it('schema --as sql creates a table DuckDB accepts, and the bash completion script parses', async () => {
    const r = await runCli(['schema', 'conversions', '--as', 'sql']);
    expect(r.code).toBe(0);
    const cols = await duckdb(`${r.stdout.toString()} SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'conversions' ORDER BY ordinal_position`);
    expect(cols.slice(0, 2)).toEqual([
      { column_name: 'date', data_type: 'DATE' },
      { column_name: 'type', data_type: 'VARCHAR' },
    ]);
    // completion itself is tested in real shells in completion.test.ts
    const bash = await runCli(['completion', 'bash']);
    expect(spawnSync('bash', ['-n'], { input: bash.stdout }).status).toBe(0);
    expect(existsSync(join(ROOT, 'bin', 'mbuzz.js'))).toBe(true);
  });
});
