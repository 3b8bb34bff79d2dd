// Reads an exported file back independently of the writers (Python's csv module, DuckDB) and
// compares it, in order, with the rows expected. Shared by the Atribu and AttributionHub e2e tests.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Column } from '../../../src/core/columns.js';
import { duckdb, parseCsvWithPython, sqlString } from '../../writers/helpers.js';

// A timestamp's expected forms come from JavaScript's Date, not from writers/timestamps.ts. The
// sandboxes send whole seconds (ISO 8601 with a zone, or epoch seconds), which a Date holds exactly.
const dateOf = (v: unknown) => (typeof v === 'number' ? new Date(v * 1000) : new Date(v as string));

/** RFC 3339 UTC, the fraction only when there is one: what a timestamp's CSV cell says. */
export function utcText(v: unknown): string {
  return dateOf(v).toISOString().replace(/\.000Z$/, 'Z');
}

/** Microseconds since the epoch, as DuckDB's epoch_us prints them. */
export function epochMicros(v: unknown): string {
  return String(BigInt(dateOf(v).getTime()) * 1000n);
}

/** What a CSV cell should say for a value (RFC 4180 aside): JSON for arrays/objects, '' for null. */
export function csvCell(v: unknown, type?: Column['type']): string {
  if (v === null || v === undefined) return '';
  if (type === 'timestamp') return utcText(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** DuckDB's names for the column types of a Parquet file mbuzz wrote. */
export const DUCK_TYPES: Record<Column['type'], string> = {
  string: 'VARCHAR',
  json: 'VARCHAR',
  date: 'DATE',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  double: 'DOUBLE',
  int32: 'INTEGER',
  int64: 'BIGINT',
  boolean: 'BOOLEAN',
};

/** SELECT list reading a Parquet file back with every timestamp as epoch_us, so the session time zone cannot colour it. */
export function duckSelect(columns: readonly Column[]): string {
  return columns.map((c) => (c.type === 'timestamp' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`)).join(', ');
}

/** A value as DuckDB hands it back, normalised: JSON columns parsed, integers as numbers. */
export function fromDuck(v: unknown, type: Column['type']): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'json') return typeof v === 'string' ? JSON.parse(v) : v;
  if (type === 'timestamp') return String(v);
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
    expect(records).toEqual(expected.map((r) => columns.map((c) => csvCell(r[c.name], c.type))));
  } else {
    const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(columns.map((c) => [c.name, DUCK_TYPES[c.type]]));
    const back = await duckdb(`SELECT ${duckSelect(columns)} FROM read_parquet(${sqlString(path)})`);
    const norm = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c.name, fromDuck(r[c.name], c.type)]));
    const want = (r: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c.name, c.type === 'timestamp' && r[c.name] != null ? epochMicros(r[c.name]) : fromDuck(r[c.name], c.type)]));
    expect(back.map(norm)).toEqual(expected.map(want));
  }
}
