import { parquetReadObjects } from 'hyparquet';
import { expect } from 'vitest';
import type { Column } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
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
    return canon(records);
  }
  const back = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  return canon(back.map((row) => norm(row, fromParquet)));
}
export function expectedOf(format: string, rows: Record<string, unknown>[]): string[] {
  if (format === 'ndjson') return canon(rows);
  if (format === 'csv') return canon(rows.map((row) => CONVERSIONS_COLUMNS.map((c) => csvCell(row[c.name]))));
  return canon(rows.map((row) => norm(row, fromDuck)));
}

