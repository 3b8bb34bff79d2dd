import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseIsoDate } from '../core/dates.js';

// What wrote each partition: DIR/date=YYYY-MM-DD/_mbuzz.json beside its part file (Spark, Hive
// and DuckDB's globs skip `_` files). It says which export (dataset, filters, format, columns)
// and which source (a fingerprint of base URL and key) produced the file, in which run, and the
// file's size and sha256, so a later run can refuse to mix another export into the directory and
// the manifest can be rebuilt from the directory itself. A record whose size no longer matches
// its file (a crash between the two renames, a hand edit) does not describe it.

export const RECORD_NAME = '_mbuzz.json';
const PART_FILE = /^part-\d{4}\.(ndjson|csv|parquet)$/;
const PARTITION_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;

/** What an export is: two runs with the same identity may share a directory. */
export interface ExportIdentity {
  dataset: string;
  /** Channels (sorted), funnel, customer and provider params; absent keys mean no filter. */
  filters: Record<string, unknown>;
  format: string;
  /** --fields, or null for every column. */
  fields: string[] | null;
  csvSafe: boolean;
}

export interface RunStamp {
  id: string;
  startedAt: string;
  /** The command line, secrets masked. */
  args: string[];
}

export interface PartitionRecord {
  tool: 'mbuzz';
  version: string;
  date: string;
  export: ExportIdentity;
  /** sha256 of base URL and credentials, 16 hex: which account and host, without the key. */
  source: string;
  run: RunStamp;
  file: { name: string; bytes: number; sha256: string; rows: number };
}

export interface PartitionOnDisk {
  date: string;
  /** DIR/date=YYYY-MM-DD */
  dir: string;
  /** Part files present, with their sizes. */
  files: { name: string; bytes: number }[];
  /** The record, when it is there, parses, and describes the part file present. */
  record?: PartitionRecord;
}

/** Every date=YYYY-MM-DD directory under `dir`, oldest first, with its files and its record. */
export async function listPartitions(dir: string): Promise<PartitionOnDisk[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: PartitionOnDisk[] = [];
  for (const e of entries) {
    const date = PARTITION_DIR.exec(e.name)?.[1];
    if (!e.isDirectory() || date === undefined || parseIsoDate(date) === undefined) continue;
    const partDir = join(dir, e.name);
    const files: { name: string; bytes: number }[] = [];
    for (const f of await fsp.readdir(partDir, { withFileTypes: true }).catch(() => [])) {
      if (!f.isFile() || !PART_FILE.test(f.name)) continue;
      const st = await fsp.lstat(join(partDir, f.name)).catch(() => undefined);
      if (st?.isFile()) files.push({ name: f.name, bytes: st.size });
    }
    const record = await readRecord(partDir, date);
    const valid = record && files.length === 1 && files[0]!.name === record.file.name && files[0]!.bytes === record.file.bytes;
    out.push({ date, dir: partDir, files, record: valid ? record : undefined });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

async function readRecord(partDir: string, date: string): Promise<PartitionRecord | undefined> {
  try {
    const r = JSON.parse(await fsp.readFile(join(partDir, RECORD_NAME), 'utf8')) as PartitionRecord;
    const ok =
      r?.tool === 'mbuzz' &&
      r.date === date &&
      typeof r.export?.dataset === 'string' &&
      typeof r.run?.id === 'string' &&
      typeof r.file?.name === 'string' &&
      typeof r.file.bytes === 'number' &&
      typeof r.file.sha256 === 'string';
    return ok ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The partition record as JSON text (what goes into _mbuzz.json). */
export function recordText(record: PartitionRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
