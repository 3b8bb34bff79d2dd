import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ServerError } from '../../../src/core/errors.js';
import { S3Store } from '../../../src/destinations/s3/store.js';
import { CONVERSIONS_COLUMNS } from '../../../src/providers/mbuzz/schemas.js';
import { writeCsv } from '../../../src/writers/csv.js';
import { writeParquet } from '../../../src/writers/parquet.js';
import { fixtureRows, parseCsvWithPython, rowsOf } from '../../writers/helpers.js';
import { patternBytes, startS3Server, type S3Server } from './harness.js';

// The object output against a real S3-protocol server: bytes read back through our own SDK
// client (not the code under test), parts counted in the server's request log, what is left of
// unfinished uploads listed by the server.

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let server: S3Server;
let store: S3Store;
const warnings: string[] = [];
beforeAll(async () => {
  server = await startS3Server();
  store = await S3Store.open('mbuzz-test', server.options({ partSize: 5 * MiB, onWarning: (l) => warnings.push(l) }));
});
afterAll(async () => {
  store?.close();
  await server?.stop();
});

const partRequests = (key: string) => server.requests().filter((r) => r.startsWith(`PUT /mbuzz-test/${key}?`) && r.includes('partNumber='));

/** Writes `data` in chunks of `chunk` bytes, as a writer would. */
async function writeAll(sink: { write(c: Uint8Array): Promise<void> }, data: Buffer, chunk = 256 * 1024): Promise<void> {
  for (let i = 0; i < data.length; i += chunk) await sink.write(data.subarray(i, i + chunk));
}

describe('S3 object output', () => {
  it('sends a small output as one PUT at commit, and nothing before', async () => {
    const out = await store.openOutput('small/a.ndjson');
    await out.sink.write('{"a":1}\n');
    await out.sink.write(Buffer.from('{"a":2}\n'));
    expect(await server.get('small/a.ndjson')).toBeUndefined();
    await out.commit();
    expect((await server.get('small/a.ndjson'))?.toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(partRequests('small/a.ndjson')).toEqual([]);
    await out.abort(); // a no-op once committed
    expect((await server.get('small/a.ndjson'))?.toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('streams 17 MiB as several parts of a multipart upload, visible only at commit, byte for byte', async () => {
    const data = patternBytes(17 * MiB + 123, 7);
    const out = await store.openOutput('big/blob.bin');
    await writeAll(out.sink, data);
    // three 5 MiB parts were handed over, two at most in flight: parts are on the server, the object is not
    expect(partRequests('big/blob.bin').length).toBeGreaterThanOrEqual(2);
    expect(await server.keys('big/')).toEqual([]);
    expect((await server.uploads('big/')).map(([k]) => k)).toEqual(['big/blob.bin']);
    await out.commit();
    const back = await server.get('big/blob.bin');
    expect(back?.length).toBe(data.length);
    expect(sha(back!)).toBe(sha(data));
    expect(partRequests('big/blob.bin').map((r) => /partNumber=(\d+)/.exec(r)![1])).toEqual(['1', '2', '3', '4']);
    expect(await server.uploads('big/')).toEqual([]);
  });

  it('abort in the middle: no object, the parts released, and an older object at the key untouched', async () => {
    const before = await store.openOutput('keep/old.csv');
    await before.sink.write('old,content\n');
    await before.commit();

    const out = await store.openOutput('keep/old.csv');
    // three parts handed over, two at most in flight: the upload has begun on the server
    await writeAll(out.sink, patternBytes(16 * MiB, 3));
    expect((await server.uploads('keep/')).length).toBe(1);
    await out.abort();
    expect((await server.get('keep/old.csv'))?.toString()).toBe('old,content\n');
    expect(await server.uploads('keep/')).toEqual([]);
    await expect(out.sink.write('more')).rejects.toThrow(/already aborted/);
    await expect(out.commit()).rejects.toThrow(/already aborted/);
  });

  it('gzips a .gz key as one gzip member', async () => {
    const text = Array.from({ length: 20000 }, (_, i) => `{"row":${i},"pad":"${'x'.repeat(i % 50)}"}\n`).join('');
    const out = await store.openOutput('gz/rows.ndjson.gz', { gzip: true });
    for (let i = 0; i < text.length; i += 10000) await out.sink.write(text.slice(i, i + 10000));
    await out.commit();
    const back = await server.get('gz/rows.ndjson.gz');
    expect(back!.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(back!).toString()).toBe(text);
  });

  it('a CSV and a Parquet written by the real writers read back with Python csv and hyparquet', async () => {
    const rows = fixtureRows('conversions');
    const csv = await store.openOutput('w/conv.csv');
    await writeCsv(rowsOf(rows), csv.sink, { columns: CONVERSIONS_COLUMNS });
    await csv.commit();
    const table = parseCsvWithPython((await server.get('w/conv.csv'))!.toString());
    expect(table[0]).toEqual(CONVERSIONS_COLUMNS.map((c) => c.name));
    expect(table.length - 1).toBe(rows.length);

    const pq = await store.openOutput('w/conv.parquet');
    await writeParquet(rowsOf(rows), pq.sink, { columns: CONVERSIONS_COLUMNS });
    await pq.commit();
    const bytes = (await server.get('w/conv.parquet'))!;
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const back = await parquetReadObjects({ file });
    expect(back.length).toBe(rows.length);
    // hyparquet reads a DATE column as a Date at UTC midnight
    const pick = (r: Record<string, unknown>) => [r.date instanceof Date ? r.date.toISOString().slice(0, 10) : r.date, r.name, r.channel, r.credit];
    expect(back.map(pick)).toEqual(rows.map(pick));
  });

  it('a part that keeps failing fails the next write or the commit with one line (exit 5), and nothing is left', async () => {
    const faulty = await startS3Server({ faults: { failPart: 2 } });
    const s = await S3Store.open('mbuzz-test', faulty.options({ partSize: 5 * MiB }));
    try {
      const out = await s.openOutput('f/x.bin');
      const failure = await (async () => {
        try {
          await writeAll(out.sink, patternBytes(60 * MiB, 5));
          await out.commit();
        } catch (err) {
          return err as Error;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(ServerError);
      expect(failure!.message).toMatch(/^cannot write s3:\/\/mbuzz-test\/f\/x\.bin: S3 at http:\/\/127\.0\.0\.1:\d+ did not answer \(InternalError 500\)/);
      expect(failure!.message).not.toContain('\n');
      await out.abort();
      expect(await faulty.keys()).toEqual([]);
      expect(await faulty.uploads()).toEqual([]);
      // Part 2 was retried, then its failure stopped the stream: after its last attempt no new
      // part was started (at most the one already in the other slot arrived after it).
      const parts = faulty.requests().filter((r) => r.includes('partNumber=')).map((r) => Number(/partNumber=(\d+)/.exec(r)![1]));
      const last2 = parts.lastIndexOf(2);
      expect(parts.filter((n) => n === 2).length).toBeGreaterThan(1);
      const startedAfter = parts.slice(last2 + 1).filter((n) => !parts.slice(0, last2 + 1).includes(n));
      expect(startedAfter.length).toBeLessThanOrEqual(1);
      expect(Math.max(...parts)).toBeLessThan(12);
    } finally {
      s.close();
      await faulty.stop();
    }
  });

  it('holds at most two parts in flight: with parts unanswered, the write of a third waits; abort cancels them', async () => {
    const stuck = await startS3Server({ faults: { hangParts: true } });
    const s = await S3Store.open('mbuzz-test', stuck.options({ partSize: 5 * MiB, queueSize: 2 }));
    try {
      const out = await s.openOutput('h/x.bin');
      const part = patternBytes(5 * MiB, 11);
      await out.sink.write(part); // part 1 in flight
      await out.sink.write(part); // part 2 in flight
      const third = out.sink.write(part).then(() => 'written', () => 'failed');
      // Never resolves while the first two hang; a wait is only the time we give a wrong answer to show up.
      expect(await Promise.race([third, new Promise((r) => setTimeout(() => r('waiting'), 1500))])).toBe('waiting');
      await out.abort();
      expect(await third).toBe('failed');
      expect(await stuck.uploads()).toEqual([]);
      expect(await stuck.keys()).toEqual([]);
    } finally {
      s.close();
      await stuck.stop();
    }
  });

  it('a commit that fails (CompleteMultipartUpload refused) aborts the upload itself', async () => {
    const faulty = await startS3Server({ faults: { failComplete: true } });
    const s = await S3Store.open('mbuzz-test', faulty.options({ partSize: 5 * MiB }));
    try {
      const out = await s.openOutput('c/x.bin');
      await writeAll(out.sink, patternBytes(11 * MiB, 9));
      await expect(out.commit()).rejects.toThrow(ServerError);
      expect(await faulty.keys()).toEqual([]);
      expect(await faulty.uploads()).toEqual([]);
    } finally {
      s.close();
      await faulty.stop();
    }
  });

  it('credentials refused in the middle of a run are exit 3, with no secret in the message', async () => {
    const s = await S3Store.open('mbuzz-test', server.options({ credentials: { accessKeyId: 'MBUZZTESTWRITER', secretAccessKey: 'not-the-secret-0123456789' } }));
    try {
      const out = await s.openOutput('auth/x.csv', { abortStale: false });
      await out.sink.write('a\n');
      const err = await out.commit().then(() => undefined, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(AuthError);
      expect(err!.message).toBe('cannot write s3://mbuzz-test/auth/x.csv: the AWS credentials were refused (SignatureDoesNotMatch)');
      expect(err!.message).not.toContain('not-the-secret');
    } finally {
      s.close();
    }
  });

  it('the next run to a key aborts the unfinished uploads an earlier, killed run left there (and only there)', async () => {
    const { CreateMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    for (const key of ['stale/x.parquet', 'stale/x.parquet', 'stale/x.parquet.other']) await server.reader.send(new CreateMultipartUploadCommand({ Bucket: 'mbuzz-test', Key: key }));
    warnings.length = 0;
    const out = await store.openOutput('stale/x.parquet');
    expect((await server.uploads('stale/')).map(([k]) => k)).toEqual(['stale/x.parquet.other']);
    expect(warnings).toEqual(['aborted 2 unfinished uploads of s3://mbuzz-test/stale/x.parquet left by an earlier run']);
    await out.abort();
  });
});
