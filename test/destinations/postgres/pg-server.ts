// A real PostgreSQL server per test file: initdb into a temp directory, pg_ctl start on
// 127.0.0.1 and a free port, the Unix socket in the same directory, a SCRAM password for the
// test user (so the password paths are real), torn down after. PostgreSQL refuses to run as
// root; on a machine where the tests run as root the server runs as the `postgres` user (the
// Debian package creates it) through runuser. When that is impossible, `pgSkipReason` says why
// and the tests skip visibly with it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgServer {
  host: '127.0.0.1';
  port: number;
  /** The directory holding the server's Unix socket. */
  socketDir: string;
  user: string;
  password: string;
  database: string;
  /** postgresql://user:password@127.0.0.1:port/database?<params> */
  url(params?: Record<string, string>, options?: { password?: string | null; database?: string }): string;
  /** A connection as the test user, for setting up and reading back (an independent reader). */
  client(): Promise<pg.Client>;
  /** One statement's rows, on a fresh connection. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export const PG_USER = 'mbuzz_test';
/** Characters that need percent-encoding in a URL, so the encoding path is exercised too. */
export const PG_PASSWORD = 'pw-S3cret/with@odd:chars%';

function findBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  if (onPath) {
    // Debian puts initdb only under /usr/lib/postgresql/N/bin (PATH may hold a symlink to it).
    const real = spawnSync('readlink', ['-f', onPath], { encoding: 'utf8' }).stdout.trim();
    const dir = real.replace(/\/initdb$/, '');
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** uid/gid to run the server as, when we are root. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), name: 'postgres' };
}

const BIN = findBin();
const AS_ROOT = process.getuid?.() === 0;
const RUN_AS = AS_ROOT ? serverUser() : undefined;
const HAS_RUNUSER = AS_ROOT && spawnSync('sh', ['-c', 'command -v runuser'], { encoding: 'utf8' }).status === 0;

export const pgSkipReason: string | undefined = !BIN
  ? 'no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql'
  : AS_ROOT && !RUN_AS
    ? 'running as root and there is no postgres user to run the server as (PostgreSQL refuses root)'
    : AS_ROOT && !HAS_RUNUSER
      ? 'running as root without runuser to start the server as postgres'
      : undefined;

function run(cmd: string, args: string[]): string {
  const [file, argv] = RUN_AS ? ['runuser', ['-u', RUN_AS.name, '--', cmd, ...args]] : [cmd, args];
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PgServer> {
  if (pgSkipReason) throw new Error(pgSkipReason);
  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-pg-'));
  const own = (p: string) => RUN_AS && chownSync(p, RUN_AS.uid, RUN_AS.gid);
  own(dir);
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
  own(pwfile);
  const data = join(dir, 'data');
  run(join(BIN!, 'initdb'), ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  rmSync(pwfile);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40 -c shared_buffers=16MB`;
    try {
      run(join(BIN!, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
      break;
    } catch (err) {
      if (attempt >= 2) throw err; // the port was taken between probing and binding: try another
    }
  }

  const base = { host: '127.0.0.1' as const, port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' };
  const client = async () => {
    const c = new pg.Client({ ...base });
    await c.connect();
    return c;
  };
  return {
    ...base,
    socketDir: dir,
    url(params = {}, options = {}) {
      const pw = options.password === null ? '' : `:${encodeURIComponent(options.password ?? PG_PASSWORD)}`;
      const q = new URLSearchParams(params).toString();
      return `postgresql://${PG_USER}${pw}@127.0.0.1:${port}/${options.database ?? 'postgres'}${q ? `?${q}` : ''}`;
    },
    client,
    async query(text, params) {
      const c = await client();
      try {
        return (await c.query(text, params)).rows;
      } finally {
        await c.end();
      }
    },
    async stop() {
      try {
        run(join(BIN!, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
