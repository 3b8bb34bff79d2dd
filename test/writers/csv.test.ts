import { describe, expect, it } from 'vitest';
import type { Column, Row } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS, SPEND_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { csvField, writeCsv } from '../../src/writers/csv.js';
import { writerFor } from '../../src/writers/index.js';
import { DATASETS, MemorySink, fixtureRows, parseCsvWithPython, rowsOf } from './helpers.js';

// What a cell should read as, written out independently of src/writers/values.ts.
function expectedCell(column: Column, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (column.type === 'json' || (typeof v === 'object' && v !== null)) return JSON.stringify(v);
  if (v === true) return 'true';
  if (v === false) return 'false';
  return String(v);
}

async function csvOf(rows: Row[], columns: readonly Column[]): Promise<string> {
  const sink = new MemorySink();
  const n = await writeCsv(rowsOf(rows), sink, { columns });
  expect(n).toBe(rows.length);
  return sink.text();
}

describe('CSV writer', () => {
  it('is what writerFor("csv") returns', () => {
    expect(writerFor('csv')).toBe(writeCsv);
  });

  it.each(DATASETS)('round-trips the $name fixture through Python csv', async ({ name, columns }) => {
    const rows = fixtureRows(name);
    const text = await csvOf(rows, columns);
    const parsed = parseCsvWithPython(text);
    expect(parsed[0]).toEqual(columns.map((c) => c.name));
    expect(parsed).toHaveLength(rows.length + 1);
    rows.forEach((row, i) => {
      expect(parsed[i + 1]).toEqual(columns.map((c) => expectedCell(c, row[c.name])));
    });
  });

  it('quotes only what must be quoted, doubles quotes, ends every record with CRLF', async () => {
    const columns: Column[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => ({ name, type: 'string', nullable: true }));
    const row: Row = { a: 'plain', b: 'x,y', c: 'say "hi"', d: 'l1\nl2', e: 'r1\rr2', f: 'crlf\r\nend', g: 'naïve 🎉' };
    const text = await csvOf([row], columns);
    expect(text).toBe('a,b,c,d,e,f,g\r\nplain,"x,y","say ""hi""","l1\nl2","r1\rr2","crlf\r\nend",naïve 🎉\r\n');
    expect(parseCsvWithPython(text)[1]).toEqual(Object.values(row));
  });

  it('renders nulls as empty, booleans as true/false, objects as compact JSON, numbers as JS prints them', async () => {
    const columns: Column[] = [
      { name: 'n', type: 'string', nullable: true },
      { name: 'u', type: 'string', nullable: true },
      { name: 't', type: 'boolean', nullable: false },
      { name: 'f', type: 'boolean', nullable: false },
      { name: 'o', type: 'json', nullable: false },
      { name: 'arr', type: 'json', nullable: false },
      { name: 'd', type: 'double', nullable: false },
      { name: 'tiny', type: 'double', nullable: false },
      { name: 'big', type: 'int64', nullable: false },
      { name: 'empty', type: 'string', nullable: false },
    ];
    const row: Row = { n: null, t: true, f: false, o: { a: 1, 'b,c': 'x"y' }, arr: [1, 'two'], d: 1.5, tiny: 1e-7, big: 9007199254740991, empty: '' };
    const text = await csvOf([row], columns);
    expect(text.split('\r\n')[1]).toBe(',,true,false,"{""a"":1,""b,c"":""x\\""y""}","[1,""two""]",1.5,1e-7,9007199254740991,');
    expect(parseCsvWithPython(text)[1]).toEqual(['', '', 'true', 'false', '{"a":1,"b,c":"x\\"y"}', '[1,"two"]', '1.5', '1e-7', '9007199254740991', '']);
  });

  it('writes the header alone for no rows', async () => {
    expect(await csvOf([], SPEND_COLUMNS)).toBe(`${SPEND_COLUMNS.map((c) => c.name).join(',')}\r\n`);
  });

  it('leaves the header out when told to (appending to a resumed file)', async () => {
    const sink = new MemorySink();
    const cols: Column[] = [{ name: 'a', type: 'string', nullable: true }];
    expect(await writeCsv(rowsOf([{ a: 'x' }, { a: null }]), sink, { columns: cols, header: false })).toBe(2);
    expect(sink.text()).toBe('x\r\n\r\n');
  });

  it('follows the column order given (--fields), dropping other fields', async () => {
    const columns = ['channel', 'date', 'is_acquisition'].map((n) => CONVERSIONS_COLUMNS.find((c) => c.name === n)!);
    const text = await csvOf(fixtureRows('conversions').slice(0, 2), columns);
    expect(text).toBe('channel,date,is_acquisition\r\npaid_search,2026-04-01,true\r\nemail,2026-04-01,false\r\n');
  });

  it('keeps UTF-8 bytes intact', async () => {
    const text = await csvOf(fixtureRows('conversions'), CONVERSIONS_COLUMNS);
    expect(Buffer.from(text, 'utf8').toString('utf8')).toContain('日本語キャンペーン 🚀');
    expect(text).toContain('Último toque');
  });

  it('csvField escapes per RFC 4180', () => {
    expect(csvField('')).toBe('');
    expect(csvField('"')).toBe('""""');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField(' spaced ')).toBe(' spaced ');
  });

  it('streams many rows in chunks and parses back', async () => {
    const base = fixtureRows('conversions')[2]!;
    const rows = Array.from({ length: 3000 }, (_, i) => ({ ...base, touchpoint_index: i }));
    const sink = new MemorySink();
    await writeCsv(rowsOf(rows), sink, { columns: CONVERSIONS_COLUMNS });
    expect(sink.chunks.length).toBeGreaterThan(3);
    const parsed = parseCsvWithPython(sink.text());
    expect(parsed).toHaveLength(3001);
    const idx = CONVERSIONS_COLUMNS.findIndex((c) => c.name === 'touchpoint_index');
    expect(parsed.slice(1).map((r) => Number(r[idx]))).toEqual(rows.map((r) => r.touchpoint_index));
  });
});
