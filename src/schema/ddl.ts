import type { Column, ColumnType } from '../core/columns.js';

// CREATE TABLE statements matching what the Parquet writer produces, so a warehouse table can be
// made before the first load.

export type Dialect = 'duckdb' | 'postgres';

const TYPES: Record<Dialect, Record<ColumnType, string>> = {
  duckdb: { string: 'VARCHAR', date: 'DATE', timestamp: 'TIMESTAMPTZ', double: 'DOUBLE', int32: 'INTEGER', int64: 'BIGINT', boolean: 'BOOLEAN', json: 'JSON' },
  // The long name is the one format_type() reports, which destinations/postgres/table-shape.ts compares with.
  postgres: { string: 'TEXT', date: 'DATE', timestamp: 'TIMESTAMP WITH TIME ZONE', double: 'DOUBLE PRECISION', int32: 'INTEGER', int64: 'BIGINT', boolean: 'BOOLEAN', json: 'JSONB' },
};

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function tableName(dataset: string): string {
  return dataset.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The SQL type a column of this type gets in the dialect (upper case, as the DDL writes it). */
export function sqlType(type: ColumnType, dialect: Dialect): string {
  return TYPES[dialect][type];
}

export function createTable(dataset: string, columns: readonly Column[], dialect: Dialect): string {
  return createTableNamed(quoteIdent(tableName(dataset)), columns, dialect);
}

/** The same statement for a name the caller has already qualified and quoted (a destination's "schema"."table"). */
export function createTableNamed(quotedName: string, columns: readonly Column[], dialect: Dialect): string {
  const width = Math.max(...columns.map((c) => quoteIdent(c.name).length));
  const lines = columns.map((c) => `  ${quoteIdent(c.name).padEnd(width)} ${TYPES[dialect][c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  return `CREATE TABLE ${quotedName} (\n${lines.join(',\n')}\n);\n`;
}
