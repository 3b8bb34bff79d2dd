import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPartial, reopenPartial, verifyPartial, type VerifiedPrefix } from '../../src/destinations/partial-file.js';

let dir: string;
let partial: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mbuzz-partial-'));
  partial = join(dir, '.out.ndjson.mbuzz-partial');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('verifyPartial', () => {
  it('a prefix that hashes to the recorded digest: verified, and the hash continues from it', async () => {
    writeFileSync(partial, 'row1\nrow2\nrow3-partly');
    const v = (await verifyPartial(partial, 10, sha('row1\nrow2\n'))) as VerifiedPrefix;
    expect(v.bytes).toBe(10);
    v.hash.update('row3\n');
    expect(v.hash.digest('hex')).toBe(sha('row1\nrow2\nrow3\n'));
  });

  it.each([
    ['gone', () => undefined, 'its partial file is gone'],
    ['shorter', () => writeFileSync(partial, 'row1\n'), 'its partial file has 5 bytes, fewer than the 10 it records'],
    ['other bytes', () => writeFileSync(partial, 'rowX\nrow2\n'), 'the first 10 bytes of its partial file are not the ones it records'],
    ['a symlink', () => (writeFileSync(join(dir, 'v'), 'row1\nrow2\n'), symlinkSync(join(dir, 'v'), partial)), 'its partial file is a symbolic link'],
    ['hard-linked', () => (writeFileSync(partial, 'row1\nrow2\n'), linkSync(partial, join(dir, 'other'))), 'its partial file is linked from 1 other name(s)'],
  ])('%s: a mismatch, with the reason', async (_name, setup, reason) => {
    setup();
    expect(await verifyPartial(partial, 10, sha('row1\nrow2\n'))).toEqual({ mismatch: reason });
  });
});

describe('createPartial / reopenPartial', () => {
  it('createPartial removes a planted symlink rather than writing through it', async () => {
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), partial);
    const p = await createPartial(partial);
    await p.handle.write('new');
    await p.handle.close();
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(lstatSync(partial).isFile()).toBe(true);
  });

  it('reopenPartial cuts back to the verified prefix, and refuses another file put at the name', async () => {
    writeFileSync(partial, 'row1\nrow2\nrow3-partly');
    const v = (await verifyPartial(partial, 10, sha('row1\nrow2\n'))) as VerifiedPrefix;
    const p = await reopenPartial(partial, v);
    await p.handle.close();
    expect(readFileSync(partial, 'utf8')).toBe('row1\nrow2\n');
    // another file moved in (made while the first still exists, so it cannot reuse its inode)
    writeFileSync(join(dir, 'other'), 'row1\nrow2\n');
    renameSync(join(dir, 'other'), partial);
    await expect(reopenPartial(partial, v)).rejects.toThrow('is another file than the one verified');
  });
});
