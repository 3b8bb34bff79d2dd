import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError, UsageError } from '../../src/core/errors.js';
import { acquireLock, releaseHeldLocks } from '../../src/core/lock.js';

let dir: string;
let lock: string;
const notes: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mbuzz-lock-'));
  lock = join(dir, '.out.csv.mbuzz-lock');
  notes.length = 0;
});
afterEach(async () => {
  await releaseHeldLocks();
  rmSync(dir, { recursive: true, force: true });
});
const take = () => acquireLock(lock, '-o out.csv', (l) => notes.push(l));
const holder = () => JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; hostname: string; nonce: string };

describe('acquireLock', () => {
  it('writes the holder (pid, host, start) and nothing else beside it; release removes it', async () => {
    const l = await take();
    expect(holder()).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(readdirSync(dir)).toEqual(['.out.csv.mbuzz-lock']);
    await l.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a second taker while held: BusyError (exit 75) naming the holder', async () => {
    await take();
    const err = (await take().catch((e: unknown) => e)) as BusyError;
    expect(err).toBeInstanceOf(BusyError);
    expect(err.exitCode).toBe(75);
    expect(err.message).toMatch(new RegExp(`^-o out\\.csv is in use by another mbuzz run \\(pid ${process.pid}, started \\S+\\); try again when it has finished \\(lock: ${lock}\\)$`));
  });

  it('a dead holder on this host is stale: taken over, with a note', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lock, JSON.stringify({ pid: dead, hostname: hostname(), startedAt: 'then', nonce: 'n' }));
    await take();
    expect(holder().pid).toBe(process.pid);
    expect(notes).toEqual([`took over the lock ${lock} of an earlier run (pid ${dead}, started then), which is no longer running`]);
  });

  it('release leaves a lock that is no longer ours', async () => {
    const l = await take();
    writeFileSync(lock, JSON.stringify({ ...holder(), nonce: 'someone-else' }));
    await l.release();
    expect(existsSync(lock)).toBe(true);
  });

  it('something else at the lock name (garbage, a symlink): a usage error naming it, left alone', async () => {
    writeFileSync(lock, 'not json');
    await expect(take()).rejects.toThrow(new UsageError(`${lock} is not an mbuzz lock file; remove it if no mbuzz run is using it`));
    rmSync(lock);
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), lock);
    await expect(take()).rejects.toThrow(`${lock} is a symbolic link, not an mbuzz lock file`);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
  });
});
