import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusyError } from '../../src/core/errors.js';
import { releaseHeldLocks } from '../../src/core/lock.js';
import { LocalPartitionStore } from '../../src/destinations/local-partitions.js';
import type { PartitionStore } from '../../src/destinations/partition-store.js';
import { S3PartitionStore } from '../../src/destinations/s3/partitions.js';
import { BUCKET, startS3Server, type S3Server } from './s3/harness.js';

// The one interface partitioned.ts writes through, held to the same contract by both stores: a
// local directory and an S3 prefix (a real S3-protocol server). What each holds is read back
// independently: the filesystem by node:fs, S3 by the harness's own SDK client.

let server: S3Server;
const local = mkdtempSync(join(tmpdir(), 'mbuzz-store-'));
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
  rmSync(local, { recursive: true, force: true });
});
afterEach(async () => {
  await releaseHeldLocks();
});

/** One store under test, and what an independent reader sees there. */
interface Subject {
  store: PartitionStore;
  /** Names under the directory, relative to it, sorted (directories left out). */
  names(): Promise<string[]>;
  read(rel: string): Promise<string | undefined>;
  /** Puts a file as another program would. */
  plant(rel: string, text: string): Promise<void>;
  /** Multipart uploads not yet completed (S3; none locally). */
  unfinished(): Promise<string[]>;
}

let n = 0;
const subjects: [string, () => Promise<Subject>][] = [
  [
    'local directory',
    async () => {
      const dir = join(local, `d${n++}`);
      const store = new LocalPartitionStore(dir);
      await store.check();
      const walk = (d: string, at: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name), `${at}${e.name}/`) : [`${at}${e.name}`]));
      return {
        store,
        names: async () => walk(dir, '').sort(),
        read: async (rel) => (existsSync(join(dir, rel)) ? readFileSync(join(dir, rel), 'utf8') : undefined),
        plant: async (rel, text) => {
          mkdirSync(join(dir, rel, '..'), { recursive: true });
          writeFileSync(join(dir, rel), text);
        },
        unfinished: async () => [],
      };
    },
  ],
  [
    'S3 prefix',
    async () => {
      const prefix = `p${n++}/`;
      const store = await S3PartitionStore.open(`s3://${BUCKET}/${prefix}`, server.options());
      await store.check();
      return {
        store,
        names: async () => (await server.keys(prefix)).map((k) => k.slice(prefix.length)),
        read: async (rel) => (await server.get(prefix + rel))?.toString('utf8'),
        plant: async (rel, text) => void (await server.reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: prefix + rel, Body: text }))),
        unfinished: async () => (await server.uploads(prefix)).map(([k]) => k.slice(prefix.length)),
      };
    },
  ],
];

describe.each(subjects)('%s', (_, make) => {
  it('a part is invisible while written and once sealed; commit replaces the day whole; abort leaves nothing', async () => {
    const s = await make();
    await s.plant('date=2026-05-01/part-0000.csv', 'old\n');
    const a = await s.store.openPart('2026-05-01', 'part-0000.csv');
    await a.sink.write('date\n2026-05-01\n');
    const b = await s.store.openPart('2026-05-02', 'part-0000.csv');
    await b.sink.write('date\n2026-05-02\n');
    await a.seal();
    await b.seal();
    expect(await s.read('date=2026-05-01/part-0000.csv')).toBe('old\n');
    expect((await s.names()).filter((f) => !f.startsWith('.') && !f.includes('/.'))).toEqual(['date=2026-05-01/part-0000.csv']);
    await a.commit();
    await b.abort();
    expect(await s.read('date=2026-05-01/part-0000.csv')).toBe('date\n2026-05-01\n');
    expect(await s.names()).toEqual(['date=2026-05-01/part-0000.csv']);
    expect(await s.unfinished()).toEqual([]);
    s.store.close();
  });

  it('lists partitions with their part files, sizes and record text; removes other parts and whole days', async () => {
    const s = await make();
    await s.plant('date=2026-04-30/part-0000.ndjson', '{}\n');
    await s.plant('date=2026-04-30/part-0000.csv', 'a\n1\n');
    await s.plant('date=2026-04-30/_mbuzz.json', '{"r":1}');
    await s.plant('date=2026-05-01/part-0000.ndjson', '{"a":1}\n');
    await s.plant('date=2026-13-01/part-0000.ndjson', 'not a day\n');
    await s.plant('spend/date=2026-05-01/part-0000.ndjson', '{}\n');
    await s.plant('_manifest.json', '{}');
    const record = await s.store.stageRecord('2026-05-01', '{"r":2}');
    expect(await s.read('date=2026-05-01/_mbuzz.json')).toBeUndefined();
    await record.commit();

    const listed = await s.store.listPartitions();
    expect(listed.map((p) => ({ ...p, files: [...p.files].sort((x, y) => x.name.localeCompare(y.name)) }))).toEqual([
      { date: '2026-04-30', files: [{ name: 'part-0000.csv', bytes: 4 }, { name: 'part-0000.ndjson', bytes: 3 }], record: '{"r":1}' },
      { date: '2026-05-01', files: [{ name: 'part-0000.ndjson', bytes: 8 }], record: '{"r":2}' },
    ]);
    expect(await s.store.children()).toEqual(['spend']);
    expect((await s.store.child('spend').listPartitions()).map((p) => p.date)).toEqual(['2026-05-01']);
    expect(await s.store.sha256('date=2026-05-01/part-0000.ndjson')).toBe(execFileSync('sha256sum', { input: '{"a":1}\n' }).toString().split(' ')[0]);

    await s.store.removeOtherParts('2026-04-30', 'part-0000.csv');
    expect(await s.read('date=2026-04-30/part-0000.ndjson')).toBeUndefined();
    expect(await s.read('date=2026-04-30/part-0000.csv')).toBe('a\n1\n');
    expect(await s.store.removePartition('2026-04-30')).toBe(true);
    expect(await s.store.removePartition('2026-04-29')).toBe(false);
    expect((await s.names()).filter((f) => f.startsWith('date=2026-04-30'))).toEqual([]);
    expect(await s.read('spend/date=2026-05-01/part-0000.ndjson')).toBe('{}\n');
    s.store.close();
  });

  it('claims: days held by a live run are refused naming it; other days go ahead; a dead run\'s claim is taken over', async () => {
    const s = await make();
    const notes: string[] = [];
    await s.store.claim({ from: '2026-05-01', to: '2026-05-10' }, '-o first', (l) => notes.push(l));
    // this process is alive, so its claim holds against a second claim of one of those days
    const err = await s.store.claim({ from: '2026-05-10', to: '2026-05-12' }, '-o second', (l) => notes.push(l)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusyError);
    expect((err as Error).message).toMatch(new RegExp(`^-o second is in use by another mbuzz run \\(pid ${process.pid}, started \\S+, writing 2026-05-01\\.\\.2026-05-10\\); try again when it has finished \\(lock: \\S+\\.mbuzz-claim\\.2026-05-01\\.\\.2026-05-10\\.[0-9a-f]+\\.(lock|json)\\)$`));
    // overlapping from the other side, or holding it inside
    for (const days of [{ from: '2026-04-28', to: '2026-05-01' }, { from: '2026-04-01', to: '2026-06-01' }, { from: '2026-05-05', to: '2026-05-05' }]) {
      expect(await s.store.claim(days, '-o second', () => undefined).catch((e: unknown) => e)).toBeInstanceOf(BusyError);
    }
    await s.store.claim({ from: '2026-05-11', to: '2026-05-12' }, '-o third', (l) => notes.push(l));
    expect((await s.names()).filter((f) => f.startsWith('.mbuzz-claim.'))).toHaveLength(2);

    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `.mbuzz-claim.2026-06-01..2026-06-02.00112233aabbccdd.${s.store.where.startsWith('s3:') ? 'json' : 'lock'}`;
    await s.plant(stale, JSON.stringify({ pid: dead, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', nonce: '00112233aabbccdd' }));
    await s.store.claim({ from: '2026-06-02', to: '2026-06-03' }, '-o fourth', (l) => notes.push(l));
    expect(notes).toEqual([expect.stringMatching(new RegExp(`^took over the claim \\S+${stale.replace(/\./g, '\\.')} of an earlier run \\(pid ${dead}, started 2026-01-01T00:00:00\\.000Z\\), which is no longer running$`))]);

    await releaseHeldLocks();
    expect((await s.names()).filter((f) => f.startsWith('.mbuzz-'))).toEqual([]);
    s.store.close();
  });

  it('publish writes the manifest from what is there when it is written', async () => {
    const s = await make();
    let calls = 0;
    // another run commits a partition while this one writes: the first description is outdated at once
    await s.store.publish(
      '_manifest.json',
      async () => {
        calls += 1;
        const text = JSON.stringify({ partitions: (await s.store.listPartitions()).map((p) => p.date) });
        if (calls === 1) await s.plant('date=2026-07-01/part-0000.ndjson', '{}\n');
        return { text, state: text };
      },
      () => undefined,
    );
    // either the store described it under a lock that kept the other run out (local; the plant came
    // after), or it verified what it wrote and wrote again (S3): what is there now is listed
    const m = JSON.parse((await s.read('_manifest.json'))!) as { partitions: string[] };
    if (s.store.where.startsWith('s3:')) expect(m.partitions).toEqual(['2026-07-01']);
    else expect(m.partitions).toEqual([]);
    s.store.close();
  });
});

describe('local directory: the manifest is rebuilt under DIR/.mbuzz-lock', () => {
  it('waits while another run holds it, then writes', async () => {
    const dir = join(local, 'held');
    mkdirSync(dir);
    const lock = join(dir, '.mbuzz-lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', nonce: 'feedfacecafebeef' }));
    const store = new LocalPartitionStore(dir);
    let written = false;
    const publishing = store.publish('_manifest.json', async () => ({ text: '{"m":1}\n', state: '' }), () => undefined).then(() => (written = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(written).toBe(false);
    rmSync(lock);
    await publishing;
    expect(readFileSync(join(dir, '_manifest.json'), 'utf8')).toBe('{"m":1}\n');
    expect(readdirSync(dir)).toEqual(['_manifest.json']);
  });
});

describe('S3 prefix: a claim lost before the commit', () => {
  it('confirmClaims is a BusyError (exit 75) once the claim object is no longer this run\'s, and passes while it is', async () => {
    const prefix = `lost${n++}/`;
    const store = await S3PartitionStore.open(`s3://${BUCKET}/${prefix}`, server.options());
    await store.check();
    await store.claim({ from: '2026-07-01', to: '2026-07-02' }, '-o s3', () => undefined);
    await store.confirmClaims();
    const [claim] = (await server.keys(prefix)).filter((k) => k.slice(prefix.length).startsWith('.mbuzz-claim.'));
    expect(claim).toBeDefined();
    // another run took the lapsed lease over: the object is gone or holds another run's claim
    await server.reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: claim!, Body: '{"pid":1}\n' }));
    const err = await store.confirmClaims().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusyError);
    expect((err as Error).message).toMatch(/^-o s3: this run's claim s3:\/\/\S+ on 2026-07-01\.\.2026-07-02 is gone .*nothing of this run was published/);
  });
});
