import { afterAll, beforeAll } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// End-to-end: the real CLI binary, a real sandbox process, real sockets on 127.0.0.1.

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'mbuzz.js');
export const TEST_KEY = 'sk_test_0123456789abcdef0123456789abcdef';
export const LIVE_KEY = 'sk_live_fedcba9876543210fedcba9876543210';
/** A fixed "now" so the sandbox's data, and so every expected row, is the same on every run. */
export const NOW = '2026-05-20T12:00:00Z';

export interface Sandbox {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startSandbox(args: string[] = []): Promise<Sandbox> {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--now', NOW, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((res, rej) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => res(l.trim()));
    child.once('exit', (code) => rej(new Error(`sandbox exited ${code}: ${stderr}`)));
  });
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`unexpected sandbox URL line: ${url}`);
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGINT');
      }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((res) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: options.cwd ?? tmpdir(), NO_COLOR: '1' };
    for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('close', (code, signal) => res({ code, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}

export function tempDir(prefix = 'mbuzz-e2e-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Rows as a sorted list of canonical JSON strings: equal lists = same rows, each exactly once. */
export function canon(rows: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const r of rows) out.push(JSON.stringify(r));
  return out.sort();
}

export function parseNdjson(buf: Buffer | string): Record<string, unknown>[] {
  const text = buf.toString();
  return text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A sandbox process and a temp directory for the enclosing describe block: started in beforeAll,
 * stopped and removed in afterAll. `sb` reads through to the running sandbox.
 */
export function useSandbox(args: string[] = []): { sb: Sandbox; dir: { path: string; cleanup(): void } } {
  let running: Sandbox | undefined;
  const dir = tempDir();
  beforeAll(async () => {
    running = await startSandbox(args);
  });
  afterAll(async () => {
    await running?.stop();
    dir.cleanup();
  });
  const sb: Sandbox = {
    get url() {
      return running!.url;
    },
    get child() {
      return running!.child;
    },
    stop: () => running!.stop(),
  };
  return { sb, dir };
}

/** Mounts a real 2 MB tmpfs at `dir` (for full-disk tests); false where this machine does not allow it. */
export function tryMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
