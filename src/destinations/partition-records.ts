import type { PartitionStore } from './partition-store.js';

// What wrote each partition: DIR/date=YYYY-MM-DD/_mbuzz.json beside its part file (Spark, Hive
// and DuckDB's globs skip `_` files). It says which export (dataset, filters, format, columns)
// and which source (a fingerprint of base URL and key) produced the file, in which run, and the
// file's size and sha256, so a later run can refuse to mix another export into the directory and
// the manifest can be rebuilt from the directory itself. A record whose size no longer matches
// its file (a crash between the two renames, a hand edit) does not describe it.

export const RECORD_NAME = '_mbuzz.json';

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
  /** `I/N` for one of N sharded workers (--shard). */
  shard?: string;
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
  /** Part files present, with their sizes. */
  files: { name: string; bytes: number }[];
  /** The record, when it is there, parses, and describes the part file present. */
  record?: PartitionRecord;
}

/** Every date=YYYY-MM-DD partition in the store, oldest first, with its files and its record. */
export async function listPartitions(store: PartitionStore): Promise<PartitionOnDisk[]> {
  return (await store.listPartitions()).map(({ date, files, record: text }) => {
    const record = text === undefined ? undefined : parseRecord(text, date);
    const valid = record && files.length === 1 && files[0]!.name === record.file.name && files[0]!.bytes === record.file.bytes;
    return { date, files, record: valid ? record : undefined };
  });
}

function parseRecord(text: string, date: string): PartitionRecord | undefined {
  try {
    const r = JSON.parse(text) as PartitionRecord;
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
