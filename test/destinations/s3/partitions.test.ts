import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { S3PartitionDir } from '../../../src/destinations/s3/partitions.js';
import { READ_ONLY, startS3Server, type S3Server } from './harness.js';

// A directory of date partitions on S3, through the operations the pipeline needs, checked
// against what the server holds (listed and read by our own reader).

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

async function withDir<T>(url: string, f: (dir: S3PartitionDir) => Promise<T>, extra = {}): Promise<T> {
  const dir = await S3PartitionDir.open(url, server.options(extra));
  try {
    return await f(dir);
  } finally {
    dir.close();
  }
}

describe('S3 partition directory', () => {
  it('writes date=YYYY-MM-DD/part-0000.<ext> under the prefix, each visible at its commit', async () => {
    await withDir('s3://mbuzz-test/lake/conversions', async (dir) => {
      await dir.check();
      expect(dir.url).toBe('s3://mbuzz-test/lake/conversions/');
      const a = await dir.openPartition('2026-05-01', 'csv');
      await a.sink.write('date\n2026-05-01\n');
      const b = await dir.openPartition('2026-05-02', 'csv.gz', { gzip: true });
      await b.sink.write('date\n2026-05-02\n');
      expect(await server.keys('lake/')).toEqual([]);
      await a.commit();
      expect(await server.keys('lake/')).toEqual(['lake/conversions/date=2026-05-01/part-0000.csv']);
      await b.commit();
      expect(await dir.listPartitions()).toEqual(['2026-05-01', '2026-05-02']);
      expect(await dir.partitionFiles('2026-05-02')).toEqual(['date=2026-05-02/part-0000.csv.gz']);
      expect(dir.partitionFile('2026-05-01', 'parquet')).toBe('date=2026-05-01/part-0000.parquet');
      expect((await server.get('lake/conversions/date=2026-05-01/part-0000.csv'))?.toString()).toBe('date\n2026-05-01\n');
    });
  });

  it('lists only date partitions of this prefix, and removes one whole', async () => {
    await withDir('s3://mbuzz-test/lake2/', async (dir) => {
      for (const d of ['2026-04-30', '2026-05-01']) {
        const o = await dir.openPartition(d, 'ndjson');
        await o.sink.write('{}\n');
        await o.commit();
      }
      await dir.writeJson('date=2026-05-01/_record.json', { writer: 'shard 1/2' });
      await dir.writeJson('_manifest.json', { files: 2 });
      await withDir('s3://mbuzz-test/lake2-other', async (other) => {
        const o = await other.openPartition('2026-01-01', 'ndjson');
        await o.commit();
      });
      expect(await dir.listPartitions()).toEqual(['2026-04-30', '2026-05-01']);
      await dir.removePartition('2026-05-01');
      expect(await dir.listPartitions()).toEqual(['2026-04-30']);
      expect(await server.keys('lake2/')).toEqual(['lake2/_manifest.json', 'lake2/date=2026-04-30/part-0000.ndjson']);
      expect(await server.keys('lake2-other/')).toEqual(['lake2-other/date=2026-01-01/part-0000.ndjson']);
    });
  });

  it('reads and replaces small JSON objects; a missing one is undefined', async () => {
    await withDir('s3://mbuzz-test/j', async (dir) => {
      expect(await dir.readJson('_manifest.json')).toBeUndefined();
      await dir.writeJson('_manifest.json', { v: 1, files: ['a'] });
      await dir.writeJson('_manifest.json', { v: 2, files: ['a', 'b'] });
      expect(await dir.readJson('_manifest.json')).toEqual({ v: 2, files: ['a', 'b'] });
      expect(JSON.parse((await server.get('j/_manifest.json'))!.toString())).toEqual({ v: 2, files: ['a', 'b'] });
    });
  });

  it('the bucket root works as a directory too', async () => {
    await withDir('s3://mbuzz-test', async (dir) => {
      expect(dir.prefix).toBe('');
      const o = await dir.openPartition('2026-02-03', 'parquet');
      await o.sink.write('x');
      await o.commit();
      expect(await dir.listPartitions()).toContain('2026-02-03');
    });
  });

  it('the check refuses a prefix the credentials may not write, leaving nothing', async () => {
    const err = await withDir('s3://mbuzz-test/ro', (dir) => dir.check().then(() => undefined, (e: unknown) => e as Error), { credentials: READ_ONLY });
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toMatch(/^cannot write under s3:\/\/mbuzz-test\/ro\/: permission denied \(AccessDenied\)/);
    expect(await server.uploads('ro/')).toEqual([]);
  });
});
