import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IntegrityError, UsageError } from '../core/errors.js';
import { fromEpochDay, parseIsoDate } from '../core/dates.js';
import type { Format } from '../writers/types.js';

// Rows of a written file counted by reading it back, for `mbuzz verify` when no record says how
// many there are: NDJSON by its lines, CSV by its records through a real parser (a quoted cell
// may hold a newline, so lines are not rows), Parquet from its footer (a whole file) or from its
// date column alone (per day). Per day means by the dataset's date column, as the export wrote it.

export interface CountSource {
  /** For messages: the path or URL. */
  label: string;
  /** A fresh byte stream of the whole file (still gzipped for a .gz). */
  open(): Readable | Promise<Readable>;
  /** Random access for Parquet's footer and column chunks; undefined where the store has none. */
  parquet?(): Promise<ParquetFile>;
}

/** hyparquet's AsyncBuffer. */
export interface ParquetFile {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

export interface CountOptions {
  format: Format;
  gzip: boolean;
  /** Count per value of this column (a YYYY-MM-DD day); undefined = one total under the key ''. */
  dateColumn?: string;
}

/** A local file as a CountSource. */
export function localFile(path: string): CountSource {
  return {
    label: path,
    open: () => createReadStream(path),
    parquet: async () => {
      const { asyncBufferFromFile } = await import('hyparquet');
      return asyncBufferFromFile(path);
    },
  };
}

/** Rows per day (or one total under '' without a date column). */
export async function countRows(src: CountSource, o: CountOptions): Promise<Map<string, number>> {
  if (o.format === 'parquet') return countParquet(src, o.dateColumn);
  // pipeline, not pipe: a read or gunzip error must end the iteration below, not stall it
  const raw = await src.open();
  const input: Readable = o.gzip ? pipeline(raw, createGunzip(), () => undefined) : raw;
  try {
    return o.format === 'ndjson' ? await countNdjson(src.label, input, o.dateColumn) : await countCsv(src.label, input, o.dateColumn);
  } catch (err) {
    if (err instanceof IntegrityError || err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new IntegrityError(`${src.label} is not valid gzip: ${(err as Error).message}`);
    if (typeof code === 'string' && code.startsWith('CSV_')) throw new IntegrityError(`${src.label} is not valid CSV: ${(err as Error).message}`);
    throw err;
  } finally {
    input.destroy();
  }
}

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function dayOf(label: string, where: string, column: string, value: unknown): string {
  if (typeof value === 'string' && parseIsoDate(value) !== undefined) return value;
  throw new IntegrityError(`${label}: ${where} has ${column} ${JSON.stringify(value) ?? String(value)}, not a YYYY-MM-DD day`);
}

async function countNdjson(label: string, input: Readable, dateColumn: string | undefined): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line === '') continue;
    if (dateColumn === undefined) {
      add(counts, '');
      continue;
    }
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new IntegrityError(`${label}: line ${n} is not JSON`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new IntegrityError(`${label}: line ${n} is not a JSON object`);
    add(counts, dayOf(label, `line ${n}`, dateColumn, (row as Record<string, unknown>)[dateColumn]));
  }
  return counts;
}

async function countCsv(label: string, input: Readable, dateColumn: string | undefined): Promise<Map<string, number>> {
  const { parse } = await import('csv-parse');
  const counts = new Map<string, number>();
  let index = -1;
  let record = 0;
  // a BOM is ours to skip (a spreadsheet may add one); a short or long record is an error
  const records = pipeline(input, parse({ bom: true, relax_quotes: false }), () => undefined) as unknown as AsyncIterable<string[]>;
  for await (const cells of records) {
    record++;
    if (record === 1) {
      if (dateColumn !== undefined) {
        index = cells.indexOf(dateColumn);
        if (index < 0) throw new UsageError(`${label} has no ${dateColumn} column to count days by (its header: ${cells.slice(0, 8).join(',')}${cells.length > 8 ? ',...' : ''})`);
      }
      continue;
    }
    add(counts, index < 0 ? '' : dayOf(label, `record ${record}`, dateColumn!, cells[index]));
  }
  return counts;
}

async function countParquet(src: CountSource, dateColumn: string | undefined): Promise<Map<string, number>> {
  if (!src.parquet) throw new UsageError(`${src.label}: Parquet needs random access, which this store does not offer`);
  const { parquetMetadataAsync, parquetRead } = await import('hyparquet');
  const file = await src.parquet();
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new IntegrityError(`${src.label} is not a readable Parquet file: ${(err as Error).message}`);
  }
  const total = Number(metadata.num_rows);
  if (dateColumn === undefined) return new Map([['', total]]);
  if (!metadata.schema.some((s) => s.name === dateColumn)) throw new UsageError(`${src.label} has no ${dateColumn} column to count days by`);
  const counts = new Map<string, number>();
  // only the date column is read, one column chunk at a time
  await parquetRead({
    file,
    metadata,
    columns: [dateColumn],
    onChunk: (chunk) => {
      for (const v of Array.from(chunk.columnData as ArrayLike<unknown>)) add(counts, dayOf(src.label, 'a row', dateColumn, asDay(v)));
    },
  });
  const counted = [...counts.values()].reduce((a, b) => a + b, 0);
  if (counted !== total) throw new IntegrityError(`${src.label}: its footer says ${total} rows, its ${dateColumn} column holds ${counted}`);
  return counts;
}

/** hyparquet reads a DATE column as Date objects (UTC midnight); older files may hold day numbers. */
function asDay(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? v : v.toISOString().slice(0, 10);
  if (typeof v === 'number' && Number.isInteger(v)) return fromEpochDay(v);
  return v;
}
