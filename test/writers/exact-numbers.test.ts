import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import { parseJsonBytes } from '../../src/json/parse.js';
import type { Column, Row } from '../../src/core/columns.js';
import { writeCsv } from '../../src/writers/csv.js';
import { writeNdjson } from '../../src/writers/ndjson.js';
import { writeParquet } from '../../src/writers/parquet.js';
import { MemorySink, duckdb, parseCsvWithPython, rowsOf, sqlString, tempDir } from './helpers.js';

// Issue 9.8 at the writers: a hand-written page, pretty-printed like some APIs send it, read the way
// the HTTP client reads bodies (json/parse.ts), then written by each writer and read back by
// readers that are not ours (Python's json and csv modules, hyparquet, DuckDB). Every expected
// value below is written out by hand.

const PAGE = `{
  "data": [
    {
      "id": 9007199254740993,
      "amount": 1.50,
      "neg": -0,
      "ratio": 0.1,
      "count": 2.0,
      "note": "x\\u003cy \\u6771\\u4eac 東京",
      "props": { "big": 12345678901234567890, "deep": [1e400, -0.0, 0.0000001] }
    },
    { "id": 12, "amount": 3, "neg": 0, "ratio": 0.3333333333333333, "count": 7, "note": "-1", "props": {} }
  ],
  "meta": { "total_count": 2 }
}
`;

const COLUMNS: Column[] = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'amount', type: 'double', nullable: false },
  { name: 'neg', type: 'double', nullable: false },
  { name: 'ratio', type: 'double', nullable: false },
  { name: 'count', type: 'int32', nullable: false },
  { name: 'note', type: 'string', nullable: false },
  { name: 'props', type: 'json', nullable: false },
];

const rows = (body = PAGE) => (parseJsonBytes(Buffer.from(body, 'utf8'), { rows: ['data'] }) as { data: Row[] }).data;

/** NDJSON lines read by Python with every number kept as its text. */
function pythonExact(text: string): unknown[] {
  const script = 'import json, sys\ntag = lambda s: {"$n": s}\nsys.stdout.write(json.dumps([json.loads(l, parse_int=tag, parse_float=tag) for l in sys.stdin.read().splitlines()]))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text }).toString('utf8')) as unknown[];
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('NDJSON', () => {
  it('pass-through: each line is the row as the server wrote it, on one line', async () => {
    const sink = new MemorySink();
    await writeNdjson(rowsOf(rows()), sink, { columns: COLUMNS, passThrough: true });
    expect(sink.text()).toBe(
      '{"id":9007199254740993,"amount":1.50,"neg":-0,"ratio":0.1,"count":2.0,"note":"x\\u003cy \\u6771\\u4eac 東京","props":{"big":12345678901234567890,"deep":[1e400,-0.0,0.0000001]}}\n' +
        '{"id":12,"amount":3,"neg":0,"ratio":0.3333333333333333,"count":7,"note":"-1","props":{}}\n',
    );
  });

  it('projected (--fields): the same digits, in the columns asked for', async () => {
    const sink = new MemorySink();
    const columns = ['props', 'id', 'neg', 'count'].map((n) => COLUMNS.find((c) => c.name === n)!);
    await writeNdjson(rowsOf(rows()), sink, { columns });
    expect(pythonExact(sink.text())).toEqual([
      { props: { big: { $n: '12345678901234567890' }, deep: [{ $n: '1e400' }, { $n: '-0.0' }, { $n: '0.0000001' }] }, id: { $n: '9007199254740993' }, neg: { $n: '-0' }, count: { $n: '2.0' } },
      { props: {}, id: { $n: '12' }, neg: { $n: '0' }, count: { $n: '7' } },
    ]);
  });

  it('rows a provider built from parsed values (no bytes of their own) keep the digits too', async () => {
    const built = rows().map((r) => ({ ...r, extra: true }));
    const sink = new MemorySink();
    await writeNdjson(rowsOf(built), sink, { columns: COLUMNS, passThrough: true });
    const [first] = pythonExact(sink.text()) as Record<string, unknown>[];
    expect(first).toMatchObject({ id: { $n: '9007199254740993' }, amount: { $n: '1.50' }, neg: { $n: '-0' }, note: 'x<y 東京 東京', extra: true });
    expect(first!.props).toEqual({ big: { $n: '12345678901234567890' }, deep: [{ $n: '1e400' }, { $n: '-0.0' }, { $n: '0.0000001' }] });
  });
});

describe('CSV', () => {
  it('cells hold the server digits, JSON cells their nested numbers; --csv-safe leaves numbers alone', async () => {
    for (const csvSafe of [false, true]) {
      const sink = new MemorySink();
      await writeCsv(rowsOf(rows()), sink, { columns: COLUMNS, csvSafe });
      expect(parseCsvWithPython(sink.text())).toEqual([
        ['id', 'amount', 'neg', 'ratio', 'count', 'note', 'props'],
        ['9007199254740993', '1.50', '-0', '0.1', '2.0', 'x<y 東京 東京', '{"big":12345678901234567890,"deep":[1e400,-0.0,0.0000001]}'],
        ['12', '3', '0', '0.3333333333333333', '7', csvSafe ? "'-1" : '-1', '{}'],
      ]);
    }
  });
});

describe('Parquet', () => {
  it('stores each value exactly in its column type: BIGINT past 2^53, -0.0, 2.0 as INTEGER 2, JSON text digit for digit', async () => {
    const sink = new MemorySink();
    await writeParquet(rowsOf(rows()), sink, { columns: COLUMNS });
    const bytes = sink.bytes();
    const back = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Row[];
    expect(back).toEqual([
      { id: 9007199254740993n, amount: 1.5, neg: -0, ratio: 0.1, count: 2, note: 'x<y 東京 東京', props: '{"big":12345678901234567890,"deep":[1e400,-0.0,0.0000001]}' },
      { id: 12n, amount: 3, neg: 0, ratio: 0.3333333333333333, count: 7, note: '-1', props: '{}' },
    ]);
    expect(Object.is(back[0]!.neg, -0)).toBe(true);
    const path = join(tmp.dir, 'exact.parquet');
    writeFileSync(path, bytes);
    expect(await duckdb(`SELECT CAST(id AS VARCHAR) AS id, amount, count FROM read_parquet(${sqlString(path)})`)).toEqual([
      { id: '9007199254740993', amount: 1.5, count: 2 },
      { id: '12', amount: 3, count: 7 },
    ]);
  });

  const bad: [string, string, string, string][] = [
    ['id', '12345678901234567890', 'an int64 column', 'column "id" (int64) needs a whole number that fits 64 bits, got 12345678901234567890 in row 2'],
    ['amount', '12345678901234567890', 'a double column', 'column "amount" (double) needs a number that a DOUBLE holds exactly, got 12345678901234567890 in row 2'],
    ['amount', '1e400', 'a double column', 'column "amount" (double) needs a number that a DOUBLE holds exactly, got 1e400 in row 2'],
    ['ratio', '9007199254740993', 'a double column', 'column "ratio" (double) needs a number that a DOUBLE holds exactly, got 9007199254740993 in row 2'],
    ['ratio', '0.10000000000000000001', 'a double column', 'column "ratio" (double) needs a number that a DOUBLE holds exactly, got 0.10000000000000000001 in row 2'],
    ['count', '2.50', 'an int32 column', 'column "count" (int32) needs a whole number that fits 32 bits, got 2.50 in row 2'],
    ['count', '2147483648.0', 'an int32 column', 'column "count" (int32) needs a whole number that fits 32 bits, got 2147483648.0 in row 2'],
  ];
  it.each(bad)('%s = %s in %s: exit 6 (IntegrityError) naming the column, the value and the row', async (field, text, _where, message) => {
    const good = '{"id":1,"amount":1,"neg":0,"ratio":1,"count":1,"note":"n","props":{}}';
    const changed = good.replace(new RegExp(`"${field}":[^,}]+`), `"${field}":${text}`);
    const err = await writeParquet(rowsOf(rows(`{"data":[${good},${changed}]}`)), new MemorySink(), { columns: COLUMNS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(`parquet: ${message}`);
  });
});
