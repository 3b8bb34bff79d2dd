import type { Client, ClientConfig } from 'pg';
import { tlsOptionsFor } from './tls.js';
import type { PgTarget } from './url.js';

// One connection through `pg` (node-postgres), loaded on first use: runs that never write to
// PostgreSQL never load it. A pg Client never reconnects by itself, which a load relies on:
// after a lost connection the statements still to come (COPY, COMMIT) fail instead of running
// outside the transaction that deleted the old rows. Every setting is given explicitly, because
// pg fills missing ones from PG* variables and reads ~/.pgpass on its own; mbuzz reads those
// itself (url.ts, password.ts) with libpq's meaning.

export interface PgSession {
  client: Client;
  /** The server process serving this connection (for messages and tests). */
  pid: number;
  /** The schema unqualified names resolve to (current_schema()), or null when search_path names none. */
  currentSchema: string | null;
  /** The connection's failure once it has broken under us (the server closed it, a reset). */
  readonly failure: Error | undefined;
  /** Closes the connection; an open transaction is rolled back by the server. */
  end(): Promise<void>;
}

let driver: Promise<typeof import('pg')> | undefined;
const loadDriver = () => (driver ??= import('pg'));

/** How long a clean goodbye may take before the socket is simply closed (the server rolls back either way). */
const END_TIMEOUT_MS = 5000;

/** Server said N to SSLRequest: pg's wording. */
const NO_TLS = 'The server does not support SSL connections';

export async function openSession(target: PgTarget, password: string | undefined): Promise<PgSession> {
  const tls = await tlsOptionsFor(target);
  try {
    return await connect(target, password, tls === false ? false : tls);
  } catch (err) {
    // prefer/allow: TLS when the server offers it, else plain, as libpq does.
    if (tls !== false && (target.ssl.mode === 'prefer' || target.ssl.mode === 'allow') && (err as Error).message === NO_TLS) {
      return connect(target, password, false);
    }
    throw err;
  }
}

async function connect(target: PgTarget, password: string | undefined, ssl: ClientConfig['ssl']): Promise<PgSession> {
  const pg = await loadDriver();
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    // a function, so pg never falls back to PGPASSWORD or its own ~/.pgpass reading
    password: () => password as string,
    ssl,
    connectionTimeoutMillis: target.connectTimeoutSec * 1000,
    keepAlive: true,
    application_name: target.applicationName,
    // Dates are read back as text (verify's days, the loads' days): ISO whatever the server's or
    // role's DateStyle, so 2026-03-01 is never 03/01/2026 and no day is mistaken for another.
    options: '-c DateStyle=ISO,YMD',
  });
  let failure: Error | undefined;
  // Without a listener a connection dropped between queries would crash the process.
  client.on('error', (err) => {
    failure ??= err;
  });
  client.on('end', () => {
    failure ??= Object.assign(new Error('the connection was closed'), { code: 'CONNECTION_CLOSED' });
  });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number; schema: string | null }>('SELECT pg_backend_pid() AS pid, current_schema() AS schema');
    return {
      client,
      pid: rows[0]!.pid,
      currentSchema: rows[0]!.schema,
      get failure() {
        return failure;
      },
      end: () => endWithin(client, END_TIMEOUT_MS),
    };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/** client.end(), but a peer that stopped answering cannot hold the run: the socket is destroyed after `ms`. */
async function endWithin(client: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const ended = await Promise.race([client.end().then(() => 'ended' as const, () => 'ended' as const), late]);
  clearTimeout(timer);
  if (ended === 'late') (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
