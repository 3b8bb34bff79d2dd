import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import type { Column, ColumnType, Row } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { VERSION } from '../../src/core/version.js';
import { writerFor } from '../../src/writers/index.js';
import { writeParquet } from '../../src/writers/parquet.js';
import { DATASETS, MemorySink, duckdb, fixtureRows, rowsOf, sqlString, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let fileNo = 0;
async function parquetFile(rows: Iterable<Row>, columns: readonly Column[], rowGroupSize?: number) {
  const sink = new MemorySink();
  const count = await writeParquet(rowsOf(rows), sink, { columns, rowGroupSize });
  const bytes = sink.bytes();
  const path = join(tmp.dir, `t${fileNo++}.parquet`);
  writeFileSync(path, bytes);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { count, path, buffer, sink };
}

const DUCK_TYPES: Record<ColumnType, string> = {
  date: 'DATE',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  string: 'VARCHAR',
  json: 'VARCHAR',
  double: 'DOUBLE',
  int32: 'INTEGER',
  int64: 'BIGINT',
  boolean: 'BOOLEAN',
};

// What each reader should hand back for a source value, written independently of values.ts.
function expectedHyparquet(c: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.type === 'date') return new Date(`${v as string}T00:00:00Z`);
  if (c.type === 'int64') return BigInt(v as number);
  if (c.type === 'json') return JSON.stringify(v);
  return v;
}
function expectedDuck(c: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.type === 'int64') return String(v); // getRowObjectsJson prints BIGINT as text
  if (c.type === 'json') return JSON.stringify(v);
  return v;
}

describe('Parquet writer', () => {
  it('is what writerFor("parquet") writes (loaded lazily)', async () => {
    const rows = [{ id: 1 }];
    const sink = new MemorySink();
    expect(await writerFor('parquet')(rowsOf(rows), sink, { columns: [{ name: 'id', type: 'int32', nullable: false }] })).toBe(1);
    expect(sink.bytes().subarray(0, 4).toString()).toBe('PAR1');
  });

  describe.each(DATASETS)('$name fixture', ({ name, columns }) => {
    const rows = fixtureRows(name);

    it('reads back identically with hyparquet', async () => {
      const { count, buffer } = await parquetFile(rows, columns);
      expect(count).toBe(rows.length);
      const back = (await parquetReadObjects({ file: buffer })) as Row[];
      expect(back).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        expect(Object.keys(back[i]!)).toEqual(columns.map((c) => c.name));
        for (const c of columns) expect([c.name, back[i]![c.name]]).toEqual([c.name, expectedHyparquet(c, row[c.name])]);
      });
    });

    it('reads back with DuckDB: typed columns, REQUIRED/OPTIONAL, values and nulls', async () => {
      const { path } = await parquetFile(rows, columns);
      const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
      expect(described.map((r) => [r.column_name, r.column_type])).toEqual(columns.map((c) => [c.name, DUCK_TYPES[c.type]]));

      const schema = await duckdb(`SELECT name, repetition_type FROM parquet_schema(${sqlString(path)}) WHERE name <> 'root'`);
      expect(schema.map((r) => [r.name, r.repetition_type])).toEqual(columns.map((c) => [c.name, c.nullable ? 'OPTIONAL' : 'REQUIRED']));

      const back = await duckdb(`SELECT * FROM read_parquet(${sqlString(path)})`);
      expect(back).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        for (const c of columns) expect([c.name, back[i]![c.name]]).toEqual([c.name, expectedDuck(c, row[c.name])]);
      });
    });
  });

  it('records created_by and SNAPPY compression', async () => {
    const { path, buffer } = await parquetFile(fixtureRows('spend'), SPEND_COLUMNS);
    expect(parquetMetadata(buffer).created_by).toBe(`mbuzz ${VERSION}`);
    const meta = await duckdb(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)})`);
    expect(meta).toEqual([{ compression: 'SNAPPY' }]);
  });

  it.each(['GZIP', 'BROTLI'] as const)('writes %s pages DuckDB reads back when asked', async (codec) => {
    const rows = fixtureRows('funnel');
    const sink = new MemorySink();
    await writeParquet(rowsOf(rows), sink, { columns: FUNNEL_COLUMNS, parquetCodec: codec });
    const path = join(tmp.dir, `codec-${codec}.parquet`);
    writeFileSync(path, sink.bytes());
    expect(await duckdb(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)})`)).toEqual([{ compression: codec }]);
    const back = await duckdb(`SELECT session_id, properties FROM read_parquet(${sqlString(path)})`);
    expect(back).toEqual(rows.map((r) => ({ session_id: r.session_id === null ? null : String(r.session_id), properties: r.properties === null ? null : JSON.stringify(r.properties) })));
  });

  it('writes a valid empty file that still carries the schema', async () => {
    const { count, path, buffer } = await parquetFile([], CONVERSIONS_COLUMNS);
    expect(count).toBe(0);
    const meta = parquetMetadata(buffer);
    expect(meta.num_rows).toBe(0n);
    expect(meta.schema.slice(1).map((s) => s.name)).toEqual(CONVERSIONS_COLUMNS.map((c) => c.name));
    expect(await parquetReadObjects({ file: buffer })).toEqual([]);
    expect(await duckdb(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(path)})`)).toEqual([{ n: 0 }]);
    const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(described.map((r) => r.column_type)).toEqual(CONVERSIONS_COLUMNS.map((c) => DUCK_TYPES[c.type]));
  });

  it('streams one row group at a time to the sink, before the source is exhausted', async () => {
    let pulled = 0;
    const pulledAtWrite: number[] = [];
    const base = fixtureRows('funnel')[1]!;
    function* source(): Generator<Row> {
      for (let i = 0; i < 5000; i++) {
        pulled += 1;
        yield { ...base, session_id: i };
      }
    }
    const sink = new MemorySink();
    const write = sink.write.bind(sink);
    sink.write = (chunk) => {
      pulledAtWrite.push(pulled);
      return write(chunk);
    };
    const count = await writeParquet(rowsOf(source()), sink, { columns: FUNNEL_COLUMNS, rowGroupSize: 1000 });
    expect(count).toBe(5000);
    // Five row groups flushed as they completed, then the footer.
    expect(pulledAtWrite).toEqual([1000, 2000, 3000, 4000, 5000, 5000]);
    const bytes = sink.bytes();
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(buffer);
    expect(meta.row_groups.map((g) => g.num_rows)).toEqual([1000n, 1000n, 1000n, 1000n, 1000n]);
    const back = (await parquetReadObjects({ file: buffer, columns: ['session_id'] })) as Row[];
    expect(back.map((r) => r.session_id)).toEqual(Array.from({ length: 5000 }, (_, i) => BigInt(i)));
  });

  describe('refuses values that do not fit the column, with IntegrityError', () => {
    const good = fixtureRows('conversions')[0]!;
    const cases: [string, Row, RegExp][] = [
      ['a string in a double column', { ...good, credit: '0.25' }, /column "credit" \(double\) needs a number that a DOUBLE holds exactly, got "0\.25" in row 2/],
      ['null in a required column', { ...good, channel: null }, /column "channel" \(string\) .*not nullable.*got null/],
      ['a missing required field', (({ is_acquisition: _, ...rest }) => rest)(good), /column "is_acquisition" \(boolean\).*got undefined/],
      ['an impossible date', { ...good, date: '2026-02-30' }, /column "date" \(date\) needs a YYYY-MM-DD date, got "2026-02-30"/],
      ['a non-ISO date', { ...good, date: '04/01/2026' }, /column "date".*"04\/01\/2026"/],
      ['a fraction in an int32 column', { ...good, touchpoint_index: 1.5 }, /column "touchpoint_index" \(int32\).*got 1\.5/],
      ['an int32 overflow', { ...good, journey_length: 2 ** 31 }, /column "journey_length" \(int32\).*got 2147483648/],
      ['a string in a boolean column', { ...good, is_acquisition: 'true' }, /column "is_acquisition" \(boolean\) needs true or false, got "true"/],
      ['a number in a string column', { ...good, name: 42 }, /column "name" \(string\) needs a string, got 42/],
    ];
    it.each(cases)('%s', async (_label, bad, message) => {
      const err = await writeParquet(rowsOf([good, bad]), new MemorySink(), { columns: CONVERSIONS_COLUMNS }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    });

    it('an unsafe int64 (precision already lost by JSON) and a multi-line value shown on one line', async () => {
      const f = fixtureRows('funnel')[0]!;
      const e1 = await writeParquet(rowsOf([{ ...f, session_id: 2 ** 60 }]), new MemorySink(), { columns: FUNNEL_COLUMNS }).catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(IntegrityError);
      expect((e1 as Error).message).toMatch(/column "session_id" \(int64\)/);
      const e2 = await writeParquet(rowsOf([{ ...f, revenue: 'a\nvery long value '.repeat(20) }]), new MemorySink(), { columns: FUNNEL_COLUMNS }).catch((e: unknown) => e);
      expect((e2 as Error).message).not.toContain('\n');
      expect((e2 as Error).message.length).toBeLessThan(200);
    });
  });
});
