import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { truthRows } from '../../src/sandbox/truth.js';
import { pgSkipReason, PG_PASSWORD, startPostgres, type PgServer } from '../destinations/postgres/pg-server.js';
import { startS3Server, type S3Server } from '../destinations/s3/harness.js';
import { BIN, NOW, ROOT, runCli, TEST_KEY, useSandbox, type CliResult } from './harness.js';
import { expectedOf, rowsOf } from './part-rows.js';

// docs/orchestration.md, run as plain processes: the Kubernetes indexed Job's command line with
// JOB_COMPLETION_INDEX = 0..N-1 (into a local directory and an S3 prefix), and the Airflow DAG's
// mapped commands (expanded by the DAG file itself, under Python, with stand-ins for Airflow's
// classes) into a PostgreSQL table. N workers are spawned at once; what they left together is
// compared with the sandbox's own rows, each exactly once.

const FROM = '2026-03-01';
const TO = '2026-03-10';
const DOC = readFileSync(join(ROOT, 'docs', 'orchestration.md'), 'utf8');
const truth = () => [...truthRows('conversions', { seed: 1, scale: 1, environment: 'test', from: FROM, to: TO, now: NOW, dataStart: '2025-01-01' })];
const block = (lang: string) => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(DOC);
  if (!m) throw new Error(`docs/orchestration.md has no ${lang} block`);
  return m[1]!;
};

interface Manifest {
  partitions: { path: string; date: string; run: string }[];
  runs: Record<string, { shard?: string }>;
}

describe('docs/orchestration.md as N parallel processes', () => {
  const { sb, dir } = useSandbox();
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server();
    // `mbuzz` on PATH, as the examples call it
    writeFileSync(join(dir.path, 'mbuzz'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(dir.path, 'mbuzz'), 0o755);
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const baseEnv = () => ({ PATH: `${dir.path}:${process.env.PATH ?? ''}`, HOME: dir.path, NO_COLOR: '1', MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const shell = (command: string, env: Record<string, string>) =>
    new Promise<CliResult>((res) => {
      const child = spawn('sh', ['-c', command], { env, cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.resume();
      child.on('close', (code, signal) => res({ code, signal, stdout: Buffer.alloc(0), stderr }));
    });
  /** Each shard's summary names its own days; together they are FROM..TO once. */
  const expectShardsCoverRange = (results: CliResult[]) => {
    const ranges = results.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return /rows of conversions (\S+?)(?:\.\.(\S+))? \(/.exec(r.stderr)!.slice(1, 3);
    });
    expect(ranges).toEqual([
      ['2026-03-01', '2026-03-02'],
      ['2026-03-03', '2026-03-05'],
      ['2026-03-06', '2026-03-07'],
      ['2026-03-08', '2026-03-10'],
    ]);
  };
  /** The manifest lists every partition, written by N runs, one per shard. */
  const expectManifest = (m: Manifest, n: number) => {
    expect(m.partitions.map((p) => p.date)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`));
    const shards = new Set(m.partitions.map((p) => m.runs[p.run]?.shard));
    expect([...shards].sort()).toEqual(Array.from({ length: n }, (_, i) => `${i + 1}/${n}`));
  };

  const job = YAML.parse(block('yaml')) as {
    spec: { completions: number; parallelism: number; template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } } };
  };
  const container = job.spec.template.spec.containers[0]!;
  const docEnv = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  const runJob = (out: string, extra: Record<string, string> = {}) => {
    expect(Number(docEnv.SHARDS)).toBe(job.spec.completions);
    expect(job.spec.parallelism).toBe(job.spec.completions);
    return Promise.all(
      Array.from({ length: job.spec.completions }, (_, index) =>
        shell(container.args[0]!, { ...baseEnv(), ...docEnv, FROM, TO, OUT: out, JOB_COMPLETION_INDEX: String(index), ...extra }),
      ),
    );
  };

  it('the Kubernetes indexed Job into a local directory: every day once, the manifest listing all four shards\' partitions', async () => {
    const out = join(dir.path, 'lake');
    const results = await runJob(out);
    expectShardsCoverRange(results);
    const days = readdirSync(out).filter((d) => d.startsWith('date=')).sort();
    const rows = (await Promise.all(days.map((d) => rowsOf('parquet', readFileSync(join(out, d, 'part-0000.parquet')))))).flat();
    expect(rows.sort()).toEqual(expectedOf('parquet', truth()));
    expectManifest(JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8')) as Manifest, 4);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('the Kubernetes indexed Job into an S3 prefix: the same', async () => {
    const results = await runJob('s3://mbuzz-test/lake', s3.vars());
    expectShardsCoverRange(results);
    const parts = (await s3.keys('lake/')).filter((k) => k.endsWith('.parquet'));
    expect(parts).toHaveLength(10);
    const rows = (await Promise.all(parts.map(async (k) => rowsOf('parquet', (await s3.get(k))!)))).flat();
    expect(rows.sort()).toEqual(expectedOf('parquet', truth()));
    expectManifest(JSON.parse((await s3.get('lake/_manifest.json'))!.toString()) as Manifest, 4);
    expect((await s3.keys('lake/')).filter((k) => k.includes('.mbuzz-'))).toEqual([]);
    expect(await s3.uploads('lake/')).toEqual([]);
  });

  describe.skipIf(pgSkipReason !== undefined)(`the Airflow DAG into PostgreSQL${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
    let pg: PgServer;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it('its mapped commands, run at once, load every row once; each load its own days', async () => {
      // The DAG file, run by Python with stand-ins for the two Airflow classes it uses.
      const stub = [
        'import json, sys, types',
        'captured = []',
        'class DAG:',
        '    def __init__(self, *a, **k): pass',
        '    def __enter__(self): return self',
        '    def __exit__(self, *a): return False',
        'class Partial:',
        '    def __init__(self, kw): self.kw = kw',
        '    def expand(self, **mapped): captured.append({"partial": self.kw, "mapped": mapped})',
        'class BashOperator:',
        '    @staticmethod',
        '    def partial(**kw): return Partial(kw)',
        'airflow = types.ModuleType("airflow"); airflow.DAG = DAG',
        'bash = types.ModuleType("airflow.operators.bash"); bash.BashOperator = BashOperator',
        'sys.modules.update({"airflow": airflow, "airflow.operators": types.ModuleType("airflow.operators"), "airflow.operators.bash": bash})',
        'exec(sys.stdin.read())',
        'print(json.dumps(captured))',
      ].join('\n');
      const py = spawnSync('python3', ['-c', stub], { input: block('python'), encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      const [task] = JSON.parse(py.stdout) as { partial: { env: Record<string, string>; append_env: boolean }; mapped: { bash_command: string[] } }[];
      expect(Object.keys(task!.partial.env).sort()).toEqual(['MBUZZ_API_KEY', 'PGPASSWORD']);
      expect(task!.partial.append_env).toBe(true);
      const commands = task!.mapped.bash_command;
      expect(commands).toHaveLength(4);

      // What Airflow would render for the data interval FROM..TO, and this test's server for the warehouse.
      const url = pg.url({ table: 'conversions_sharded' }, { password: null });
      const rendered = commands.map((c) =>
        c
          .replace('{{ data_interval_start | ds }}', FROM)
          .replace('{{ macros.ds_add(data_interval_end | ds, -1) }}', TO)
          .replace(/-o '[^']*'/, `-o '${url}'`),
      );
      for (const c of rendered) expect(c).not.toContain('{{');
      const results = await Promise.all(rendered.map((c) => shell(c, { ...baseEnv(), PGPASSWORD: PG_PASSWORD })));
      expectShardsCoverRange(results);
      for (const r of results) expect(r.stderr).not.toContain(PG_PASSWORD);

      const rows = await pg.query<{ r: Record<string, unknown> }>('SELECT to_jsonb(t) AS r FROM conversions_sharded t');
      const full = (r: Record<string, unknown>) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, r[c.name] ?? null]));
      const sortedKeys = (v: unknown): unknown =>
        Array.isArray(v) ? v.map(sortedKeys) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])])) : v;
      const canonical = (rs: Record<string, unknown>[]) => rs.map((r) => JSON.stringify(sortedKeys(r))).sort();
      expect(canonical(rows.map((x) => x.r))).toEqual(canonical(truth().map(full)));
      const loads = await pg.query<{ days: string[] }>('SELECT days::text[] AS days FROM conversions_sharded_mbuzz_loads ORDER BY days[1]');
      expect(loads.map((l) => l.days.length)).toEqual([2, 3, 2, 3]);
      expect(loads.flatMap((l) => l.days)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`));
    });
  });

  it('refuses what shards cannot share, before any request (exit 2)', async () => {
    const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
    const sent = await requests();
    const cases: [string[], string][] = [
      [['--from', FROM, '--to', TO, '-o', join(dir.path, 'one.parquet')], 'every shard would replace -o FILE with its own days'],
      [['--range', '7d', '-o', join(dir.path, 'd'), '--partition-by', 'date'], 'give --from and --to, the same for every shard'],
      [['--from', FROM, '--to', 'yesterday', '-o', join(dir.path, 'd'), '--partition-by', 'date'], 'today and yesterday could differ'],
      [['--from', FROM, '--to', TO, '--state', join(dir.path, 's.json'), '-o', join(dir.path, 'd'), '--partition-by', 'date'], '--state is for one worker'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['export', 'conversions', '--shard', '2/4', ...args], { env: baseEnv() });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(new RegExp(`^mbuzz: --shard 2/4: .*${message.replace(/[.*+?()[\]{}|\\^$]/g, '\\$&')}`));
    }
    const bad = await runCli(['export', 'conversions', '--shard', '0/4', '--from', FROM, '--to', TO], { env: baseEnv() });
    expect([bad.code, bad.stderr]).toEqual([2, "mbuzz: --shard 0/4: I must be between 1 and 4 (workers are numbered from 1; Kubernetes' JOB_COMPLETION_INDEX is 0-based: add 1)\n"]);
    // more shards than days: the idle ones say so and succeed
    const idle = await runCli(['export', 'conversions', '--shard', '1/3', '--from', FROM, '--to', '2026-03-02'], { env: baseEnv() });
    expect([idle.code, idle.stderr, idle.stdout.length]).toEqual([0, 'mbuzz: shard 1/3 has no days of conversions 2026-03-01..2026-03-02 (2 days for 3 shards): nothing to export\n', 0]);
    expect(await requests()).toBe(sent);
  });
});
