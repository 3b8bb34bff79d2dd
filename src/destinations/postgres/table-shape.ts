import type { ClientBase } from 'pg';
import type { Column } from '../../core/columns.js';
import { sqlType } from '../../schema/ddl.js';

// What an existing table looks like, and how it differs from the columns a dataset writes. The
// table must have exactly the dataset's columns (by name; order does not matter, COPY names
// them), each of the type `mbuzz schema --as sql --dialect postgres` gives it, and must not
// refuse a null the API can send. Anything else is named, so the user can ALTER the table or
// point table= elsewhere, before a single request is spent.

export interface TableColumn {
  name: string;
  /** format_type(): `text`, `double precision`, `date[]`, `timestamp with time zone`. */
  type: string;
  notNull: boolean;
}

export interface TableInfo {
  /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table. */
  kind: string;
  columns: TableColumn[];
}

/** The table named by `quotedName` ("schema"."name"), or undefined when there is none. */
export async function readTable(client: ClientBase, quotedName: string): Promise<TableInfo | undefined> {
  const rel = await client.query<{ kind: string }>('SELECT relkind::text AS kind FROM pg_class WHERE oid = to_regclass($1)', [quotedName]);
  const kind = rel.rows[0]?.kind;
  if (kind === undefined) return undefined;
  const cols = await client.query<{ name: string; type: string; not_null: boolean }>(
    'SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
    [quotedName],
  );
  return { kind, columns: cols.rows.map((r) => ({ name: r.name, type: r.type, notNull: r.not_null })) };
}

export const KIND_NAMES: Record<string, string> = { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index', c: 'a composite type' };

/** Every difference between the dataset's columns and the table's, one phrase each; empty when they match. */
export function columnDifferences(dataset: string, expected: readonly Column[], actual: readonly TableColumn[]): string[] {
  const out: string[] = [];
  const have = new Map(actual.map((c) => [c.name, c]));
  for (const col of expected) {
    const want = sqlType(col.type, 'postgres').toLowerCase();
    const got = have.get(col.name);
    if (!got) {
      out.push(`missing column ${col.name} (${want})`);
      continue;
    }
    if (got.type !== want) out.push(`column ${col.name} is ${got.type}, mbuzz writes ${want}`);
    if (got.notNull && col.nullable) out.push(`column ${col.name} is NOT NULL, but ${dataset} can have nulls there`);
  }
  const wanted = new Set(expected.map((c) => c.name));
  for (const col of actual) if (!wanted.has(col.name)) out.push(`extra column ${col.name} (${dataset} has no such column)`);
  return out;
}

/** Differences against a fixed list of (name, type): for mbuzz's own load table, where extra columns are allowed. */
export function missingOrRetyped(expected: readonly (readonly [string, string])[], actual: readonly TableColumn[]): string[] {
  const have = new Map(actual.map((c) => [c.name, c.type]));
  return expected.flatMap(([name, type]) => {
    const got = have.get(name);
    if (got === undefined) return [`missing column ${name} (${type})`];
    return got === type ? [] : [`column ${name} is ${got}, mbuzz writes ${type}`];
  });
}
