import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { IntegrityError, UsageError } from '../../src/core/errors.js';
import { countRows, localFile } from '../../src/destinations/count-rows.js';

// Rows counted by reading a written file back, against hand-written files whose counts are known:
// CSV records that span lines, quoted commas and a BOM; NDJSON; gzip; Parquet written by
// hyparquet-writer (not by mbuzz) with several row groups.

const dir = mkdtempSync(join(tmpdir(), 'mbuzz-count-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return localFile(p);
};
const byDay = (m: Map<string, number>) => Object.fromEntries([...m].sort());

describe('countRows', () => {
  it('NDJSON: one row a line, per day by the date column; a blank last line is no row', async () => {
    const src = file('a.ndjson', '{"date":"2026-01-01","x":1}\n{"date":"2026-01-02"}\n{"date":"2026-01-01","s":"a\\nb"}\n');
    expect(byDay(await countRows(src, { format: 'ndjson', gzip: false, dateColumn: 'date' }))).toEqual({ '2026-01-01': 2, '2026-01-02': 1 });
    expect(byDay(await countRows(src, { format: 'ndjson', gzip: false }))).toEqual({ '': 3 });
  });

  it('CSV: records, not lines (a quoted cell may hold a newline), a BOM skipped, the header not counted', async () => {
    const src = file('a.csv', '\uFEFFname,date\r\n"two\nlines",2026-01-01\r\n"a, b",2026-01-02\r\n"""q""",2026-01-01\r\n');
    expect(byDay(await countRows(src, { format: 'csv', gzip: false, dateColumn: 'date' }))).toEqual({ '2026-01-01': 2, '2026-01-02': 1 });
    expect(byDay(await countRows(src, { format: 'csv', gzip: false }))).toEqual({ '': 3 });
  });

  it('gzip: read through; a damaged .gz is a data error (exit 6)', async () => {
    const good = file('a.ndjson.gz', gzipSync('{"date":"2026-01-01"}\n{"date":"2026-01-01"}\n'));
    expect(byDay(await countRows(good, { format: 'ndjson', gzip: true, dateColumn: 'date' }))).toEqual({ '2026-01-01': 2 });
    const bad = file('b.csv.gz', 'not gzip at all');
    await expect(countRows(bad, { format: 'csv', gzip: true })).rejects.toBeInstanceOf(IntegrityError);
  });

  it('a row with no day, or a line that is not JSON, is a data error naming where', async () => {
    await expect(countRows(file('b.ndjson', '{"date":"2026-01-01"}\nnope\n'), { format: 'ndjson', gzip: false, dateColumn: 'date' })).rejects.toThrow(/b\.ndjson: line 2 is not JSON/);
    await expect(countRows(file('c.csv', 'date\n2026-02-30\n'), { format: 'csv', gzip: false, dateColumn: 'date' })).rejects.toThrow(/record 2 has date "2026-02-30", not a YYYY-MM-DD day/);
    await expect(countRows(file('d.csv', 'a,b\n1,2\n'), { format: 'csv', gzip: false, dateColumn: 'date' })).rejects.toBeInstanceOf(UsageError);
  });

  it('Parquet: the total from the footer; per day from the DATE column alone, across row groups', async () => {
    const days = ['2026-01-01', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-03', '2026-01-03', '2026-01-02'];
    const buf = parquetWriteBuffer({
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'date', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
        { name: 'n', type: 'INT32', repetition_type: 'REQUIRED' },
      ],
      columnData: [
        { name: 'date', data: days.map((d) => new Date(`${d}T00:00:00Z`)) },
        { name: 'n', data: days.map((_, i) => i) },
      ],
      rowGroupSize: 3,
    });
    const src = file('a.parquet', new Uint8Array(buf));
    expect(byDay(await countRows(src, { format: 'parquet', gzip: false }))).toEqual({ '': 7 });
    expect(byDay(await countRows(src, { format: 'parquet', gzip: false, dateColumn: 'date' }))).toEqual({ '2026-01-01': 2, '2026-01-02': 2, '2026-01-03': 3 });
    await expect(countRows(src, { format: 'parquet', gzip: false, dateColumn: 'spend_date' })).rejects.toBeInstanceOf(UsageError);
    await expect(countRows(file('b.parquet', 'PAR1 not really'), { format: 'parquet', gzip: false })).rejects.toBeInstanceOf(IntegrityError);
  });
});
