import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { truthRows } from '../../src/sandbox/truth.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { BIN, canon, LIVE_KEY, NOW, parseNdjson, runCli, startSandbox, tempDir, type Sandbox } from './harness.js';

// kill -9 at a random point, then --resume: the finished file must be byte-identical to an
// uninterrupted run's. Random points come from fixed seeds so a failure can be replayed.

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGE = ['--from', '2026-03-01', '--to', '2026-03-08'];

describe('resume after kill -9', () => {
  let sb: Sandbox;
  const dir = tempDir();
  const reference: Record<string, Buffer> = {};
  /** Requests an uninterrupted run makes: kills land at a random share of them. */
  const referenceRequests: Record<string, number> = {};
  beforeAll(async () => {
    // latency stretches the run to a few seconds so a kill lands in the middle of it
    sb = await startSandbox(['--latency', '15', '--tie-order', 'per-query']);
    for (const format of ['ndjson', 'csv', 'parquet']) {
      const out = join(dir.path, `reference.${format}`);
      const before = await requests();
      const r = await runCli(['export', 'conversions', ...RANGE, '-o', out, '-q'], { env: env() });
      referenceRequests[format] = (await requests()) - before;
      expect(r.code, r.stderr).toBe(0);
      reference[format] = readFileSync(out);
    }
  });
  afterAll(async () => {
    await sb.stop();
    dir.cleanup();
  });
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY });
  const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

  const cases: [string, number][] = [
    ['ndjson', 1],
    ['ndjson', 2],
    ['ndjson', 3],
    ['csv', 4],
    ['parquet', 5],
    ['parquet', 6],
  ];
  for (const [format, seed] of cases) {
    it(`${format}, seed ${seed}: identical bytes after kill -9 and --resume`, async () => {
      const out = join(dir.path, `run-${seed}.${format}`);
      const args = ['export', 'conversions', ...RANGE, '-o', out, '-q'];
      const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env() }, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      // kill after a random share (10-70%) of the requests a whole run makes: by progress, not by
      // the clock, which under load would sometimes let the run finish first
      const before = await requests();
      const at = Math.max(2, Math.floor(referenceRequests[format]! * (0.1 + 0.6 * mulberry(seed)())));
      for (let i = 0; i < 600 && (await requests()) - before < at && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
      const killed = child.exitCode === null;
      child.kill('SIGKILL');
      await exited;
      expect(killed).toBe(true); // the kill landed mid-run, not after it finished
      expect(existsSync(out)).toBe(false);
      const r = await runCli([...args, '--resume'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).equals(reference[format]!)).toBe(true);
      // the hidden state is gone once the file is finished
      expect(readdirSync(dir.path).filter((f) => f.startsWith(`.run-${seed}`))).toEqual([]);
    });
  }

  // The resumed files are compared with these references, so the references answer to the truth.
  it("the uninterrupted references hold exactly the sandbox's rows", async () => {
    const expected = [...truthRows('conversions', { seed: 1, scale: 1, environment: 'live', from: '2026-03-01', to: '2026-03-08', now: NOW, dataStart: '2025-01-01' })];
    expect(canon(parseNdjson(reference.ndjson!))).toEqual(canon(expected));
    expect(parseCsvWithPython(reference.csv!.toString('utf8'))).toHaveLength(expected.length + 1);
    const pq = join(dir.path, 'reference.parquet');
    expect(await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(pq)})`)).toEqual([{ n: expected.length }]);
  });

  it('refuses to resume a different export from the same checkpoint', async () => {
    const out = join(dir.path, 'other.ndjson');
    const child = spawn(process.execPath, [BIN, 'export', 'conversions', ...RANGE, '-o', out], { env: { PATH: process.env.PATH, ...env() }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const before = await requests();
    for (let i = 0; i < 600 && (await requests()) - before < referenceRequests.ndjson! / 2 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await exited;
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-09', '-o', out, '--resume'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the checkpoint beside .*other\.ndjson is for a different export \(conversions 2026-03-01\.\.2026-03-08 as ndjson\); run without --resume to start over/);
  });

  it('--resume needs a file', async () => {
    const r = await runCli(['export', 'conversions', ...RANGE, '--resume'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mbuzz: --resume is not possible here: it needs -o FILE\n');
  });
});
