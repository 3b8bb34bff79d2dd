import { UsageError } from '../../core/errors.js';

// The `table=` of a postgresql:// target: `name` or `schema.name`, each a plain SQL identifier.
// Unquoted identifiers fold to lower case in PostgreSQL, so `table=Conversions` means the table
// `SELECT * FROM Conversions` reads: `conversions`. Anything else (spaces, quotes, dots inside a
// part, a database prefix) is refused rather than quoted into a table nobody can type.

export interface TableName {
  /** Undefined: the connection's current_schema() (the first existing schema on search_path). */
  schema?: string;
  name: string;
}

/** PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENT = 63;
/** The load table is `<name>_mbuzz_loads`; it must not be truncated into a clash. */
export const LOADS_SUFFIX = '_mbuzz_loads';
const PART = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseTableName(text: string): TableName {
  const parts = text.split('.');
  if (parts.length > 2) throw new UsageError(`table=${text}: give name or schema.name (the database is the URL's path)`);
  for (const part of parts) {
    if (!PART.test(part)) {
      throw new UsageError(`table=${text}: "${part}" is not a plain identifier (letters, digits and _, not starting with a digit)`);
    }
  }
  const [first, second] = parts.map((p) => p.toLowerCase()) as [string, string | undefined];
  const table: TableName = second === undefined ? { name: first } : { schema: first, name: second };
  if (table.schema !== undefined && Buffer.byteLength(table.schema) > MAX_IDENT) throw new UsageError(`table=${text}: the schema name is longer than PostgreSQL's ${MAX_IDENT} bytes`);
  if (Buffer.byteLength(table.name) + LOADS_SUFFIX.length > MAX_IDENT) {
    throw new UsageError(`table=${text}: the table name may be at most ${MAX_IDENT - LOADS_SUFFIX.length} bytes (its load table adds ${LOADS_SUFFIX})`);
  }
  return table;
}

/** Always quoted: a column called `order` or `user` then needs no special case. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"` once the schema is known. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function tableText(table: TableName): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
}
