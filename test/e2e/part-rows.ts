import { parquetReadObjects } from 'hyparquet';
import { expect } from 'vitest';
import type { Column } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { rubyFloat } from '../../src/sandbox/ruby-json.js';
import { csvCell, fromDuck } from '../providers/atribu/formats.js';
import { parseCsvWithPython } from '../writers/helpers.js';
import { canon, parseNdjson } from './harness.js';

// Conversions part files read back by independent readers (JSON.parse, Python's csv module,
// hyparquet) and the sandbox's truth rows put in the same comparable form (canon).

/** hyparquet's values as the API sent them: DATE as YYYY-MM-DD, JSON text parsed, BIGINT a number. */
function fromParquet(v: unknown, type: Column['type']): unknown {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'bigint') return Number(v);
  return fromDuck(v, type);
}
const norm = (row: Record<string, unknown>, read: (v: unknown, t: Column['type']) => unknown) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, read(row[c.name], c.type)]));

/** The rows of one part file, in a form comparable with the truth (canon). */
export async function rowsOf(format: string, bytes: Buffer): Promise<string[]> {
  if (format === 'ndjson') return canon(parseNdjson(bytes));
  if (format === 'csv') {
    const [header, ...records] = parseCsvWithPython(bytes.toString('utf8'));
    expect(header).toEqual(CONVERSIONS_COLUMNS.map((c) => c.name));
    return canon(jsonCellsAsValues(records));
  }
  const back = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  return canon(back.map((row) => norm(row, fromParquet)));
}
/** A conversions CSV record as the writer must emit it: DOUBLE cells keep the server's digits (Ruby's 1.0, 1.0e-05). */
export function csvRecordOf(row: Record<string, unknown>): string[] {
  return CONVERSIONS_COLUMNS.map((c) => (c.type === 'double' && typeof row[c.name] === 'number' ? rubyFloat(row[c.name] as number) : csvCell(row[c.name])));
}
/** CSV records with JSON cells compared as values: nested numbers keep the server's spelling (1.0e+16). */
export function jsonCellsAsValues(records: string[][]): string[][] {
  const json = CONVERSIONS_COLUMNS.map((c) => c.type === 'json');
  return records.map((cells) => cells.map((v, i) => (json[i] && v !== '' ? JSON.stringify(JSON.parse(v)) : v)));
}
export function expectedOf(format: string, rows: Record<string, unknown>[]): string[] {
  if (format === 'ndjson') return canon(rows);
  if (format === 'csv') return canon(rows.map(csvRecordOf));
  return canon(rows.map((row) => norm(row, fromDuck)));
}

