import { chmodSync, existsSync, lchownSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { checkFileTarget, openFileSink, type TempFile } from '../../src/destinations/file.js';
import { writeCsv } from '../../src/writers/csv.js';
import { fixtureRows, parseCsvWithPython, rowsOf, tempDir } from '../writers/helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('mbuzz-file-sink-');
});
afterEach(() => tmp.cleanup());

const ls = () => readdirSync(tmp.dir).sort();

describe('openFileSink', () => {
  it('writes to a hidden temp file beside the target and renames it on commit', async () => {
    const target = join(tmp.dir, 'out.ndjson');
    const out = await openFileSink(target);
    await out.sink.write('{"a":1}\n');
    await out.sink.write(Buffer.from('{"a":2}\n'));
    // Before commit a reader of the target sees nothing at all.
    expect(existsSync(target)).toBe(false);
    const [temp, ...others] = ls();
    expect(others).toEqual([]);
    expect(temp).toMatch(new RegExp(`^\\.out\\.ndjson\\.mbuzz-${process.pid}-[0-9a-f]{8}\\.tmp$`));
    await out.commit();
    expect(ls()).toEqual(['out.ndjson']);
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    await out.abort(); // a no-op once committed
    expect(readFileSync(target, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('leaves nothing at the target on abort, and an older file untouched', async () => {
    const fresh = join(tmp.dir, 'fresh.csv');
    const a = await openFileSink(fresh);
    await a.sink.write('partial');
    await a.abort();
    expect(ls()).toEqual([]);

    const old = join(tmp.dir, 'old.csv');
    writeFileSync(old, 'yesterday\n');
    const b = await openFileSink(old);
    await b.sink.write('today, half written');
    await b.abort();
    await b.abort();
    expect(ls()).toEqual(['old.csv']);
    expect(readFileSync(old, 'utf8')).toBe('yesterday\n');
  });

  it('replaces an existing target atomically on commit', async () => {
    const target = join(tmp.dir, 'data.csv');
    writeFileSync(target, 'old\n');
    const out = await openFileSink(target);
    await out.sink.write('new\n');
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    await out.commit();
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(ls()).toEqual(['data.csv']);
  });

  it('gzips a whole writer run into one member', async () => {
    const target = join(tmp.dir, 'conv.csv.gz');
    const out = await openFileSink(target, { gzip: true });
    const rows = Array.from({ length: 2000 }, (_, i) => ({ ...fixtureRows('conversions')[0]!, touchpoint_index: i }));
    await writeCsv(rowsOf(rows), out.sink, { columns: CONVERSIONS_COLUMNS });
    await out.commit();
    const gz = readFileSync(target);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gz.length).toBeLessThan(50_000);
    const parsed = parseCsvWithPython(gunzipSync(gz).toString('utf8'));
    expect(parsed).toHaveLength(2001);
    // One gzip member: exactly one header magic at the start.
    expect(gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 1)).toBe(-1);
  });

  it('aborting a gzip output removes the temp file', async () => {
    const out = await openFileSink(join(tmp.dir, 'x.ndjson.gz'), { gzip: true });
    await out.sink.write('x'.repeat(100_000));
    await out.abort();
    expect(ls()).toEqual([]);
  });

  it('a checkpointed temp file: settle gives its length and the sha256 of exactly those bytes, hashed as written', async () => {
    const target = join(tmp.dir, 'cp.ndjson');
    const partial = join(tmp.dir, '.cp.ndjson.mbuzz-partial');
    const out = await openFileSink(target, { temp: { path: partial } });
    await out.sink.write('{"a":1}\n');
    await out.sink.write(Buffer.from('{"a":2}\n'.repeat(50_000)));
    const settled = await out.settle({ sync: true });
    const onDisk = readFileSync(partial);
    expect(settled).toEqual({ bytes: onDisk.length, sha256: createHash('sha256').update(onDisk).digest('hex') });
    await out.commit();
    expect(ls()).toEqual(['cp.ndjson']);
  });

  it.skipIf(process.getuid?.() !== 0)('a symlink owned by another user is not followed (needs root to make one)', async () => {
    writeFileSync(join(tmp.dir, 'real.csv'), 'old\n');
    symlinkSync(join(tmp.dir, 'real.csv'), join(tmp.dir, 'link.csv'));
    lchownSync(join(tmp.dir, 'link.csv'), 4242, 4242);
    await expect(checkFileTarget(join(tmp.dir, 'link.csv'))).rejects.toThrow(
      new UsageError(`cannot write ${join(tmp.dir, 'link.csv')}: it is a symbolic link owned by another user (uid 4242); mbuzz does not follow it`),
    );
    expect(await checkFileTarget(join(tmp.dir, 'real.csv'))).toBe(join(tmp.dir, 'real.csv'));
  });

  describe('refuses, before creating anything, a target it cannot write (UsageError naming the path)', () => {
    it('missing parent directory', async () => {
      const target = join(tmp.dir, 'no', 'such', 'out.csv');
      const err = await openFileSink(target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(target);
      expect((err as Error).message).toContain('does not exist');
      expect(ls()).toEqual([]);
    });

    it('parent is a file', async () => {
      writeFileSync(join(tmp.dir, 'file'), '');
      const err = await openFileSink(join(tmp.dir, 'file', 'out.csv')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/not a directory/);
    });

    it('target is a directory', async () => {
      mkdirSync(join(tmp.dir, 'out.csv'));
      const err = await openFileSink(join(tmp.dir, 'out.csv')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/is a directory/);
    });

    it('a directory nobody may create files in (/sys refuses even root)', async () => {
      const err = await openFileSink('/sys/mbuzz-test-output.csv').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain('/sys/mbuzz-test-output.csv');
    });

    it.skipIf(process.getuid?.() === 0)('a read-only directory (non-root only: root ignores modes)', async () => {
      const dir = join(tmp.dir, 'ro');
      mkdirSync(dir);
      chmodSync(dir, 0o555);
      try {
        const err = await openFileSink(join(dir, 'out.csv')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).toMatch(/not writable/);
      } finally {
        chmodSync(dir, 0o755);
      }
    });
  });

  it('reports a full disk as one line naming the target; abort removes the temp file', async () => {
    const target = join(tmp.dir, 'big.ndjson');
    let written = 0;
    let tempPath = '';
    const out = await openFileSink(target, {
      openTemp: async (path) => {
        tempPath = path;
        writeFileSync(path, '');
        const fail: TempFile = {
          async write(bytes) {
            if (written + bytes.length > 100_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            written += bytes.length;
            return bytes.length;
          },
          async sync() {},
          async close() {},
        };
        return fail;
      },
    });
    expect(existsSync(tempPath)).toBe(true);
    const chunk = 'y'.repeat(64 * 1024);
    let err: unknown;
    try {
      for (let i = 0; i < 10; i++) await out.sink.write(chunk);
      await out.commit();
    } catch (e) {
      err = e;
      await out.abort();
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`cannot write ${target}: no space left on device (ENOSPC)`);
    expect(ls()).toEqual([]);
  });

  it('a short write is completed, not dropped', async () => {
    const target = join(tmp.dir, 'short.txt');
    const out = await openFileSink(target, {
      openTemp: async (path) => {
        const { promises: fsp } = await import('node:fs');
        const h = await fsp.open(path, 'wx');
        // Writes at most 7 bytes per call, like a pipe or a nearly full disk might.
        return { write: async (b) => (await h.write(b.subarray(0, 7))).bytesWritten, sync: () => h.sync(), close: () => h.close() };
      },
    });
    await out.sink.write('hello, short writes ✓\n');
    await out.commit();
    expect(readFileSync(target, 'utf8')).toBe('hello, short writes ✓\n');
  });
});
