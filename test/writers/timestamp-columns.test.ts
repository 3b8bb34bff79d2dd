import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import type { Column, Row } from '../../src/core/columns.js';
import { IntegrityError } from '../../src/core/errors.js';
import { copyLine } from '../../src/destinations/postgres/encode.js';
import { createTable } from '../../src/schema/ddl.js';
import { writeCsv } from '../../src/writers/csv.js';
import { writeNdjson } from '../../src/writers/ndjson.js';
import { writeParquet } from '../../src/writers/parquet.js';
import { MemorySink, duckdb, parseCsvWithPython, rowsOf, sqlString, tempDir } from './helpers.js';

// Timestamp columns through every writer, read back by independent readers: Python's csv module,
// DuckDB (its own column type and epoch_us), hyparquet's metadata. The instants are written out by
// hand from the vendors' spellings (Atribu's ISO 8601 with Z or an offset, Mixpanel's epoch seconds).

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const COLUMNS: readonly Column[] = [
  { name: 'id', type: 'int32', nullable: false },
  { name: 'seen_at', type: 'timestamp', nullable: true },
  { name: 'time', type: 'timestamp', timeFormat: 'epoch-seconds', nullable: true },
];

// [row, CSV cells of at and time, epoch microseconds of at and time]
const CASES: Array<[Row, [string, string], [string | null, string | null]]> = [
  [{ id: 1, seen_at: '2026-03-22T14:30:00Z', time: 1602611311 }, ['2026-03-22T14:30:00Z', '2020-10-13T17:48:31Z'], ['1774189800000000', '1602611311000000']],
  [{ id: 2, seen_at: '2026-01-01T01:00:00+05:30', time: 0 }, ['2025-12-31T19:30:00Z', '1970-01-01T00:00:00Z'], ['1767209400000000', '0']],
  [{ id: 3, seen_at: '2026-04-01T12:34:56.123456-02:00', time: 1602611311.5 }, ['2026-04-01T14:34:56.123456Z', '2020-10-13T17:48:31.5Z'], ['1775054096123456', '1602611311500000']],
  [{ id: 4, seen_at: null, time: null }, ['', ''], [null, null]],
];
const ROWS = CASES.map((c) => c[0]);

async function parquetPath(rows: Row[]): Promise<string> {
  const sink = new MemorySink();
  await writeParquet(rowsOf(rows), sink, { columns: COLUMNS });
  const path = join(tmp.dir, `ts-${Math.random().toString(36).slice(2)}.parquet`);
  writeFileSync(path, sink.bytes());
  return path;
}

describe('timestamp columns', () => {
  it('CSV: RFC 3339 UTC cells, a fraction only as long as the instant has one, empty for null', async () => {
    const sink = new MemorySink();
    await writeCsv(rowsOf(ROWS), sink, { columns: COLUMNS });
    const [header, ...records] = parseCsvWithPython(sink.text());
    expect(header).toEqual(['id', 'seen_at', 'time']);
    expect(records).toEqual(CASES.map(([row, cells]) => [String(row.id), ...cells]));
  });

  it('Parquet: TIMESTAMP(MICROS, adjusted to UTC), read by DuckDB as TIMESTAMP WITH TIME ZONE at the exact microsecond', async () => {
    const path = await parquetPath(ROWS);
    const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(described.map((r) => [r.column_name, r.column_type])).toEqual([
      ['id', 'INTEGER'],
      ['seen_at', 'TIMESTAMP WITH TIME ZONE'],
      ['time', 'TIMESTAMP WITH TIME ZONE'],
    ]);
    const back = await duckdb(`SELECT epoch_us(seen_at) AS at, epoch_us("time") AS time FROM read_parquet(${sqlString(path)}) ORDER BY id`);
    expect(back.map((r) => [r.at, r.time])).toEqual(CASES.map((c) => c[2]));

    const buffer = (await import('node:fs')).readFileSync(path);
    const meta = parquetMetadata(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);
    const at = meta.schema.find((e) => e.name === 'seen_at')!;
    expect(at.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
  });

  it('PostgreSQL COPY rows carry the same RFC 3339 UTC text, and null as an unquoted empty field', () => {
    const line = copyLine(COLUMNS);
    expect(ROWS.map(line)).toEqual(CASES.map(([row, cells]) => `${row.id},${cells.join(',')}\n`));
  });

  it('NDJSON keeps what the API sent', async () => {
    const sink = new MemorySink();
    await writeNdjson(rowsOf(ROWS), sink, { columns: COLUMNS });
    expect(sink.text()).toBe(`${ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
  });

  it('a value that names no instant stops CSV and Parquet alike, naming it (never a wrong or empty cell)', async () => {
    for (const bad of ['2026-13-45T99:00:00Z', '2026-03-22T14:30:00', 1e20]) {
      const row = { id: 9, seen_at: typeof bad === 'string' ? bad : null, time: typeof bad === 'number' ? bad : null };
      await expect(writeCsv(rowsOf([row]), new MemorySink(), { columns: COLUMNS })).rejects.toThrow(IntegrityError);
      await expect(writeParquet(rowsOf([row]), new MemorySink(), { columns: COLUMNS })).rejects.toThrow(
        `parquet: column "${typeof bad === 'string' ? 'seen_at' : 'time'}" (timestamp) needs an instant`,
      );
    }
  });

  it('DDL: TIMESTAMPTZ in DuckDB, TIMESTAMP WITH TIME ZONE in PostgreSQL', () => {
    expect(createTable('t', COLUMNS, 'duckdb')).toBe('CREATE TABLE t (\n  id      INTEGER NOT NULL,\n  seen_at TIMESTAMPTZ,\n  time    TIMESTAMPTZ\n);\n');
    expect(createTable('t', COLUMNS, 'postgres')).toBe('CREATE TABLE t (\n  id      INTEGER NOT NULL,\n  seen_at TIMESTAMP WITH TIME ZONE,\n  time    TIMESTAMP WITH TIME ZONE\n);\n');
  });

  it('DuckDB loads the CSV into its DDL table with the same instants as the Parquet file', async () => {
    const sink = new MemorySink();
    await writeCsv(rowsOf(ROWS), sink, { columns: COLUMNS });
    const csv = join(tmp.dir, 'ts.csv');
    writeFileSync(csv, sink.bytes());
    const back = await duckdb(
      `${createTable('t', COLUMNS, 'duckdb')} INSERT INTO t SELECT * FROM read_csv(${sqlString(csv)}, header = true, columns = {'id': 'INTEGER', 'seen_at': 'TIMESTAMPTZ', 'time': 'TIMESTAMPTZ'}); SELECT epoch_us(seen_at) AS at, epoch_us("time") AS time FROM t ORDER BY id`,
    );
    expect(back.map((r) => [r.at, r.time])).toEqual(CASES.map((c) => c[2]));
  });
});
