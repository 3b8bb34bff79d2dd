import type { ClientBase } from 'pg';
import { LOADS_SUFFIX, qualified } from './table-name.js';

// What each load covered, in a table beside the data: `<table>_mbuzz_loads`, one row per
// committed load, written in the load's own transaction (so a row here means those days were
// replaced, and a rolled-back load leaves no row).
//
// Why a load table and not a per-row column like dlt's _dlt_load_id: dlt appends and merges, so
// it needs every row to say which load package brought it, to find and drop the rows of a
// package that never completed. Here a load never half-lands: it deletes and copies inside one
// transaction, so a row exists only if its load committed, and the replace is by (days,
// filter), not by load id. A column would also make the table differ from the dataset's schema
// (`mbuzz schema --as sql`), so a table a user made from that DDL would not match. The load
// table answers the audit questions: which load last wrote 2026-05-01 with --channel email
// (`WHERE '2026-05-01' = ANY(days) ORDER BY finished_at DESC`), how many rows it replaced, and
// which mbuzz wrote it.

export const LOADS_COLUMNS = [
  ['load_id', 'uuid'],
  ['dataset', 'text'],
  ['days', 'date[]'],
  ['filters', 'jsonb'],
  ['rows_loaded', 'bigint'],
  ['rows_replaced', 'bigint'],
  ['started_at', 'timestamp with time zone'],
  ['finished_at', 'timestamp with time zone'],
  ['mbuzz_version', 'text'],
] as const;

export function loadsTableName(name: string): string {
  return `${name}${LOADS_SUFFIX}`;
}

export function createLoadsTable(schema: string, name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, loadsTableName(name))} (
  load_id       uuid PRIMARY KEY,
  dataset       text NOT NULL,
  days          date[] NOT NULL,
  filters       jsonb NOT NULL,
  rows_loaded   bigint NOT NULL,
  rows_replaced bigint NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL,
  mbuzz_version text NOT NULL
)`;
}

export interface LoadRecord {
  loadId: string;
  dataset: string;
  days: readonly string[];
  /** Column -> values the load was narrowed to ({} = every row of those days). */
  filters: Readonly<Record<string, readonly string[]>>;
  rowsLoaded: number;
  rowsReplaced: number;
  startedAt: Date;
  version: string;
}

/** Inserted inside the load's transaction, just before COMMIT; finished_at is the server's clock then. */
export async function recordLoad(client: ClientBase, schema: string, name: string, r: LoadRecord): Promise<void> {
  await client.query(
    `INSERT INTO ${qualified(schema, loadsTableName(name))} (load_id, dataset, days, filters, rows_loaded, rows_replaced, started_at, finished_at, mbuzz_version)
     VALUES ($1, $2, $3::date[], $4::jsonb, $5, $6, $7, clock_timestamp(), $8)`,
    [r.loadId, r.dataset, r.days, JSON.stringify(r.filters), r.rowsLoaded, r.rowsReplaced, r.startedAt, r.version],
  );
}
