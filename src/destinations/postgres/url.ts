import { registerSecret } from '../../core/secrets.js';
import { UsageError } from '../../core/errors.js';
import { parseTableName, tableText, type TableName } from './table-name.js';

// `-o postgresql://user[:password]@host[:port]/database?table=schema.name&sslmode=require`, read the
// way libpq reads a connection URI: parts missing from the URL come from the PG* variables a psql
// user already has set (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, ...), then from libpq's
// defaults. Two deliberate differences: a missing host is TCP localhost (mbuzz does not guess a
// socket directory: give host=/var/run/postgresql for one), and connect_timeout defaults to 10 s so
// a pre-flight check never hangs on an unreachable host. Passwords are resolved in password.ts.

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface SslSettings {
  mode: SslMode;
  /** CA bundle to verify the server with (verify-ca, verify-full; `system` = Node's CAs). */
  rootCert?: string;
  /** Client certificate and key, for servers that ask for one. */
  cert?: string;
  key?: string;
}

export interface PgTarget {
  /** A host name or IP address, or a directory holding the server's Unix socket (starts with `/`). */
  host: string;
  port: number;
  user: string;
  database: string;
  /** The URL's own password (user:password@ or password=); masked everywhere. */
  urlPassword?: string;
  /** `table=`; undefined lets the caller name it after the dataset. */
  table?: TableName;
  ssl: SslSettings;
  connectTimeoutSec: number;
  applicationName: string;
  /** passfile= or PGPASSFILE; otherwise ~/.pgpass. */
  passfile?: string;
  /** The URL for people: password shown as ****, as everywhere else. */
  label: string;
}

export interface ParseOptions {
  /** Environment variables (PGHOST and friends). */
  vars?: Readonly<Record<string, string | undefined>>;
  /** libpq's default user name: the operating-system user. */
  osUser?: string;
}

/** Query parameters understood, as libpq spells them, plus mbuzz's `table`. */
const PARAMS = ['table', 'host', 'port', 'user', 'password', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'connect_timeout', 'application_name', 'passfile'] as const;
type Param = (typeof PARAMS)[number];

const DEFAULT_CONNECT_TIMEOUT_SEC = 10;
const EMPTY_HOST = 'mbuzz-empty-host.invalid';

export function isPostgresUrl(text: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(text);
}

/** The text with any password in it replaced by ****: for messages about a URL that did not parse. */
export function maskUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/?#]*):.*@/i, '$1:****@').replace(/([?&]password=)[^&#]*/gi, '$1****');
}

export function parsePostgresUrl(text: string, options: ParseOptions = {}): PgTarget {
  const vars = options.vars ?? {};
  if (!isPostgresUrl(text)) throw new UsageError(`-o ${maskUrl(text)}: a PostgreSQL target starts with postgresql:// or postgres://`);
  // libpq allows an empty host after user@ (postgresql://u@/db?host=/tmp); WHATWG URL does not,
  // so a placeholder stands in for it and is read back as "no host".
  const emptyHost = /^[a-z]+:\/\/[^/?#]*@(?=[:/?#]|$)/i.test(text);
  let url: URL;
  try {
    url = new URL(emptyHost ? text.replace(/@(?=[:/?#]|$)/, `@${EMPTY_HOST}`) : text);
  } catch {
    throw new UsageError(`-o ${maskUrl(text)}: not a valid URL (percent-encode special characters in the password, e.g. / as %2F)`);
  }
  const where = `-o ${maskUrl(text)}`;
  const q = queryParams(url, where);
  const decode = (s: string, what: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new UsageError(`${where}: the ${what} is not valid percent-encoding`);
    }
  };

  const urlHost = url.hostname === '' || url.hostname === EMPTY_HOST ? undefined : decode(url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host');
  const host = q.host ?? urlHost ?? nonEmpty(vars.PGHOST) ?? 'localhost';
  if (host.includes(',')) throw new UsageError(`${where}: several hosts are not supported; give one`);
  const port = parsePort(q.port ?? (url.port || undefined) ?? nonEmpty(vars.PGPORT) ?? '5432', where);
  const user = q.user ?? (url.username ? decode(url.username, 'user name') : undefined) ?? nonEmpty(vars.PGUSER) ?? options.osUser;
  if (!user) throw new UsageError(`${where}: no user name: give postgresql://USER@host/...`);
  const path = decode(url.pathname.replace(/^\//, ''), 'database name');
  if (path.includes('/')) throw new UsageError(`${where}: the path is the database name and cannot contain /`);
  const database = q.dbname ?? (path || undefined) ?? nonEmpty(vars.PGDATABASE) ?? user;
  const urlPassword = q.password ?? (url.password ? decode(url.password, 'password') : undefined);
  // masked in every message from here on, decoded as well as written (the URL's form is masked by maskText)
  registerSecret(urlPassword);

  const mode = (q.sslmode ?? nonEmpty(vars.PGSSLMODE) ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(mode)) throw new UsageError(`${where}: sslmode must be one of ${SSL_MODES.join(', ')}`);
  const ssl: SslSettings = { mode };
  const rootCert = q.sslrootcert ?? nonEmpty(vars.PGSSLROOTCERT);
  const cert = q.sslcert ?? nonEmpty(vars.PGSSLCERT);
  const key = q.sslkey ?? nonEmpty(vars.PGSSLKEY);
  if (rootCert !== undefined) ssl.rootCert = rootCert;
  if (cert !== undefined) ssl.cert = cert;
  if (key !== undefined) ssl.key = key;
  if (host.startsWith('/') && (mode === 'require' || mode === 'verify-ca' || mode === 'verify-full')) {
    throw new UsageError(`${where}: sslmode=${mode} needs a TCP host; a Unix socket (${host}) does not use TLS`);
  }

  const timeoutText = q.connect_timeout ?? nonEmpty(vars.PGCONNECT_TIMEOUT);
  const connectTimeoutSec = timeoutText === undefined ? DEFAULT_CONNECT_TIMEOUT_SEC : parseTimeout(timeoutText, where);
  const table = q.table === undefined ? undefined : parseTableName(q.table);
  const passfile = q.passfile ?? nonEmpty(vars.PGPASSFILE);

  const target: PgTarget = {
    host,
    port,
    user,
    database,
    ssl,
    connectTimeoutSec,
    applicationName: q.application_name ?? nonEmpty(vars.PGAPPNAME) ?? 'mbuzz',
    label: '',
  };
  if (urlPassword !== undefined) target.urlPassword = urlPassword;
  if (table !== undefined) target.table = table;
  if (passfile !== undefined) target.passfile = passfile;
  target.label = labelOf(target);
  return target;
}

/** The same target writing to `table` (the dataset's own name when the URL gave none). */
export function withTable(target: PgTarget, table: TableName): PgTarget {
  const t = { ...target, table };
  return { ...t, label: labelOf(t) };
}

export function labelOf(t: Omit<PgTarget, 'label'>): string {
  const auth = `${encodeURIComponent(t.user)}${t.urlPassword !== undefined ? ':****' : ''}@`;
  const socket = t.host.startsWith('/');
  const hostPart = socket ? '' : `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  const params = [...(t.table ? [`table=${tableText(t.table)}`] : []), ...(socket ? [`host=${t.host}`, `port=${t.port}`] : [])];
  return `postgresql://${auth}${hostPart}/${encodeURIComponent(t.database)}${params.length ? `?${params.join('&')}` : ''}`;
}

function queryParams(url: URL, where: string): Partial<Record<Param, string>> {
  const out: Partial<Record<Param, string>> = {};
  for (const [key, value] of url.searchParams) {
    if (!(PARAMS as readonly string[]).includes(key)) {
      throw new UsageError(`${where}: unknown parameter ${key}= (mbuzz understands ${PARAMS.map((p) => `${p}=`).join(', ')})`);
    }
    if (out[key as Param] !== undefined) throw new UsageError(`${where}: ${key}= is given twice`);
    out[key as Param] = value;
  }
  return out;
}

function parsePort(text: string, where: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${where}: port ${text} is not a port number (1-65535)`);
  return port;
}

function parseTimeout(text: string, where: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${where}: connect_timeout must be whole seconds (0 = wait forever)`);
  return Number(text);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
