import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { IntegrityError, UsageError } from '../../core/errors.js';
import type { Output, RowWriter } from '../../writers/types.js';
import { checkShape, resolveTable } from './check.js';
import { CopySink } from './copy-sink.js';
import { writeCopyRows } from './encode.js';
import { connectFailure, loadFailure } from './errors.js';
import { recordLoad } from './loads.js';
import type { PasswordOptions } from './password.js';
import { connect } from './connect.js';
import { checkScope, checkSpec, describeScope, scopeWhere, type LoadScope, type PgTableSpec } from './scope.js';
import { qualified, quoteIdent } from './table-name.js';
import { readTable } from './table-shape.js';
import type { PgTarget } from './url.js';

// One load: the days (and filter) it covers are replaced inside ONE transaction.
//
//   open    BEGIN; lock the days; DELETE the rows the scope covers; COPY ... FROM STDIN starts
//   write   rows stream into COPY through `sink` (memory stays at a chunk or two)
//   commit  end COPY; check the scope now holds exactly the rows written; record the load; COMMIT
//   abort   ROLLBACK (or, if the connection is gone, the server has already rolled back)
//
// Until COMMIT other sessions see the old rows (MVCC), so a reader sees the previous content of
// those days or the new one, never a mix; a failure anywhere, Ctrl-C, or kill -9 (the server
// rolls back when the connection drops) leaves the previous content. One load per export run:
// the pipeline writes its windows in date order as one stream, and one transaction for all of
// them makes the whole run's days change at once, as the file destination's rename does.
//
// Concurrent loads (sharded workers) take a transaction-level advisory lock per (table, day),
// all in one statement in day order, so loads of disjoint days run in parallel and loads of the
// same day queue instead of both deleting the old rows and both inserting (duplicates).

export interface PostgresLoadOptions extends PasswordOptions {
  spec: PgTableSpec;
  scope: LoadScope;
  /** mbuzz's version, for the load table. */
  version: string;
  /** Told when the load has to wait for another load of the same days. */
  note?: (message: string) => void;
}

export interface PostgresLoad extends Output {
  /** The writer for this output: COPY's CSV (null and "" kept apart). Use it instead of writerFor(format). */
  writer: RowWriter;
  readonly loadId: string;
  /** Rows the scope held before (deleted, replaced on commit). */
  readonly replaced: number;
  /** The server process holding the transaction. */
  readonly pid: number;
}

const WAIT_NOTE_MS = 1000;

export async function openPostgresLoad(target: PgTarget, options: PostgresLoadOptions): Promise<PostgresLoad> {
  const { spec } = options;
  checkSpec(spec);
  const scope: LoadScope = { ...options.scope, days: [...new Set(options.scope.days)].sort() };
  checkScope(spec, scope);
  // the session outlives this function: the COPY runs until the export commits or aborts
  const { session, password } = await connect(target, options);
  const { client } = session;
  const startedAt = new Date();
  const loadId = randomUUID();
  let copy: CopyStreamQuery;
  let replaced: number;
  let table: { schema: string; name: string };
  const where = scopeWhere(spec, scope);
  try {
    table = await resolveTable(session, target);
    const name = qualified(table.schema, table.name);
    await client.query('BEGIN');
    // The COPY lasts as long as the export feeds it; a server-wide statement timeout meant for
    // runaway queries must not cut it off.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    // The table may have changed since the pre-flight check.
    const info = await readTable(client, name);
    if (!info) throw new UsageError(`table ${table.schema}.${table.name} is gone since the check`);
    checkShape(info, spec, target, `${table.schema}.${table.name}`);
    await lockDays(client, name, scope.days, () => options.note?.(`waiting for another load of ${describeScope(scope)} into ${table.schema}.${table.name} to finish`));
    const deleted = await client.query(`DELETE FROM ${name} WHERE ${where.sql}`, where.params);
    replaced = deleted.rowCount ?? 0;
    const { from: copyFrom } = await import('pg-copy-streams');
    copy = client.query(copyFrom(`COPY ${name} (${spec.columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
  } catch (err) {
    await session.end();
    throw connectFailure(err, target, password);
  }

  const fail = (err: unknown) => loadFailure(session.failure ?? err, target, password.password);
  const sink = new CopySink(copy, fail);
  let written = 0;
  let state: 'open' | 'committing' | 'done' = 'open';

  const abort = async (): Promise<void> => {
    if (state === 'done') return;
    state = 'done';
    sink.destroy();
    // ROLLBACK explicitly when the connection still answers; closing it rolls back in any case.
    await withTimeout(client.query('ROLLBACK'), 5000).catch(() => undefined);
    await session.end();
  };

  return {
    sink,
    loadId,
    replaced,
    pid: session.pid,
    writer: async (rows, s, o) => {
      const n = await writeCopyRows(rows, s, { ...o, columns: spec.columns });
      written += n;
      return n;
    },
    async commit() {
      if (state !== 'open') throw new Error(`load ${loadId} was already ${state === 'done' ? 'finished' : 'committing'}`);
      state = 'committing';
      try {
        const copied = await sink.finish();
        // Every row written must be one the scope covers: a row from outside the days or the
        // filter would survive the next load of this scope as a duplicate (and one the DELETE
        // missed would be a duplicate now).
        const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(table.schema, table.name)} WHERE ${where.sql}`, where.params);
        const inScope = Number(counted.rows[0]!.n);
        if (copied !== written || inScope !== written) {
          throw new IntegrityError(
            `PostgreSQL ${target.label}: ${written} rows were written for ${describeScope(scope)} but ${copied} were copied and ${inScope} are there now; some rows fall outside the days or filter being replaced, so the load was rolled back`,
          );
        }
        await recordLoad(client, table.schema, table.name, { loadId, dataset: spec.dataset, days: scope.days, filters: scope.match ?? {}, rowsLoaded: written, rowsReplaced: replaced, startedAt, version: options.version });
        const done = await client.query('COMMIT');
        // COMMIT of a transaction that had failed answers ROLLBACK
        if (done.command !== 'COMMIT') throw new Error(`the server answered ${done.command} to COMMIT`);
      } catch (err) {
        const failure = fail(err);
        state = 'open';
        await abort();
        throw failure;
      }
      state = 'done';
      await session.end();
    },
    abort,
  };
}

/** Takes the (table, day) locks in day order in one statement; says so when it has to wait. */
async function lockDays(client: ClientBase, table: string, days: readonly string[], onWait: () => void): Promise<void> {
  const timer = setTimeout(onWait, WAIT_NOTE_MS);
  try {
    await client.query(
      `SELECT count(pg_advisory_xact_lock(hashtext($1), d - DATE '1970-01-01')) FROM (SELECT unnest($2::date[]) AS d ORDER BY 1) AS days`,
      [`mbuzz:load:${table}`, [...days]],
    );
  } finally {
    clearTimeout(timer);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() => clearTimeout(timer));
}
