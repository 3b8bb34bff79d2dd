import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import type { Column, ColumnType } from '../../src/core/columns.js';
import { daysFromIsoDate, jsonText, parquetConverter, textOf } from '../../src/writers/values.js';

const col = (type: ColumnType, nullable = true): Column => ({ name: `c_${type}`, type, nullable });

describe('value conversion shared by CSV and Parquet', () => {
  it('daysFromIsoDate counts UTC days and rejects what is not a calendar day', () => {
    expect(daysFromIsoDate('1970-01-01')).toBe(0);
    expect(daysFromIsoDate('1969-12-31')).toBe(-1);
    expect(daysFromIsoDate('2026-04-01')).toBe(20544); // DuckDB: DATE '2026-04-01' - DATE '1970-01-01'
    expect(daysFromIsoDate('2024-02-29')).toBe(19782);
    for (const bad of ['2023-02-29', '2026-13-01', '2026-04-31', '2026-4-1', '2026-04-01T00:00:00Z', '', ' 2026-04-01']) {
      expect([bad, daysFromIsoDate(bad)]).toEqual([bad, undefined]);
    }
  });

  it('CSV text and Parquet values agree for json, date and boolean columns', () => {
    const json = { a: [1, 'two', null], 'k,"q"': { n: true } };
    const text = '{"a":[1,"two",null],"k,\\"q\\"":{"n":true}}';
    expect([textOf('json', json), parquetConverter(col('json'))(json, 1)]).toEqual([text, text]);
    expect([textOf('json', 'already text'), parquetConverter(col('json'))('already text', 1)]).toEqual(['"already text"', '"already text"']); // a JSON string value
    expect(textOf('date', '2026-04-01')).toBe('2026-04-01');
    expect(textOf('date', new Date(Date.UTC(2026, 3, 1)))).toBe('2026-04-01');
    expect(parquetConverter(col('date'))(new Date(Date.UTC(2026, 3, 1)), 1)).toBe(20544);
    expect([textOf('boolean', true), textOf('boolean', false)]).toEqual(['true', 'false']);
    expect(parquetConverter(col('boolean'))(false, 1)).toBe(false);
  });

  it('Parquet conversions: int64 as BigInt, null only where nullable', () => {
    expect(parquetConverter(col('int64'))(9007199254740991, 1)).toBe(9007199254740991n);
    expect(parquetConverter(col('int64'))(-5n, 1)).toBe(-5n);
    expect(parquetConverter(col('double'))(3, 1)).toBe(3);
    expect(parquetConverter(col('string'))(null, 1)).toBe(null);
    expect(() => parquetConverter(col('string', false))(undefined, 9)).toThrow(IntegrityError);
    expect(() => parquetConverter(col('int64'))(2n ** 63n, 1)).toThrow(/c_int64/);
    expect(() => parquetConverter(col('double'))({ v: 1 }, 1)).toThrow(/got \{"v":1\} in row 1/);
  });

  it('the date converter remembers the last day but still checks every new string', () => {
    const convert = parquetConverter(col('date'));
    expect(convert('2026-04-01', 1)).toBe(20544);
    expect(convert('2026-04-01', 2)).toBe(20544);
    expect(() => convert('2026-04-31', 3)).toThrow(/2026-04-31/);
    expect(() => convert('2026-04-31', 4)).toThrow(/row 4/);
    expect(convert('2026-04-02', 5)).toBe(20545);
  });

  it('jsonText writes BigInts as exact numbers instead of throwing', () => {
    expect(jsonText({ a: 5n, b: 2n ** 70n })).toBe('{"a":5,"b":1180591620717411303424}');
    expect(jsonText(undefined)).toBe('null');
  });

  it('CSV text never throws: numbers as JS prints them, objects as JSON', () => {
    expect(textOf('double', 1e21)).toBe('1e+21');
    expect(textOf('double', -0.5)).toBe('-0.5');
    expect(textOf('string', { a: 1 })).toBe('{"a":1}');
    expect(textOf('int32', 'not a number')).toBe('not a number');
    expect(textOf('string', undefined)).toBe('');
  });
});
