import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { BIN, runCli, TEST_KEY, useSandbox } from './harness.js';

// Issue 9.3: the target is a regular file or nothing. A device, FIFO, socket, /dev/stdout or a
// link to one is refused with exit 2 before any request, and left exactly as it was; a symlink of
// ours to a regular file is written through, like `cp`. At commit the check runs again: a FIFO
// that appeared meanwhile is not replaced either.

const HINT = ' (to write to standard output, use -o - or leave out -o)';
const isRoot = process.getuid?.() === 0;

describe('-o must be a regular file or nothing', () => {
  const { sb, dir } = useSandbox(['--latency', '15']);
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const exportTo = (out: string) => runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out], { env: env() });
  let socket: Server | undefined;
  beforeAll(() => {
    mkdirSync(join(dir.path, 'cases'));
  });
  afterAll(() => {
    socket?.close();
    // A regression here as root would have replaced the machine's /dev/null: put it back, loudly.
    if (!lstatSync('/dev/null').isCharacterDevice()) {
      execFileSync('sh', ['-c', 'rm -f /dev/null && mknod -m 666 /dev/null c 1 3']);
      throw new Error('/dev/null had been replaced by a file: restored it');
    }
  });

  /** Exit 2 with exactly `line`, and not one request sent. */
  async function refused(out: string, line: string): Promise<void> {
    const before = await requests();
    const r = await exportTo(out);
    expect(r.stderr).toBe(`mbuzz: ${line}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(await requests()).toBe(before);
  }

  it('/dev/null: a character device, never replaced', async () => {
    await refused('/dev/null', `cannot write /dev/null: it is a character device, not a regular file${HINT}`);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('/dev/stdout: a link to an open descriptor, not a file', async () => {
    await refused('/dev/stdout', `cannot write /dev/stdout: it is a link to an open file descriptor (/proc/self/fd/1), not a file${HINT}`);
    expect(readlinkSync('/dev/stdout')).toBe('/proc/self/fd/1');
  });

  it.skipIf(!isRoot)('a device node in a writable directory (made with mknod: needs root)', async () => {
    const dev = join(dir.path, 'cases', 'null-copy');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    await refused(dev, `cannot write ${dev}: it is a character device, not a regular file${HINT}`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a FIFO made with mkfifo', async () => {
    const fifo = join(dir.path, 'cases', 'pipe.ndjson');
    execFileSync('mkfifo', [fifo]);
    await refused(fifo, `cannot write ${fifo}: it is a FIFO (named pipe), not a regular file${HINT}`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a unix socket', async () => {
    const path = join(dir.path, 'cases', 'sock.ndjson');
    socket = createServer();
    await new Promise<void>((r) => socket!.listen(path, r));
    await refused(path, `cannot write ${path}: it is a socket, not a regular file${HINT}`);
    expect(lstatSync(path).isSocket()).toBe(true);
  });

  it('a symlink to /dev/null', async () => {
    const link = join(dir.path, 'cases', 'null.ndjson');
    symlinkSync('/dev/null', link);
    await refused(link, `cannot write ${link}: it is a symbolic link to /dev/null, a character device, not a regular file${HINT}`);
    expect(readlinkSync(link)).toBe('/dev/null');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a symlink to nothing', async () => {
    const link = join(dir.path, 'cases', 'dangling.ndjson');
    symlinkSync('nowhere.ndjson', link);
    await refused(link, `cannot write ${link}: it is a symbolic link to nowhere.ndjson, which does not exist${HINT}`);
    expect(existsSync(join(dir.path, 'cases', 'nowhere.ndjson'))).toBe(false);
  });

  it('a symlink to a regular file is written through, like cp: the link stays, the file it names gets the export', async () => {
    const d = join(dir.path, 'through');
    mkdirSync(d);
    const direct = join(d, 'direct.ndjson');
    expect((await exportTo(direct)).code).toBe(0);
    const real = join(d, 'real.ndjson');
    writeFileSync(real, 'yesterday\n');
    symlinkSync('real.ndjson', join(d, 'link.ndjson'));
    const r = await exportTo(join(d, 'link.ndjson'));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(d, 'link.ndjson'))).toBe('real.ndjson');
    expect(readFileSync(real).equals(readFileSync(direct))).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['direct.ndjson', 'link.ndjson', 'real.ndjson']);
  });

  it('a FIFO that appears at the target during the run is not replaced at commit: exit 1, nothing left behind', async () => {
    const d = join(dir.path, 'late');
    mkdirSync(d);
    const out = join(d, 'out.ndjson');
    const before = await requests();
    const child = spawn(process.execPath, [BIN, 'export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-04', '-o', out], { env: { PATH: process.env.PATH, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (b) => (stderr += b));
    const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    for (let i = 0; i < 1000 && (await requests()) - before < 3 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(child.exitCode).toBeNull();
    execFileSync('mkfifo', [out]);
    expect(await code).toBe(1);
    expect(stderr).toBe(`mbuzz: cannot write ${out}: it is now a FIFO (named pipe), not a regular file, and was left as it is\n`);
    expect(statSync(out).isFIFO()).toBe(true);
    expect(readdirSync(d)).toEqual(['out.ndjson']);
  });
});
