import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError, UsageError } from '../core/errors.js';
import { parseIsoDate } from '../core/dates.js';
import type { Column, Row } from '../core/columns.js';
import { writerFor } from '../writers/index.js';
import { openFileSink, type FileOutput } from './file.js';
import type { Format, Sink } from '../writers/types.js';
import { RowChannel } from './channel.js';
import { RECORD_NAME, recordText, type PartitionRecord } from './partition-records.js';

// Hive-style date partitions: DIR/date=YYYY-MM-DD/part-0000.<ext>, by each row's own date, each
// with its record (_mbuzz.json, partition-records.ts). Rows come in date order (windows
// ascending, each window in time order), so one partition is written at a time, to a temp file
// beside its target. Nothing is published while rows still arrive: once every partition is
// written and the pipeline's checks have passed, commit() renames each part file and then its
// record into place (replacing that day whole) and removes the partitions of days that were read
// and came back empty. A failure before that leaves every existing file as it was. A date that
// comes back after its partition closed is an error rather than a second, overwriting file.

export interface PartitionFile {
  date: string;
  /** Relative to the partition root. */
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface PartitionOptions {
  dir: string;
  format: Format;
  dateColumn: string;
  columns: readonly Column[];
  passThrough: boolean;
  csvSafe?: boolean;
}

/** Written but not yet published partitions. */
export interface StagedPartitions {
  readonly files: readonly PartitionFile[];
  /**
   * Publishes them: each part file, then its record; then removes the partitions of `emptyDays`
   * (days read that held no rows) and of `alsoRemove`, unless written now. Returns the dates removed.
   */
  commit(o: { record(p: PartitionFile): PartitionRecord; emptyDays: Iterable<string>; alsoRemove?: Iterable<string> }): Promise<string[]>;
  /** Removes every temp file; nothing at the target changes. */
  abort(): Promise<void>;
}

const EXT: Record<Format, string> = { ndjson: 'ndjson', csv: 'csv', parquet: 'parquet' };
export const PART_NAME = (format: Format) => `part-0000.${EXT[format]}`;

export async function checkPartitionDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new UsageError(`--partition-by needs -o DIR, and ${dir} is a file`);
  if (!st) {
    const parent = join(dir, '..');
    if (!(await fsp.stat(parent).catch(() => undefined))?.isDirectory()) throw new UsageError(`cannot write ${dir}: directory ${parent} does not exist`);
    await fsp.mkdir(dir).catch((err: unknown) => {
      throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
    });
  }
}

export async function writePartitions(rows: AsyncIterable<Row>, opts: PartitionOptions): Promise<StagedPartitions> {
  const staged: { file: PartitionFile; out: FileOutput }[] = [];
  const closed = new Set<string>();
  /** Partition directories this run made: an abort removes them again if they are empty. */
  const created = new Set<string>();
  let current: { date: string; channel: RowChannel<Row>; finished: Promise<number>; out: FileOutput; hash: Hash; bytes: { n: number } } | undefined;
  const abortAll = async () => {
    for (const s of staged.splice(0)) await s.out.abort();
  };

  const open = async (date: string) => {
    const partDir = join(opts.dir, `date=${date}`);
    if (await fsp.mkdir(partDir).then(() => true, () => false)) created.add(date);
    const out = await openFileSink(join(partDir, PART_NAME(opts.format)));
    const hash = createHash('sha256');
    const bytes = { n: 0 };
    // the digest and size of exactly the bytes handed to the file, for the record and the manifest
    const sink: Sink = {
      write(chunk) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        hash.update(b);
        bytes.n += b.length;
        return out.sink.write(b);
      },
    };
    const channel = new RowChannel<Row>();
    const finished = writerFor(opts.format)(channel, sink, { columns: opts.columns, passThrough: opts.passThrough, csvSafe: opts.csvSafe }).catch((err: unknown) => {
      channel.fail(err);
      throw err;
    });
    // a failure is surfaced by the next push or by close; keep it from going unhandled meanwhile
    finished.catch(() => undefined);
    return { date, channel, finished, out, hash, bytes };
  };
  const close = async () => {
    if (!current) return;
    const c = current;
    current = undefined;
    c.channel.close();
    let n: number;
    try {
      n = await c.finished;
      await c.out.seal();
    } catch (err) {
      await c.out.abort(); // the writer failed (a full disk): its temp file goes too
      throw err;
    }
    closed.add(c.date);
    staged.push({ out: c.out, file: { date: c.date, path: join(`date=${c.date}`, PART_NAME(opts.format)), rows: n, bytes: c.bytes.n, sha256: c.hash.digest('hex') } });
  };

  try {
    for await (const row of rows) {
      const date = row[opts.dateColumn];
      if (typeof date !== 'string' || parseIsoDate(date) === undefined) {
        throw new IntegrityError(`a row's ${opts.dateColumn} is ${JSON.stringify(date)}, not a date to partition by`);
      }
      if (current?.date !== date) {
        await close();
        if (closed.has(date)) throw new IntegrityError(`rows for ${date} arrived after its partition was finished (the API's order is not by date)`);
        current = await open(date);
      }
      await current.channel.push(row);
    }
    await close();
  } catch (err) {
    if (current) {
      current.channel.fail(err);
      current.channel.close();
      await current.finished.catch(() => undefined);
      await current.out.abort();
    }
    await abortAll();
    await removeEmptyDirs(opts.dir, created);
    throw err;
  }

  return {
    files: staged.map((s) => s.file),
    abort: async () => {
      await abortAll();
      await removeEmptyDirs(opts.dir, created);
    },
    async commit({ record, emptyDays, alsoRemove = [] }) {
      const written = new Set(staged.map((s) => s.file.date));
      // every record is on disk (as a temp file) before the first rename
      const records: FileOutput[] = [];
      try {
        for (const s of staged) {
          const r = await openFileSink(join(opts.dir, `date=${s.file.date}`, RECORD_NAME));
          records.push(r);
          await r.sink.write(recordText(record(s.file)));
          await r.seal();
        }
      } catch (err) {
        for (const r of records) await r.abort();
        await abortAll();
        throw err;
      }
      for (const [i, s] of staged.entries()) {
        await s.out.commit();
        await records[i]!.commit();
        await removeOtherParts(join(opts.dir, `date=${s.file.date}`), PART_NAME(opts.format));
      }
      staged.length = 0;
      const removed: string[] = [];
      for (const day of new Set([...emptyDays, ...alsoRemove])) {
        if (written.has(day)) continue;
        const p = join(opts.dir, `date=${day}`);
        if (await fsp.lstat(p).catch(() => undefined)) {
          await fsp.rm(p, { recursive: true, force: true });
          removed.push(day);
        }
      }
      return removed.sort();
    },
  };
}

/** A partition written in another format before (--replace-export): its old part file goes. */
async function removeOtherParts(partDir: string, keep: string): Promise<void> {
  for (const f of await fsp.readdir(partDir).catch(() => [] as string[])) {
    if (f !== keep && /^part-\d{4}\.(ndjson|csv|parquet)$/.test(f)) await fsp.unlink(join(partDir, f)).catch(() => undefined);
  }
}

/** Partition directories this run created and left empty (after an abort). */
async function removeEmptyDirs(dir: string, dates: Iterable<string>): Promise<void> {
  for (const d of dates) await fsp.rmdir(join(dir, `date=${d}`)).catch(() => undefined);
}
