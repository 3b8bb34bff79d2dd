import { promises as fsp } from 'node:fs';

// ~/.pgpass as libpq reads it (https://www.postgresql.org/docs/current/libpq-pgpass.html):
// lines of hostname:port:database:username:password, `*` matching anything in the first four
// fields, `\:` and `\\` escaping, # comments, the first matching line wins. A file that group
// or others can read is ignored with a warning, as libpq does. Hand-written rather than the
// `pgpass` package: that one reads PGPASSFILE itself and prints its warning straight to
// stderr, where mbuzz wants both to go through the caller.

export interface PgpassKey {
  /** A host name, or a Unix socket directory. */
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface PgpassResult {
  password?: string;
  /** Why the file was not used, for the user (never contains a password). */
  warning?: string;
}

/** libpq compares a connection to the default socket directory as `localhost`. */
const DEFAULT_SOCKET_DIR = '/var/run/postgresql';

export async function passwordFromFile(path: string, key: PgpassKey): Promise<PgpassResult> {
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st) return {};
  if (!st.isFile()) return { warning: `password file ${path} is not a plain file; ignored` };
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    return { warning: `password file ${path} has group or world access; permissions should be u=rw (0600) or less; ignored` };
  }
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    return { warning: `password file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); ignored` };
  }
  const password = matchPgpass(text, key);
  return password === undefined ? {} : { password };
}

/** The password of the first line matching `key`, or undefined. */
export function matchPgpass(text: string, key: PgpassKey): string | undefined {
  const host = key.host === DEFAULT_SOCKET_DIR ? 'localhost' : key.host;
  const wanted = [host, String(key.port), key.database, key.user];
  for (const raw of text.split(/\r?\n/)) {
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = splitFields(raw);
    if (fields.length < 5) continue;
    // like libpq, the password ends at the next unescaped colon
    if (wanted.every((w, i) => fields[i] === '*' || fields[i] === w)) return fields[4];
  }
  return undefined;
}

/** Splits on unescaped colons, undoing `\:` and `\\`. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (c === ':') {
      fields.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  fields.push(current);
  return fields;
}
