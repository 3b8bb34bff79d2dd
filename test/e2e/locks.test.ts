import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BIN, LIVE_KEY, runCli, startSandbox, tempDir, type Sandbox } from './harness.js';

// Issue 9.5: one writer per target. Two real exports to the same -o (file or partition directory)
// or the same --state file: the second exits 75 (EX_TEMPFAIL) naming the first, sends nothing,
// and the first finishes exactly as if it had been alone. A lock left by a process that is gone
// (kill -9, a pid now dead or reused) is taken over with a note; locks go on every way out.

const RANGE = ['--from', '2026-03-01', '--to', '2026-03-04'];
const BUSY = /^mbuzz: (-o|--state) (\S+) is in use by another mbuzz run \(pid (\d+)(?: on (\S+))?, started (\S+)\); try again when it has finished \(lock: (\S+)\)\n$/;

describe('one writer per target', () => {
  let sb: Sandbox;
  const sandboxLog: string[] = [];
  const dir = tempDir();
  const reference: Record<string, Buffer> = {};
  beforeAll(async () => {
    // latency keeps the first run going while the second starts
    sb = await startSandbox(['--latency', '15', '--tie-order', 'per-query', '--verbose']);
    sb.child.stderr!.on('data', (d: Buffer) => sandboxLog.push(...d.toString().split('\n')));
    const r = await runCli(['export', 'conversions', ...RANGE, '-o', join(dir.path, 'reference.ndjson'), '-q'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    reference.ndjson = readFileSync(join(dir.path, 'reference.ndjson'));
    expect(sandboxLog.some((l) => l.startsWith('GET /api/v1/data/conversions?')), 'the sandbox logs each request').toBe(true);
  });
  afterAll(async () => {
    await sb.stop();
    dir.cleanup();
  });
  const env = (prefix = '') => ({ MBUZZ_BASE_URL: `${sb.url}${prefix}`, MBUZZ_API_KEY: LIVE_KEY, MBUZZ_NOW: '2026-03-05T06:00:00Z' });
  const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const sentBy = (prefix: string) => sandboxLog.filter((l) => l.includes(`${prefix}/`));

  /** Starts `args` and resolves once its requests are reaching the sandbox. */
  async function first(args: string[]) {
    const before = await requests();
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (b) => (stderr += b));
    const done = new Promise<{ code: number | null; stderr: string }>((r) => child.on('close', (code) => r({ code, stderr })));
    for (let i = 0; i < 1000 && (await requests()) - before < 2 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(child.exitCode, 'the first run ended before the second started').toBeNull();
    return { pid: child.pid!, done, kill: (s: NodeJS.Signals) => child.kill(s) };
  }

  /** The second run: exit 75, one line naming the first run's pid, no request sent, and the lock it names. */
  async function refusedWhileBusy(args: string[], prefix: string, holder: number, what: string): Promise<string> {
    const r = await runCli(args, { env: env(prefix) });
    const m = BUSY.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(r.code).toBe(75);
    expect(`${m![1]} ${m![2]}`).toBe(what);
    expect(Number(m![3])).toBe(holder);
    expect(sentBy(prefix)).toEqual([]);
    return m![6]!;
  }

  it('the same -o file: the second run exits 75 naming the first, which finishes alone', async () => {
    const out = join(dir.path, 'same.ndjson');
    const a = await first(['export', 'conversions', ...RANGE, '-o', out]);
    const lock = await refusedWhileBusy(['export', 'conversions', ...RANGE, '-o', out], '/second-file', a.pid, `-o ${out}`);
    expect(lock).toBe(join(dir.path, '.same.ndjson.mbuzz-lock'));
    const ra = await a.done;
    expect(ra.code, ra.stderr).toBe(0);
    expect(readFileSync(out).equals(reference.ndjson!)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('the same --state file, different outputs: the second run exits 75, and the first one\'s entry is kept', async () => {
    const state = join(dir.path, 'shared.state.json');
    const a = await first(['export', 'conversions', '--state', state, '--from', '2026-03-01', '-o', join(dir.path, 'state-a'), '--partition-by', 'date']);
    await refusedWhileBusy(['export', 'spend', '--state', state, '--from', '2026-03-01', '-o', join(dir.path, 'state-b'), '--partition-by', 'date'], '/second-state', a.pid, `--state ${state}`);
    const ra = await a.done;
    expect(ra.code, ra.stderr).toBe(0);
    const entries = Object.values(JSON.parse(readFileSync(state, 'utf8')).entries) as { dataset: string; lastCompleteDay: string }[];
    expect(entries.map((e) => [e.dataset, e.lastCompleteDay])).toEqual([['conversions', '2026-03-04']]);
    expect(existsSync(join(dir.path, 'state-b.ndjson'))).toBe(false);
  });

  it('the same days of a partition directory: the second run exits 75 naming the days the first holds', async () => {
    const parts = join(dir.path, 'parts');
    const a = await first(['export', 'conversions', ...RANGE, '-o', parts, '--partition-by', 'date']);
    // overlapping on 2026-03-04 only
    const r = await runCli(['export', 'conversions', '--from', '2026-03-04', '--to', '2026-03-05', '-o', parts, '--partition-by', 'date', '--channel', 'email'], { env: env('/second-parts') });
    expect(r.code, r.stderr).toBe(75);
    const m = new RegExp(`^mbuzz: -o ${parts} is in use by another mbuzz run \\(pid (\\d+), started \\S+, writing 2026-03-01\\.\\.2026-03-04\\); try again when it has finished \\(lock: (\\S+)\\)\n$`).exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(a.pid);
    expect(m![2]).toMatch(new RegExp(`^${parts}/\\.mbuzz-claim\\.2026-03-01\\.\\.2026-03-04\\.[0-9a-f]+\\.lock$`));
    expect(sentBy('/second-parts')).toEqual([]);
    expect((await a.done).code).toBe(0);
    expect(readdirSync(parts).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('SIGTERM releases the lock; kill -9 leaves it, and the next run takes it over with a note', async () => {
    const out = join(dir.path, 'killed.ndjson');
    const lock = join(dir.path, '.killed.ndjson.mbuzz-lock');
    const a = await first(['export', 'conversions', ...RANGE, '-o', out]);
    expect(existsSync(lock)).toBe(true);
    a.kill('SIGTERM');
    await a.done;
    expect(existsSync(lock)).toBe(false);

    const b = await first(['export', 'conversions', ...RANGE, '-o', out]);
    b.kill('SIGKILL');
    await b.done;
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(b.pid);
    const r = await runCli(['export', 'conversions', ...RANGE, '-o', out, '--resume'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^mbuzz: note: took over the lock ${lock} of an earlier run \\(pid ${b.pid}, started \\S+\\), which is no longer running$`, 'm'));
    expect(readFileSync(out).equals(reference.ndjson!)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  /** A lock file as another mbuzz would have left it. */
  function plantLock(path: string, holder: Record<string, unknown>): void {
    writeFileSync(path, JSON.stringify({ hostname: hostname(), startedAt: '2026-03-05T05:00:00.000Z', nonce: 'feedfacecafebeef', ...holder }));
  }

  it('a lock naming a pid that is no longer running (this host) is stale', async () => {
    const d = join(dir.path, 'dead');
    mkdirSync(d);
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // has exited by now
    plantLock(join(d, '.out.ndjson.mbuzz-lock'), { pid: dead });
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', join(d, 'out.ndjson')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mbuzz: note: took over the lock ${join(d, '.out.ndjson.mbuzz-lock')} of an earlier run (pid ${dead}, started 2026-03-05T05:00:00.000Z), which is no longer running\n`);
    expect(readdirSync(d)).toEqual(['out.ndjson']);
  });

  it.skipIf(!existsSync('/proc/self/stat'))('a lock whose pid now belongs to another process (start time differs) is stale (Linux /proc)', async () => {
    const d = join(dir.path, 'reused');
    mkdirSync(d);
    plantLock(join(d, '.out.ndjson.mbuzz-lock'), { pid: process.pid, procStart: '1' });
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', join(d, 'out.ndjson')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`(pid ${process.pid}, started 2026-03-05T05:00:00.000Z), which is no longer running`);
  });

  it('a live holder (this process, start time matching) or one on another host is respected: exit 75, nothing sent', async () => {
    const d = join(dir.path, 'live');
    mkdirSync(d);
    const out = join(d, 'out.ndjson');
    plantLock(join(d, '.out.ndjson.mbuzz-lock'), { pid: process.pid });
    await refusedWhileBusy(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out], '/live-here', process.pid, `-o ${out}`);
    plantLock(join(d, '.out.ndjson.mbuzz-lock'), { pid: 1, hostname: 'elsewhere.invalid' });
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out], { env: env('/live-there') });
    expect(r.code).toBe(75);
    expect(BUSY.exec(r.stderr)?.[4]).toBe('elsewhere.invalid');
    expect(sentBy('/live-there')).toEqual([]);
    expect(readdirSync(d)).toEqual(['.out.ndjson.mbuzz-lock']);
  });
});
