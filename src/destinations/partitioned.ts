import { createHash, type Hash } from 'node:crypto';
import { IntegrityError } from '../core/errors.js';
import { parseIsoDate } from '../core/dates.js';
import type { Column, Row } from '../core/columns.js';
import { writerFor } from '../writers/index.js';
import type { Format, Sink } from '../writers/types.js';
import { RowChannel } from './channel.js';
import { recordText, type PartitionRecord } from './partition-records.js';
import type { PartitionStore, StagedOutput } from './partition-store.js';

// Hive-style date partitions: DIR/date=YYYY-MM-DD/part-0000.<ext>, by each row's own date, each
// with its record (_mbuzz.json, partition-records.ts), in a local directory or under an S3
// prefix alike (partition-store.ts). Rows come in date order (windows ascending, each window in
// time order), so one partition is written at a time, staged (a temp file beside its target; an
// upload not yet completed). Nothing is published while rows still arrive: once every partition
// is written and the pipeline's checks have passed, commit() publishes each part file and then
// its record (replacing that day whole) and removes the partitions of days that were read and
// came back empty. A failure before that leaves every existing file as it was. A date that comes
// back after its partition closed is an error rather than a second, overwriting file.

export interface PartitionFile {
  date: string;
  /** Relative to the partition root. */
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface PartitionOptions {
  store: PartitionStore;
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
   * `published` counts the days whose part file is out, for a caller whose commit failed midway.
   */
  commit(o: { record(p: PartitionFile): PartitionRecord; emptyDays: Iterable<string>; alsoRemove?: Iterable<string>; published?: { days: number } }): Promise<string[]>;
  /** Removes every temp file; nothing at the target changes. */
  abort(): Promise<void>;
}

const EXT: Record<Format, string> = { ndjson: 'ndjson', csv: 'csv', parquet: 'parquet' };
export const PART_NAME = (format: Format) => `part-0000.${EXT[format]}`;

export async function writePartitions(rows: AsyncIterable<Row>, opts: PartitionOptions): Promise<StagedPartitions> {
  const { store } = opts;
  const part = PART_NAME(opts.format);
  const staged: { file: PartitionFile; out: StagedOutput }[] = [];
  const closed = new Set<string>();
  let current: { date: string; channel: RowChannel<Row>; finished: Promise<number>; out: StagedOutput; hash: Hash; bytes: { n: number } } | undefined;
  const abortAll = async () => {
    for (const s of staged.splice(0)) await s.out.abort();
  };

  const open = async (date: string) => {
    const out = await store.openPart(date, part);
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
    staged.push({ out: c.out, file: { date: c.date, path: `date=${c.date}/${part}`, rows: n, bytes: c.bytes.n, sha256: c.hash.digest('hex') } });
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
    throw err;
  }

  return {
    files: staged.map((s) => s.file),
    abort: abortAll,
    async commit({ record, emptyDays, alsoRemove = [], published = { days: 0 } }) {
      const written = new Set(staged.map((s) => s.file.date));
      try {
        await store.confirmClaims?.();
      } catch (err) {
        await abortAll();
        throw err;
      }
      // every record is staged (a sealed temp file) before the first part is published
      const records: StagedOutput[] = [];
      try {
        for (const s of staged) records.push(await store.stageRecord(s.file.date, recordText(record(s.file))));
      } catch (err) {
        for (const r of records) await r.abort();
        await abortAll();
        throw err;
      }
      try {
        for (const [i, s] of staged.entries()) {
          await s.out.commit();
          published.days += 1;
          await records[i]!.commit();
          await store.removeOtherParts(s.file.date, part);
        }
      } catch (err) {
        for (const r of records) await r.abort();
        await abortAll();
        throw err;
      }
      staged.length = 0;
      const removed: string[] = [];
      for (const day of new Set([...emptyDays, ...alsoRemove])) {
        if (!written.has(day) && (await store.removePartition(day))) removed.push(day);
      }
      return removed.sort();
    },
  };
}
