import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError, UsageError } from '../core/errors.js';
import type { Column, Row } from '../core/columns.js';
import { writerFor } from '../writers/index.js';
import { openFileSink } from './file.js';
import type { Format } from '../writers/types.js';
import { RowChannel } from './channel.js';

// Hive-style date partitions: DIR/date=YYYY-MM-DD/part-0000.<ext>, by each row's own date. Rows
// come in date order (windows ascending, each window in time order), so one partition is open at
// a time; it is written to a temp file and renamed into place when the next date begins, which
// replaces that day whole. A date that comes back after its partition closed is an error rather
// than a second, silently overwriting file.

export interface PartitionFile {
  date: string;
  /** Relative to the partition root. */
  path: string;
  rows: number;
}

export interface PartitionOptions {
  dir: string;
  format: Format;
  dateColumn: string;
  columns: readonly Column[];
  passThrough: boolean;
  csvSafe?: boolean;
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

export async function writePartitions(rows: AsyncIterable<Row>, opts: PartitionOptions): Promise<PartitionFile[]> {
  const done: PartitionFile[] = [];
  const closed = new Set<string>();
  let current: { date: string; channel: RowChannel<Row>; finished: Promise<number>; commit: () => Promise<void>; abort: () => Promise<void> } | undefined;

  const open = async (date: string) => {
    const partDir = join(opts.dir, `date=${date}`);
    await fsp.mkdir(partDir, { recursive: true });
    const out = await openFileSink(join(partDir, PART_NAME(opts.format)));
    const channel = new RowChannel<Row>();
    const finished = writerFor(opts.format)(channel, out.sink, { columns: opts.columns, passThrough: opts.passThrough, csvSafe: opts.csvSafe }).catch((err: unknown) => {
      channel.fail(err);
      throw err;
    });
    // a failure is surfaced by the next push or by close; keep it from going unhandled meanwhile
    finished.catch(() => undefined);
    const abort = async () => {
      await out.abort();
      await fsp.rmdir(partDir).catch(() => undefined); // only if we left it empty
    };
    return { date, channel, finished, commit: () => out.commit(), abort };
  };
  const close = async () => {
    if (!current) return;
    const c = current;
    current = undefined;
    c.channel.close();
    let n: number;
    try {
      n = await c.finished;
      await c.commit();
    } catch (err) {
      await c.abort(); // the writer failed (a full disk): its temp file goes too
      throw err;
    }
    closed.add(c.date);
    done.push({ date: c.date, path: join(`date=${c.date}`, PART_NAME(opts.format)), rows: n });
  };

  try {
    for await (const row of rows) {
      const date = row[opts.dateColumn];
      if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
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
      await current.abort();
    }
    throw err;
  }
  return done;
}

/** Days the export covered that came back empty: their old partitions are stale, so they go. */
export async function removeEmptyPartitions(dir: string, days: Iterable<string>, written: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const day of days) {
    if (written.has(day)) continue;
    const p = join(dir, `date=${day}`);
    if (await fsp.stat(p).catch(() => undefined)) {
      await fsp.rm(p, { recursive: true, force: true });
      removed.push(day);
    }
  }
  return removed;
}
