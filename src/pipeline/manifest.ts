import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { VERSION } from '../core/version.js';
import { listPartitions, type ExportIdentity, type RunStamp } from '../destinations/partition-records.js';
import type { PartitionStore } from '../destinations/partition-store.js';
import { writeFileAtomic } from '../core/safe-files.js';
import type { WindowInfo } from '../providers/types.js';

// The sidecar a warehouse loader can trust, written last, as the commit record. It says what this
// run was asked (secrets masked), which windows it covered with their rows and the API's totals,
// which are still open (today), and the files it wrote. For a directory of partitions it also
// describes the directory as it now is: every partition present, rebuilt from the per-partition
// records (partition-records.ts), with its size, sha256 and the run that wrote it.

export interface ManifestWindow extends WindowInfo {
  rows: number;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  rows?: number;
  date?: string;
}

export interface ManifestDataset {
  dataset: string;
  /** Which export this is (filters, format, columns), as the partition records say it: `mbuzz verify` re-asks the API with it. */
  export?: ExportIdentity;
  from: string;
  to: string;
  format: string;
  rows: number;
  /** Sum of the API's total_count over the windows. */
  apiTotal: number;
  windows: ManifestWindow[];
  /** Days that may still change (today or later, UTC). */
  openDays: string[];
  /** The files this run wrote. */
  files: ManifestFile[];
}

export interface ManifestPartition extends ManifestFile {
  date: string;
  /** From the partition's record; null when nothing recorded what wrote it. */
  dataset: string | null;
  /** The id of the run that wrote it (a key of `runs`), or null when unrecorded. */
  run: string | null;
}

export interface Manifest {
  tool: string;
  version: string;
  /** This run. */
  run: string;
  /** `I/N` when this run was one of N sharded workers (--shard). */
  shard?: string;
  args: string[];
  startedAt: string;
  finishedAt: string;
  datasets: ManifestDataset[];
  /** Partitioned output: every partition in the directory, whichever run wrote it. */
  partitions?: ManifestPartition[];
  /** Every run that wrote a partition listed, by id (with `shard`, I/N, for a sharded worker). */
  runs?: Record<string, { startedAt: string; args: string[]; shard?: string }>;
}

/** A file's size and sha256, read back from disk. */
export async function fileEntry(path: string, extra: { rows?: number; date?: string } = {}): Promise<ManifestFile> {
  const st = await fsp.stat(path);
  return { path, bytes: st.size, sha256: await sha256Of(path), ...extra };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Every partition in `root` (DIR/date=… for one dataset, DIR/<table>/date=… for `export all`;
 * a local directory or an S3 prefix), paths relative to `root`. A recorded partition's digest
 * comes from its record (its size was checked against the file); an unrecorded one is read and
 * hashed here.
 */
export async function describePartitions(root: PartitionStore): Promise<Required<Pick<Manifest, 'partitions' | 'runs'>>> {
  const dirs: [string, PartitionStore][] = [['', root], ...(await root.children()).map((name): [string, PartitionStore] => [`${name}/`, root.child(name)])];
  const partitions: ManifestPartition[] = [];
  const runs: Record<string, { startedAt: string; args: string[]; shard?: string }> = {};
  for (const [at, store] of dirs) {
    for (const p of await listPartitions(store)) {
      const r = p.record;
      if (r) {
        partitions.push({ path: `${at}date=${p.date}/${r.file.name}`, date: p.date, dataset: r.export.dataset, rows: r.file.rows, bytes: r.file.bytes, sha256: r.file.sha256, run: r.run.id });
        runs[r.run.id] ??= { startedAt: r.run.startedAt, args: r.run.args, ...(r.run.shard !== undefined && { shard: r.run.shard }) };
        continue;
      }
      for (const f of p.files) {
        const rel = `date=${p.date}/${f.name}`;
        partitions.push({ path: at + rel, date: p.date, dataset: null, bytes: f.bytes, sha256: await store.sha256(rel), run: null });
      }
    }
  }
  return { partitions, runs };
}

/** Written last, atomically (exclusive temp, fsync, rename): a full disk names the file and leaves no temp file. */
export async function writeManifest(path: string, manifest: Omit<Manifest, 'tool' | 'version'>): Promise<void> {
  await writeFileAtomic(path, manifestText(manifest));
}

function manifestText(manifest: Omit<Manifest, 'tool' | 'version'>): string {
  const body: Manifest = { tool: 'mbuzz', version: VERSION, ...manifest };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * ROOT/_manifest.json of a directory of partitions: this run's part (`run`) and every partition
 * present, rebuilt from the records as the store publishes it (partition-store.ts: under a short
 * lock locally, written and verified on S3), so whichever of N concurrent runs writes it last
 * lists every partition.
 */
export async function publishPartitionManifest(root: PartitionStore, run: () => Omit<Manifest, 'tool' | 'version' | 'partitions' | 'runs'>, note: (line: string) => void): Promise<void> {
  await root.publish(
    '_manifest.json',
    async () => {
      const described = await describePartitions(root);
      return { text: manifestText({ ...run(), ...described }), state: JSON.stringify(described) };
    },
    note,
  );
}

export type { RunStamp };
