import type { S3Output } from './upload.js';
import { S3Store, type OutputOptions, type S3StoreOptions } from './store.js';
import { parseS3PrefixUrl } from './url.js';

// `-o s3://bucket/prefix --partition-by date` as a directory: what partitioned.ts does with a
// local DIR, over S3. Each partition is `prefix/date=YYYY-MM-DD/part-0000.<ext>`, replaced whole
// by one upload that becomes visible at its commit; small JSON objects beside them (a record of
// who wrote a partition, the manifest) are single PUTs. S3 has no directories: a partition
// "exists" while an object has its prefix, and removing it deletes those objects.

const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})\/$/;

export interface S3PartitionDirOptions extends S3StoreOptions {}

export class S3PartitionDir {
  private constructor(
    readonly store: S3Store,
    /** '' or ending in '/'. */
    readonly prefix: string,
  ) {}

  /** `url`: s3://bucket/prefix (with or without the trailing slash). */
  static async open(url: string, options: S3PartitionDirOptions): Promise<S3PartitionDir> {
    const loc = parseS3PrefixUrl(url);
    return new S3PartitionDir(await S3Store.open(loc.bucket, options), loc.key);
  }

  get url(): string {
    return this.store.url(this.prefix);
  }

  /** The pre-flight check: may we write under the prefix? (A probe key there; see S3Store.check.) */
  check(): Promise<void> {
    return this.store.check(this.store.probeKey(this.prefix), `under ${this.url}`);
  }

  /** Relative name of a partition's file, as the manifest lists it: `date=2026-05-01/part-0000.parquet`. */
  partitionFile(date: string, ext: string): string {
    return `date=${date}/part-0000.${ext}`;
  }

  /** Starts replacing a day's partition; the new file is visible at commit. */
  openPartition(date: string, ext: string, options: OutputOptions = {}): Promise<S3Output> {
    return this.store.openOutput(this.prefix + this.partitionFile(date, ext), options);
  }

  /** The dates that have a partition under the prefix, ascending. */
  async listPartitions(): Promise<string[]> {
    const { prefixes } = await this.store.list(this.prefix, '/');
    return prefixes
      .map((p) => DATE_DIR.exec(p.slice(this.prefix.length))?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
  }

  /** Relative names of the files in a day's partition. */
  async partitionFiles(date: string): Promise<string[]> {
    const { keys } = await this.store.list(`${this.prefix}date=${date}/`);
    return keys.map((k) => k.slice(this.prefix.length)).sort();
  }

  /** Deletes every object of a day's partition (a day that is now empty, or stale). */
  async removePartition(date: string): Promise<void> {
    for (const file of await this.partitionFiles(date)) await this.store.delete(this.prefix + file);
  }

  /** A small JSON object at a name relative to the prefix (`_manifest.json`, `date=.../_record.json`). */
  readJson<T>(name: string): Promise<T | undefined> {
    return this.store.readJson<T>(this.prefix + name);
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return this.store.writeJson(this.prefix + name, value);
  }

  close(): void {
    this.store.close();
  }
}
