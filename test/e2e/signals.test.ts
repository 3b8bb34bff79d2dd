import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startSandbox, tempDir, TEST_KEY, type Sandbox } from './harness.js';

// Signals end like signals (issue 9.10): SIGINT 130, SIGTERM 143, SIGHUP 129, each with one line on
// stderr, every temp file removed (a checkpointed file keeps its progress, hidden, for --resume),
// and Ctrl-C while stdout is a pipe is an interruption, not a quiet `| head`.

let slow: Sandbox;
const dir = tempDir('mbuzz-signals-');
beforeAll(async () => {
  // 200 ms a request: a 139-day export is still running when the signal comes
  slow = await startSandbox(['--latency', '200']);
});
afterAll(async () => {
  await slow.stop();
  dir.cleanup();
});

const requests = async () => ((await (await fetch(`${slow.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
const LONG = ['export', 'conversions', '--from', '2026-01-01', '--to', '2026-05-19'];

function start(args: string[], stdout: 'pipe' | NodeJS.WritableStream = 'pipe'): { child: ChildProcess; stderr: () => string; closed: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, MBUZZ_BASE_URL: slow.url, MBUZZ_API_KEY: TEST_KEY },
    stdio: ['ignore', stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  if (child.stdout) child.stdout.resume();
  const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return { child, stderr: () => stderr, closed };
}

/** Waits until the export's first requests are in, so the signal lands mid-run and not during start-up. */
async function underWay(before: number): Promise<void> {
  for (let i = 0; i < 100 && (await requests()) < before + 2; i++) await new Promise((r) => setTimeout(r, 100));
}

describe('signals', () => {
  it.each([
    ['SIGTERM', 143, 'mbuzz: interrupted (SIGTERM)'],
    ['SIGHUP', 129, 'mbuzz: interrupted (SIGHUP)'],
  ] as const)('%s into a .gz file: exit %i, one line, no temp file and nothing at the target', async (sig, code, line) => {
    const sub = join(dir.path, sig);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    const out = join(sub, 'conv.ndjson.gz'); // gzip: no checkpoint, so nothing at all may stay
    const before = await requests();
    const run = start([...LONG, '-o', out]);
    await underWay(before);
    expect(run.child.exitCode).toBeNull();
    run.child.kill(sig);
    expect(await run.closed).toBe(code);
    expect(run.stderr().trim().split('\n').at(-1)).toBe(line);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('SIGTERM into a checkpointed file: exit 143, the progress kept hidden for --resume, nothing at the target', async () => {
    const sub = join(dir.path, 'resumable');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    const out = join(sub, 'conv.ndjson');
    const before = await requests();
    const run = start([...LONG, '-o', out]);
    await underWay(before);
    run.child.kill('SIGTERM');
    expect(await run.closed).toBe(143);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(sub).every((f) => f.startsWith('.conv.ndjson.mbuzz-'))).toBe(true);
    expect(readdirSync(sub).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('Ctrl-C while stdout is a pipe (the reader is interrupted too): exit 130 and "interrupted", not a quiet exit 0', async () => {
    // a terminal's Ctrl-C reaches the whole pipeline: here `mbuzz ... | cat`, both signalled at once
    const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    const before = await requests();
    const run = start(LONG, reader.stdin!);
    await underWay(before);
    expect(run.child.exitCode).toBeNull();
    reader.kill('SIGINT');
    run.child.kill('SIGINT');
    expect(await run.closed).toBe(130);
    expect(run.stderr().trim().split('\n').at(-1)).toBe('mbuzz: interrupted');
  });

  it('Ctrl-C while rows stream fast into a pipe whose reader dies first: exit 130, not a quiet exit 0', async () => {
    // no latency, so mbuzz is writing when its reader goes away and the failed write can win the race
    const fast = await startSandbox();
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const reader = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
        let seen = 0;
        const flowing = new Promise<void>((r) => reader.stdout!.on('data', (d: Buffer) => ((seen += d.length) > 1_000_000 ? r() : undefined)));
        const child = spawn(process.execPath, [BIN, ...LONG], { env: { PATH: process.env.PATH, MBUZZ_BASE_URL: fast.url, MBUZZ_API_KEY: TEST_KEY }, stdio: ['ignore', reader.stdin!, 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (d) => (stderr += d));
        const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
        await flowing;
        reader.kill('SIGINT');
        child.kill('SIGINT');
        expect(await closed).toBe(130);
        expect(stderr.trim().split('\n').at(-1)).toBe('mbuzz: interrupted');
      }
    } finally {
      await fast.stop();
    }
  });

  it('Ctrl-C while stdout is a pipe whose reader lives on: exit 130', async () => {
    const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    const before = await requests();
    const run = start(LONG, reader.stdin!);
    await underWay(before);
    run.child.kill('SIGINT');
    expect(await run.closed).toBe(130);
    expect(run.stderr().trim().split('\n').at(-1)).toBe('mbuzz: interrupted');
    reader.kill();
  });
});
