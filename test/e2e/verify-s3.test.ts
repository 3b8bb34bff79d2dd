import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachDay } from '../../src/core/dates.js';
import { truthCount } from '../../src/sandbox/truth.js';
import { startS3Server, WRITER, type S3Server } from '../destinations/s3/harness.js';
import { NOW, runCli, startSandbox, TEST_KEY, type Sandbox } from './harness.js';

// Issue 13 point 4 on one S3 object: `mbuzz verify s3://bucket/key --dataset NAME` reads the
// object back through S3 (a real S3-protocol server) and counts its rows per day (Parquet by
// ranged reads of its footer and date column). Past days change as in verify.test.ts.

const LATER_START = '2026-04-04';
const DAYS = [...eachDay('2026-04-01', '2026-04-06')];
const count = (day: string, dataStart: string) => truthCount('conversions', { seed: 1, scale: 1, environment: 'test', from: day, to: day, now: NOW, dataStart });

describe('mbuzz verify s3://bucket/key', () => {
  let s3: S3Server;
  let a: Sandbox;
  let b: Sandbox;
  beforeAll(async () => {
    [s3, a, b] = await Promise.all([startS3Server(), startSandbox(), startSandbox(['--data-start', LATER_START])]);
  });
  afterAll(async () => {
    await Promise.all([s3?.stop(), a?.stop(), b?.stop()]);
  });
  const env = (sb: Sandbox) => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, ...s3.vars() });
  const requests = async (sb: Sandbox) => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

  it.each(['conv.csv.gz', 'conv.parquet'])('%s: counted per day through S3, the changed days listed (exit 6)', async (key) => {
    const url = `s3://mbuzz-test/verify/${key}`;
    const exp = await runCli(['export', 'conversions', '--from', DAYS[0]!, '--to', DAYS.at(-1)!, '-o', url, '-q'], { env: env(a) });
    expect(exp.code, exp.stderr).toBe(0);
    const r = await runCli(['verify', url, '--dataset', 'conversions', '--json'], { env: env(b) });
    expect(r.code, r.stderr).toBe(6);
    const [only] = (JSON.parse(r.stdout.toString()) as { exports: { days: { day: string; held: number; api: number }[] }[] }).exports;
    expect(only!.days.map((d) => [d.day, d.held, d.api])).toEqual(DAYS.map((d) => [d, count(d, '2025-01-01'), count(d, LATER_START)]));
    expect(r.stderr).not.toContain(WRITER.secretAccessKey);
    expect((await runCli(['verify', url, '--dataset', 'conversions'], { env: env(a) })).code).toBe(0);
  });

  it('a prefix of date partitions: the changed days listed (exit 6), --fix re-exports them, then it verifies clean', async () => {
    const url = 's3://mbuzz-test/verify-parts';
    const exp = await runCli(['export', 'conversions', '--from', DAYS[0]!, '--to', DAYS.at(-1)!, '-o', url, '--partition-by', 'date', '-q'], { env: env(a) });
    expect(exp.code, exp.stderr).toBe(0);
    const r = await runCli(['verify', url, '--json'], { env: env(b) });
    expect(r.code, r.stderr).toBe(6);
    const [only] = (JSON.parse(r.stdout.toString()) as { exports: { days: { day: string; held: number; api: number }[] }[] }).exports;
    const changed = DAYS.filter((d) => count(d, '2025-01-01') !== count(d, LATER_START));
    expect(changed.length).toBeGreaterThan(0);
    expect(only!.days.map((d) => [d.day, d.held, d.api])).toEqual(DAYS.map((d) => [d, count(d, '2025-01-01'), count(d, LATER_START)]));
    const fixed = await runCli(['verify', url, '--fix'], { env: env(b) });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await runCli(['verify', url], { env: env(b) })).code).toBe(0);
    // and against the first sandbox, the days it fixed now differ the other way
    const back = await runCli(['verify', url, '--json'], { env: env(a) });
    expect(back.code).toBe(6);
    const [again] = (JSON.parse(back.stdout.toString()) as { exports: { days: { day: string; held: number }[] }[] }).exports;
    expect(again!.days.map((d) => [d.day, d.held])).toEqual(DAYS.map((d) => [d, count(d, LATER_START)]));
  });

  it('refused before any API request: no --dataset, --fix, an object that is not there', async () => {
    const url = 's3://mbuzz-test/verify/conv.csv.gz';
    const sent = await requests(b);
    const cases: [string[], RegExp][] = [
      [['verify', url], /^mbuzz: nothing says which export wrote s3:\/\/mbuzz-test\/verify\/conv\.csv\.gz \(an S3 object has no manifest beside it\)/],
      [['verify', url, '--dataset', 'conversions', '--fix'], /^mbuzz: --fix: nothing records how .* one object cannot have days replaced/],
      [['verify', 's3://mbuzz-test/verify/none.ndjson', '--dataset', 'conversions'], /^mbuzz: s3:\/\/mbuzz-test\/verify\/none\.ndjson does not exist\n$/],
      [['verify', 's3://mbuzz-test/verify/', '--dataset', 'conversions'], /holds no partitions and no manifest: nothing to verify/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env: env(b) });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await requests(b)).toBe(sent);
  });
});
