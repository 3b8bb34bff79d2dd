import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRegularFile, writeFileAtomic } from '../../src/core/safe-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mbuzz-safe-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves only the file', async () => {
    await writeFileAtomic(join(dir, 'a.json'), '{"a":1}\n');
    await writeFileAtomic(join(dir, 'a.json'), new Uint8Array([0x7b, 0x7d]));
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{}');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('replaces a symlink at the name instead of writing through it', async () => {
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), join(dir, 'state.json'));
    await writeFileAtomic(join(dir, 'state.json'), 'new');
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'state.json')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('new');
  });

  it('a failure names the file and leaves no temp file (the name is a non-empty directory)', async () => {
    mkdirSync(join(dir, 'busy.json'));
    writeFileSync(join(dir, 'busy.json', 'inside'), '');
    const err = (await writeFileAtomic(join(dir, 'busy.json'), 'x').catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`^cannot write ${join(dir, 'busy.json')}: `));
    expect(readdirSync(dir)).toEqual(['busy.json']);
  });
});

describe('readRegularFile', () => {
  it('reads a file; nothing there is undefined', async () => {
    writeFileSync(join(dir, 'f'), 'abc');
    expect((await readRegularFile(join(dir, 'f')))?.toString()).toBe('abc');
    expect(await readRegularFile(join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses a symlink (ELOOP) and a FIFO (EINVAL) without reading through them', async () => {
    writeFileSync(join(dir, 'f'), 'abc');
    symlinkSync(join(dir, 'f'), join(dir, 'link'));
    await expect(readRegularFile(join(dir, 'link'))).rejects.toMatchObject({ code: 'ELOOP' });
    // a FIFO must not hang the read waiting for a writer
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await expect(readRegularFile(join(dir, 'fifo'))).rejects.toMatchObject({ code: 'EINVAL', message: `${join(dir, 'fifo')} is a FIFO (named pipe), not a regular file` });
  });
});
