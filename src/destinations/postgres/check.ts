import type { ClientBase } from 'pg';
import { UsageError } from '../../core/errors.js';
import { createTableNamed } from '../../schema/ddl.js';
import { createLoadsTable, loadsTableName, LOADS_COLUMNS } from './loads.js';
import type { PasswordOptions } from './password.js';
import { withSession } from './connect.js';
import { checkSpec, type PgTableSpec } from './scope.js';
import type { PgSession } from './session.js';
import { columnDifferences, KIND_NAMES, missingOrRetyped, readTable } from './table-shape.js';
import { qualified, quoteIdent } from './table-name.js';
import type { PgTarget } from './url.js';

// The pre-flight check of a postgresql:// target, run before any API request: connect (a wrong
// host, port, password or database is exit 2 with one line), create the table from the
// dataset's columns when it is missing (the DDL of `mbuzz schema --as sql --dialect postgres`,
// plus an index on the date column that every load deletes by, plus the load table), refuse a
// table whose columns differ, and make sure the user may read, insert and delete there.

export interface PgCheckResult {
  schema: string;
  table: string;
  /** The table did not exist and was created. */
  created: boolean;
  /** Things the user should hear (a password file that was ignored). */
  warnings: string[];
}

export async function checkPostgresTarget(target: PgTarget, spec: PgTableSpec, options: PasswordOptions = {}): Promise<PgCheckResult> {
  checkSpec(spec);
  return withSession(target, options, async ({ session, password }) => {
    const { schema, name } = await resolveTable(session, target);
    const created = await ensureTables(session.client, schema, name, spec, target);
    await checkPrivileges(session.client, schema, name, target);
    return { schema, table: name, created, warnings: password.warnings };
  });
}

/** The schema and name the target's table= means on this connection; the schema must exist. */
export async function resolveTable(session: PgSession, target: PgTarget): Promise<{ schema: string; name: string }> {
  if (!target.table) throw new UsageError(`${target.label}: which table? give ?table=schema.name`);
  const schema = target.table.schema ?? session.currentSchema;
  if (schema === null) throw new UsageError(`the search_path of ${target.user} names no existing schema: give table=schema.${target.table.name}`);
  const found = await session.client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rowCount === 0) throw new UsageError(`schema ${schema} does not exist (mbuzz creates tables, not schemas)`);
  return { schema, name: target.table.name };
}

async function ensureTables(client: ClientBase, schema: string, name: string, spec: PgTableSpec, target: PgTarget): Promise<boolean> {
  const table = qualified(schema, name);
  await client.query('BEGIN');
  try {
    // two workers starting at once must not both try to create the table
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mbuzz:create:${table}`]);
    const info = await readTable(client, table);
    let created = false;
    if (!info) {
      await client.query(createTableNamed(table, spec.columns, 'postgres'));
      await client.query(`CREATE INDEX ON ${table} (${quoteIdent(spec.dateColumn)})`);
      created = true;
    } else {
      checkShape(info, spec, target, `${schema}.${name}`);
    }
    await client.query(createLoadsTable(schema, name));
    const loads = await readTable(client, qualified(schema, loadsTableName(name)));
    const diff = missingOrRetyped(LOADS_COLUMNS, loads?.columns ?? []);
    if (diff.length) throw new UsageError(`${schema}.${loadsTableName(name)} is not mbuzz's load table: ${diff.join('; ')}`);
    await client.query('COMMIT');
    return created;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export function checkShape(info: { kind: string; columns: { name: string; type: string; notNull: boolean }[] }, spec: PgTableSpec, target: PgTarget, shown: string): void {
  const kind = KIND_NAMES[info.kind];
  if (kind) throw new UsageError(`${shown} is ${kind}; mbuzz loads into a table`);
  const diff = columnDifferences(spec.dataset, spec.columns, info.columns);
  if (diff.length) {
    throw new UsageError(`table ${shown} does not match ${spec.dataset}: ${diff.join('; ')} (alter it, or load into another table with ?table=)`);
  }
}

async function checkPrivileges(client: ClientBase, schema: string, name: string, target: PgTarget): Promise<void> {
  const needs: [string, string][] = [
    [qualified(schema, name), 'SELECT'],
    [qualified(schema, name), 'INSERT'],
    [qualified(schema, name), 'DELETE'],
    [qualified(schema, loadsTableName(name)), 'SELECT'],
    [qualified(schema, loadsTableName(name)), 'INSERT'],
  ];
  // has_table_privilege with a list is true when ANY is held, so one call per privilege
  const { rows } = await client.query<{ ok: boolean[] }>(
    'SELECT array_agg(has_table_privilege(t, p) ORDER BY n) AS ok FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(t, p, n)',
    [needs.map((n) => n[0]), needs.map((n) => n[1])],
  );
  const missing = needs.filter((_, i) => rows[0]?.ok[i] !== true);
  if (missing.length) {
    throw new UsageError(`${target.user} lacks ${missing.map(([t, p]) => `${p} on ${t.replaceAll('"', '')}`).join(', ')}`);
  }
}
