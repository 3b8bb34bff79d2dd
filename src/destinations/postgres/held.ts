import type { ClientBase } from 'pg';
import { UsageError } from '../../core/errors.js';
import { loadsTableName } from './loads.js';
import type { PasswordOptions } from './password.js';
import { withSession } from './connect.js';
import { scopeWhere } from './scope.js';
import { resolveTable } from './check.js';
import { qualified, quoteIdent } from './table-name.js';
import { readTable } from './table-shape.js';
import type { PgTarget } from './url.js';

// What a table holds, for `mbuzz verify`: the scopes its loads covered (dataset and filter,
// from `<table>_mbuzz_loads`, every day any load of that scope replaced), and the rows each
// scope holds per day now, counted with the very WHERE a load deletes by. Read-only: one
// connection, two kinds of SELECT, no transaction left open.

export interface HeldScope {
  dataset: string;
  /** Column -> values, as the loads recorded them ({} = every row of the days). */
  filters: Record<string, string[]>;
  /** Every day checked (YYYY-MM-DD), oldest first, with the rows the table holds for it under the filters. */
  days: Map<string, number>;
}

export interface HeldTable {
  schema: string;
  table: string;
  /** The table's columns, in table order. */
  columns: string[];
  scopes: HeldScope[];
}

export interface HeldQuery extends PasswordOptions {
  /** The date column a dataset's days are counted by. */
  dateColumnOf(dataset: string): string;
  /** Exactly these days (YYYY-MM-DD) for every scope; undefined = the days its loads covered. */
  days?: readonly string[];
}

export async function readHeldTable(target: PgTarget, q: HeldQuery): Promise<HeldTable> {
  return withSession(target, q, async ({ session }) => {
    const { schema, name } = await resolveTable(session, target);
    const { client } = session;
    const info = await readTable(client, qualified(schema, name));
    if (!info) throw new UsageError(`table ${schema}.${name} does not exist`);
    const loads = qualified(schema, loadsTableName(name));
    if (!(await readTable(client, loads))) throw new UsageError(`${schema}.${loadsTableName(name)} does not exist: nothing records which loads wrote ${schema}.${name}`);
    const scopes = await loadedScopes(client, loads);
    if (!scopes.length) throw new UsageError(`${schema}.${loadsTableName(name)} records no load: nothing says what ${schema}.${name} holds`);
    const held: HeldScope[] = [];
    for (const s of scopes) {
      const days = q.days ?? [...s.days].sort();
      held.push({ dataset: s.dataset, filters: s.filters, days: await countDays(client, qualified(schema, name), q.dateColumnOf(s.dataset), s.filters, days) });
    }
    return { schema, table: name, columns: info.columns.map((c) => c.name), scopes: held };
  });
}

/** Each (dataset, filters) loaded, with the union of the days its loads covered. */
async function loadedScopes(client: ClientBase, loads: string): Promise<{ dataset: string; filters: Record<string, string[]>; days: Set<string> }[]> {
  const { rows } = await client.query<{ dataset: string; filters: Record<string, string[]>; days: string[] }>(
    `SELECT dataset, filters, array(SELECT d::text FROM unnest(days) AS d) AS days FROM ${loads} ORDER BY finished_at`,
  );
  const byKey = new Map<string, { dataset: string; filters: Record<string, string[]>; days: Set<string> }>();
  for (const r of rows) {
    const filters = Object.fromEntries(Object.keys(r.filters ?? {}).sort().map((k) => [k, [...r.filters[k]!].sort()]));
    const key = JSON.stringify([r.dataset, filters]);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { dataset: r.dataset, filters, days: new Set() }));
    for (const d of r.days) s.days.add(d);
  }
  return [...byKey.values()];
}

async function countDays(client: ClientBase, table: string, dateColumn: string, filters: Record<string, string[]>, days: readonly string[]): Promise<Map<string, number>> {
  const out = new Map(days.map((d) => [d, 0]));
  if (!days.length) return out;
  const where = scopeWhere({ dataset: '', columns: [], dateColumn }, { days, match: filters });
  const { rows } = await client.query<{ day: string; n: string }>(
    `SELECT ${quoteIdent(dateColumn)}::text AS day, count(*)::text AS n FROM ${table} WHERE ${where.sql} GROUP BY 1`,
    where.params,
  );
  for (const r of rows) out.set(r.day, Number(r.n));
  return out;
}
