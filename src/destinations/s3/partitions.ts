import { parseIsoDate } from '../../core/dates.js';
import type { DayRange } from '../claims.js';
import { RECORD_NAME } from '../partition-records.js';
import type { PartitionStore, StagedOutput, StoredPartition } from '../partition-store.js';
import { claimOnS3 } from './claims.js';
import { S3Store, type S3StoreOptions } from './store.js';
import { parseS3PrefixUrl } from './url.js';

// `-o s3://bucket/prefix --partition-by date`: a directory of partitions on S3, the same layout
// as a local one (prefix/date=YYYY-MM-DD/part-0000.<ext> and its _mbuzz.json). A part is staged
// as a multipart upload whose parts are all sent but which is not completed, so it is invisible
// and holds no memory until the run's checks pass; CompleteMultipartUpload publishes it (S3
// replaces the object whole: a reader sees the old or the new). A record is one PUT at commit.
// S3 has no directories: a partition exists while an object has its prefix, and removing it
// deletes those objects. Claims: claims.ts. The manifest: `publish`.

const PART_FILE = /^part-\d{4}\.(ndjson|csv|parquet)$/;
const IN_PARTITION = /^date=(\d{4}-\d{2}-\d{2})\/([^/]+)$/;
/** Rounds of write-then-verify before the manifest is left to the next run (see publish). */
const PUBLISH_ROUNDS = 5;

export class S3PartitionStore implements PartitionStore {
  /** Record texts by key and ETag: a manifest rebuilt twice reads each record once. */
  private readonly records = new Map<string, { etag: string; text: string | undefined }>();
  /** Each claim's check that it is still this run's (claims.ts), made before a commit. */
  private readonly claims: Array<() => Promise<void>> = [];

  private constructor(
    readonly store: S3Store,
    /** '' or ending in '/'. */
    readonly prefix: string,
    private readonly owner: boolean,
  ) {}

  /** `url`: s3://bucket/prefix (with or without the trailing slash). Loads the SDK. */
  static async open(url: string, options: S3StoreOptions): Promise<S3PartitionStore> {
    const loc = parseS3PrefixUrl(url);
    return new S3PartitionStore(await S3Store.open(loc.bucket, options), loc.key, true);
  }

  get where(): string {
    return this.store.url(this.prefix);
  }

  /** May we write under the prefix? A probe key there (see S3Store.check). */
  check(): Promise<void> {
    return this.store.check(this.store.probeKey(this.prefix), `under ${this.where}`);
  }

  child(name: string): PartitionStore {
    return new S3PartitionStore(this.store, `${this.prefix}${name}/`, false);
  }

  async children(): Promise<string[]> {
    const { prefixes } = await this.store.list(this.prefix, '/');
    return prefixes
      .map((p) => p.slice(this.prefix.length, -1))
      .filter((n) => n !== '' && !n.startsWith('date=') && !n.startsWith('.') && !n.startsWith('_'))
      .sort();
  }

  /** Unfinished uploads to the same key were aborted when the run claimed the day (claims.ts). */
  async openPart(date: string, name: string): Promise<StagedOutput> {
    return this.store.openOutput(this.key(date, name), { abortStale: false });
  }

  async stageRecord(date: string, text: string): Promise<StagedOutput> {
    const key = this.key(date, RECORD_NAME);
    let state: 'staged' | 'done' = 'staged';
    return {
      sink: { write: () => Promise.reject(new Error(`${this.store.url(key)} is staged whole`)) },
      seal: async () => undefined,
      commit: async () => {
        if (state !== 'staged') throw new Error(`${this.store.url(key)} was already published`);
        state = 'done';
        await this.store.writeText(key, text, 'application/json');
      },
      abort: async () => {
        state = 'done';
      },
    };
  }

  async listPartitions(): Promise<StoredPartition[]> {
    const { objects } = await this.store.listObjects(`${this.prefix}date=`);
    const byDate = new Map<string, StoredPartition>();
    const recordKeys: { date: string; key: string; etag: string }[] = [];
    for (const o of objects) {
      const m = IN_PARTITION.exec(o.key.slice(this.prefix.length));
      if (!m) continue;
      const [, date, name] = m as unknown as [string, string, string];
      if (parseIsoDate(date) === undefined) continue;
      const p = byDate.get(date) ?? { date, files: [] };
      byDate.set(date, p);
      if (PART_FILE.test(name)) p.files.push({ name, bytes: o.bytes });
      else if (name === RECORD_NAME) recordKeys.push({ date, key: o.key, etag: o.etag });
    }
    await eachLimited(recordKeys, 8, async ({ date, key, etag }) => {
      const cached = this.records.get(key);
      const text = cached?.etag === etag && etag !== '' ? cached.text : await this.store.readText(key);
      this.records.set(key, { etag, text });
      if (text !== undefined) byDate.get(date)!.record = text;
    });
    return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  async removeOtherParts(date: string, keep: string): Promise<void> {
    for (const key of await this.keysOf(date)) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (name !== keep && PART_FILE.test(name)) await this.store.delete(key);
    }
  }

  async removePartition(date: string): Promise<boolean> {
    const keys = await this.keysOf(date);
    // the part file first: a record left alone by a failure describes nothing and is ignored
    for (const key of keys.sort((a, b) => Number(a.endsWith(RECORD_NAME)) - Number(b.endsWith(RECORD_NAME)))) await this.store.delete(key);
    return keys.length > 0;
  }

  sha256(path: string): Promise<string> {
    return this.store.sha256(this.prefix + path);
  }

  async claim(days: DayRange, what: string, note: (line: string) => void): Promise<void> {
    this.claims.push(await claimOnS3(this.store, this.prefix, days, what, note));
  }

  async confirmClaims(): Promise<void> {
    for (const confirm of this.claims) await confirm();
  }

  /**
   * S3 has no lock to rebuild the manifest under, so each run writes it and then describes the
   * prefix again: if a partition committed meanwhile (another shard), it writes again. When every
   * run does this after its commit, the manifest written last was verified after every commit
   * that came before it, so it lists every partition.
   */
  async publish(name: string, build: () => Promise<{ text: string; state: string }>, note: (line: string) => void): Promise<void> {
    let built = await build();
    for (let round = 1; ; round++) {
      await this.store.writeText(this.prefix + name, built.text, 'application/json');
      const now = await build();
      if (now.state === built.state) return;
      if (round === PUBLISH_ROUNDS) {
        note(`warning: partitions under ${this.where} kept changing while ${name} was written; the next run to finish rewrites it`);
        return;
      }
      built = now;
    }
  }

  close(): void {
    if (this.owner) this.store.close();
  }

  private key(date: string, name: string): string {
    return `${this.prefix}date=${date}/${name}`;
  }

  private async keysOf(date: string): Promise<string[]> {
    return (await this.store.list(`${this.prefix}date=${date}/`)).keys;
  }
}

async function eachLimited<T>(items: readonly T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
