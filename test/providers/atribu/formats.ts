// Reads an exported file back independently of the writers (Python's csv module, DuckDB) and
// compares it, in order, with the rows expected. Shared by the Atribu and AttributionHub e2e tests.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Column } from '../../../src/core/columns.js';
import { duckdb, parseCsvWithPython, sqlString } from '../../writers/helpers.js';

/** What a CSV cell should say for a value (RFC 4180 aside): JSON for arrays/objects, '' for null. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A value as DuckDB hands it back, normalised: JSON columns parsed, integers as numbers. */
export function fromDuck(v: unknown, type: Column['type']): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'json') return typeof v === 'string' ? JSON.parse(v) : v;
  if (type === 'int64' || type === 'int32' || type === 'double') return Number(v);
  return v;
}

export async function expectFile(path: string, format: 'ndjson' | 'csv' | 'parquet', columns: readonly Column[], expected: Record<string, unknown>[]): Promise<void> {
  if (format === 'ndjson') {
    const text = readFileSync(path, 'utf8');
    const rows = text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(rows).toEqual(expected);
  } else if (format === 'csv') {
    const [header, ...records] = parseCsvWithPython(readFileSync(path, 'utf8'));
    expect(header).toEqual(columns.map((c) => c.name));
    expect(records).toEqual(expected.map((r) => columns.map((c) => csvCell(r[c.name]))));
  } else {
    const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(described.map((d) => d.column_name)).toEqual(columns.map((c) => c.name));
    const back = await duckdb(`SELECT * FROM read_parquet(${sqlString(path)})`);
    const norm = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c.name, fromDuck(r[c.name], c.type)]));
    expect(back.map(norm)).toEqual(expected.map(norm));
  }
}
