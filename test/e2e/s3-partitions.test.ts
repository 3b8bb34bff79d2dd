import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truthRows } from '../../src/sandbox/truth.js';
import { startS3Server, type S3Server } from '../destinations/s3/harness.js';
import { BIN, canon, NOW, parseNdjson, runCli, startSandbox, TEST_KEY, useSandbox } from './harness.js';
import { expectedOf, rowsOf } from './part-rows.js';

// `mbuzz export ... -o s3://bucket/prefix --partition-by date`: the real CLI, a real sandbox, a
// real S3-protocol server, and everything a local directory of partitions promises. Expected rows
// come from the sandbox's generator; objects are read back through the harness's own SDK client,
// CSV by Python's csv module, Parquet by hyparquet, digests by node:crypto over those bytes.

const FROM = '2026-03-01';
const TO = '2026-03-06';
const BUCKET = 'mbuzz-test';
const truth = (from = FROM, to = TO) => [...truthRows('conversions', { seed: 1, scale: 1, environment: 'test', from, to, now: NOW, dataStart: '2025-01-01' })];
const days = (from: string, to: string) => [...new Set(truth(from, to).map((r) => r.date as string))].sort();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mbuzz export -o s3://bucket/prefix --partition-by date', () => {
  const { sb, dir } = useSandbox();
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const env = (url = sb.url, extra: Record<string, string> = {}) => ({ MBUZZ_BASE_URL: url, MBUZZ_API_KEY: TEST_KEY, ...s3.vars(), ...extra });
  const args = (prefix: string, from = FROM, to = TO, ...more: string[]) => ['export', 'conversions', '--from', from, '--to', to, '-o', `s3://${BUCKET}/${prefix}`, '--partition-by', 'date', ...more];
  const requests = async (url = sb.url) => ((await (await fetch(`${url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  /** Every object under the prefix with its bytes (base64). */
  const snapshot = async (prefix: string) => Object.fromEntries(await Promise.all((await s3.keys(`${prefix}/`)).map(async (k) => [k, (await s3.get(k))!.toString('base64')] as const)));
  const manifestOf = async (prefix: string) => JSON.parse((await s3.get(`${prefix}/_manifest.json`))!.toString()) as { run: string; partitions: { path: string; date: string; bytes: number; sha256: string; rows: number; run: string }[]; runs: Record<string, { args: string[] }> };
  const recordOf = async (prefix: string, day: string) => JSON.parse((await s3.get(`${prefix}/date=${day}/_mbuzz.json`))!.toString()) as { run: { id: string }; file: { sha256: string } };

  it.each(['ndjson', 'csv', 'parquet'])('%s: one object per day holding exactly that day\'s rows, and a manifest listing each with its digest', async (format) => {
    const prefix = `lake-${format}`;
    const r = await runCli(args(prefix, FROM, TO, '-f', format), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(/^mbuzz: /);
    const expectedDays = days(FROM, TO);
    expect(expectedDays).toHaveLength(6);
    const parts = expectedDays.map((d) => `${prefix}/date=${d}/part-0000.${format}`);
    expect(await s3.keys(`${prefix}/`)).toEqual([...expectedDays.flatMap((d) => [`${prefix}/date=${d}/_mbuzz.json`, `${prefix}/date=${d}/part-0000.${format}`]), `${prefix}/_manifest.json`].sort());
    const all = truth();
    for (const [i, day] of expectedDays.entries()) {
      const bytes = (await s3.get(parts[i]!))!;
      expect(await rowsOf(format, bytes), day).toEqual(expectedOf(format, all.filter((row) => row.date === day)));
    }
    const m = await manifestOf(prefix);
    expect(m.partitions.map((p) => `${prefix}/${p.path}`)).toEqual(parts);
    for (const p of m.partitions) {
      const bytes = (await s3.get(`${prefix}/${p.path}`))!;
      expect([p.path, p.bytes, p.sha256, p.run]).toEqual([p.path, bytes.length, sha256(bytes), m.run]);
    }
    expect(m.partitions.reduce((n, p) => n + p.rows, 0)).toBe(all.length);
    expect(JSON.stringify(m)).not.toContain(s3.vars().AWS_SECRET_ACCESS_KEY);
    expect(JSON.stringify(m)).not.toContain(TEST_KEY);
    expect(await s3.uploads(`${prefix}/`)).toEqual([]);
  });

  it('refuses another filter into the prefix (exit 2, no API request, every object as it was); --replace-export makes it that export', async () => {
    const prefix = 'filters';
    expect((await runCli(args(prefix, '2026-03-01', '2026-03-04'), { env: env() })).code).toBe(0);
    const before = await snapshot(prefix);
    const sent = await requests();
    const r = await runCli(args(prefix, '2026-03-01', '2026-03-04', '--channel', 'email'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mbuzz: s3://${BUCKET}/${prefix}/ holds conversions (no filters, ndjson) in 4 partitions (2026-03-01..2026-03-04), and this run is conversions (--channel email, ndjson): use another directory, or --replace-export to make s3://${BUCKET}/${prefix}/ this export (those partitions are replaced or removed)\n`,
    );
    expect(await requests()).toBe(sent);
    expect(await snapshot(prefix)).toEqual(before);

    const replaced = await runCli(args(prefix, '2026-03-02', '2026-03-03', '--channel', 'email', '--replace-export'), { env: env() });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('removed 2 partitions (2026-03-01, 2026-03-04) of the replaced export');
    expect((await s3.keys(`${prefix}/`)).filter((k) => k.includes('part-'))).toEqual([`${prefix}/date=2026-03-02/part-0000.ndjson`, `${prefix}/date=2026-03-03/part-0000.ndjson`]);
    for (const day of ['2026-03-02', '2026-03-03']) {
      const rows = parseNdjson((await s3.get(`${prefix}/date=${day}/part-0000.ndjson`))!);
      expect(canon(rows)).toEqual(canon(truth(day, day).filter((row) => row.channel === 'email')));
    }
    expect((await manifestOf(prefix)).partitions.map((p) => p.date)).toEqual(['2026-03-02', '2026-03-03']);
  });

  it('removes the partitions of days it read and found empty, and never one outside its days', async () => {
    const prefix = 'stale';
    // the sandbox's data begins 2025-01-01: earlier days are empty
    let r = await runCli(args(prefix, '2025-01-01', '2025-01-02'), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse((await s3.get(`${prefix}/date=2025-01-01/_mbuzz.json`))!.toString());
    for (const day of ['2024-12-28', '2024-12-31']) {
      const body = `{"date":"${day}"}\n`;
      await s3.reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/date=${day}/part-0000.ndjson`, Body: body }));
      await s3.reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/date=${day}/_mbuzz.json`, Body: JSON.stringify({ ...record, date: day, file: { name: 'part-0000.ndjson', bytes: body.length, sha256: 'x', rows: 1 } }) }));
    }
    r = await runCli(args(prefix, '2024-12-30', '2025-01-01'), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed 1 partition (2024-12-31): days read that are now empty');
    expect((await s3.keys(`${prefix}/`)).filter((k) => k.endsWith('.ndjson'))).toEqual(['2024-12-28', '2025-01-01', '2025-01-02'].map((d) => `${prefix}/date=${d}/part-0000.ndjson`));
    expect((await manifestOf(prefix)).partitions.map((p) => p.date)).toEqual(['2024-12-28', '2025-01-01', '2025-01-02']);
  });

  it('--state with --lookback re-reads and replaces only those days; the others keep the run that wrote them', async () => {
    const prefix = 'cron';
    const state = join(dir.path, 'cron-state.json');
    const first = await runCli(['export', 'conversions', '--state', state, '--from', '2026-03-01', '-o', `s3://${BUCKET}/${prefix}`, '--partition-by', 'date'], { env: env(sb.url, { MBUZZ_NOW: '2026-03-06T03:00:00Z' }) });
    expect(first.code, first.stderr).toBe(0);
    const firstRun = (await manifestOf(prefix)).run;
    const second = await runCli(['export', 'conversions', '--state', state, '--lookback', '2', '-o', `s3://${BUCKET}/${prefix}`, '--partition-by', 'date'], { env: env(sb.url, { MBUZZ_NOW: '2026-03-08T03:00:00Z' }) });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/rows of conversions 2026-03-04\.\.2026-03-07 /);
    const m = await manifestOf(prefix);
    expect(m.partitions.map((p) => [p.date, p.run === firstRun ? 'first' : p.run === m.run ? 'second' : p.run])).toEqual([
      ['2026-03-01', 'first'],
      ['2026-03-02', 'first'],
      ['2026-03-03', 'first'],
      ['2026-03-04', 'second'],
      ['2026-03-05', 'second'],
      ['2026-03-06', 'second'],
      ['2026-03-07', 'second'],
    ]);
    for (const p of m.partitions) expect((await recordOf(prefix, p.date)).run.id).toBe(p.run);
    const all = await Promise.all(m.partitions.map(async (p) => parseNdjson((await s3.get(`${prefix}/${p.path}`))!)));
    expect(canon(all.flat())).toEqual(canon(truth('2026-03-01', '2026-03-07')));
    expect(Object.values(JSON.parse(readFileSync(state, 'utf8')).entries).map((e) => (e as { lastCompleteDay: string }).lastCompleteDay)).toEqual(['2026-03-07']);
  });

  it('`export all --partition-by date`: one prefix per dataset, and a manifest at the root listing them all', async () => {
    const r = await runCli(['export', 'all', '--datasets', 'spend,funnel', '--from', '2026-03-01', '--to', '2026-03-02', '-o', `s3://${BUCKET}/all`, '--partition-by', 'date', '-f', 'ndjson'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const parts = (await s3.keys('all/')).filter((k) => k.endsWith('.ndjson'));
    expect(parts).toEqual(['funnel', 'spend'].flatMap((t) => ['2026-03-01', '2026-03-02'].map((d) => `all/${t}/date=${d}/part-0000.ndjson`)));
    const m = await manifestOf('all');
    expect(m.partitions.map((p) => `all/${p.path}`)).toEqual(parts);
    for (const p of m.partitions) expect(p.sha256).toBe(sha256((await s3.get(`all/${p.path}`))!));
    const spend = (await Promise.all(parts.filter((k) => k.includes('/spend/')).map(async (k) => parseNdjson((await s3.get(k))!)))).flat();
    expect(spend.length).toBeGreaterThan(0);
    expect(canon(spend)).toEqual(canon([...truthRows('spend', { seed: 1, scale: 1, environment: 'test', from: '2026-03-01', to: '2026-03-02', now: NOW, dataStart: '2025-01-01' })]));
  });

  describe('a run cut short', () => {
    const RANGE: [string, string] = ['2026-02-01', '2026-02-14'];
    /** Starts an export against a slow sandbox and resolves once S3 holds a staged (unfinished) upload. */
    async function startSlow(prefix: string, url: string) {
      const child = spawn(process.execPath, [BIN, ...args(prefix, ...RANGE, '--retries', '0', '--concurrency', '1')], { env: { PATH: process.env.PATH ?? '', ...env(url) }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
      for (let i = 0; i < 2000 && child.exitCode === null && (await s3.uploads(`${prefix}/`)).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(child.exitCode, `the run ended before it staged a partition: ${stderr}`).toBeNull();
      return { child, done, stderr: () => stderr };
    }

    it('the API going away mid-run: exit 5, every object and the manifest as they were, no upload or claim left', async () => {
      const prefix = 'cut';
      expect((await runCli(args(prefix, ...RANGE), { env: env() })).code).toBe(0);
      const before = await snapshot(prefix);
      const slow = await startSandbox(['--latency', '150']);
      const run = await startSlow(prefix, slow.url);
      await slow.stop();
      const end = await run.done;
      expect(end.code, run.stderr()).toBe(5);
      expect(await snapshot(prefix)).toEqual(before);
      expect(await s3.uploads(`${prefix}/`)).toEqual([]);
    });

    it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-run: exit 130/143, its uploads aborted and its claim gone, every object and the manifest as they were', async (signal) => {
      const prefix = `signalled-${signal}`;
      expect((await runCli(args(prefix, ...RANGE), { env: env() })).code).toBe(0);
      const before = await snapshot(prefix);
      const slow = await startSandbox(['--latency', '150']);
      try {
        const run = await startSlow(prefix, slow.url);
        run.child.kill(signal);
        const end = await run.done;
        expect([end.code, run.stderr()]).toEqual([signal === 'SIGINT' ? 130 : 143, expect.stringMatching(/interrupted|terminated/)]);
      } finally {
        await slow.stop();
      }
      expect(await snapshot(prefix)).toEqual(before);
      expect(await s3.uploads(`${prefix}/`)).toEqual([]);
      expect((await s3.keys(`${prefix}/`)).filter((k) => k.includes('.mbuzz-'))).toEqual([]);
    });

    it('kill -9 mid-run: no new object is visible; the next run takes over its claim, aborts its uploads and completes', async () => {
      const prefix = 'killed';
      const slow = await startSandbox(['--latency', '150']);
      try {
        const run = await startSlow(prefix, slow.url);
        run.child.kill('SIGKILL');
        expect((await run.done).signal).toBe('SIGKILL');
      } finally {
        await slow.stop();
      }
      // nothing a reader would take for data: only the dead run's claim, and its unfinished uploads
      expect((await s3.keys(`${prefix}/`)).map((k) => k.slice(prefix.length + 1))).toEqual([expect.stringMatching(/^\.mbuzz-claim\.2026-02-01\.\.2026-02-14\.[0-9a-f]+\.json$/)]);
      const orphans = await s3.uploads(`${prefix}/`);
      expect(orphans.length).toBeGreaterThanOrEqual(2);

      const next = await runCli(args(prefix, ...RANGE), { env: env() });
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toMatch(/^mbuzz: note: took over the claim s3:\/\/mbuzz-test\/killed\/\.mbuzz-claim\.\S+ of an earlier run \(pid \d+, started \S+\), which is no longer running$/m);
      expect(next.stderr).toMatch(new RegExp(`^mbuzz: warning: aborted ${orphans.length} unfinished uploads of s3://mbuzz-test/killed/ \\(2026-02-01\\.\\.2026-02-14\\) left by an earlier run$`, 'm'));
      expect(await s3.uploads(`${prefix}/`)).toEqual([]);
      expect((await s3.keys(`${prefix}/`)).filter((k) => k.includes('.mbuzz-'))).toEqual([]);
      const m = await manifestOf(prefix);
      const rows = await Promise.all(m.partitions.map(async (p) => parseNdjson((await s3.get(`${prefix}/${p.path}`))!)));
      expect(canon(rows.flat())).toEqual(canon(truth(...RANGE)));
    });
  });
});
