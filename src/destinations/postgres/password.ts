import { homedir } from 'node:os';
import { join } from 'node:path';
import { passwordFromFile } from './pgpass.js';
import type { PgTarget } from './url.js';

// Where the password comes from, most explicit first: the URL itself, the profile's postgres_password_env
// (read by config and handed in), PGPASSWORD, then the password file (passfile=, PGPASSFILE or
// ~/.pgpass) as libpq reads it. None at all is fine: the server may trust the connection or
// use a client certificate, and says so if it wanted one.

export type PasswordSource = 'url' | 'profile' | 'PGPASSWORD' | 'passfile' | 'none';

export interface ResolvedPassword {
  password?: string;
  source: PasswordSource;
  /** A password file that was skipped, and why. */
  warnings: string[];
}

export interface PasswordOptions {
  /** The profile's password (its postgres_password_env variable's value), already read by the pipeline. */
  profilePassword?: string;
  vars?: Readonly<Record<string, string | undefined>>;
  home?: string;
}

export async function resolvePassword(target: PgTarget, options: PasswordOptions = {}): Promise<ResolvedPassword> {
  if (target.urlPassword !== undefined) return { password: target.urlPassword, source: 'url', warnings: [] };
  if (options.profilePassword !== undefined && options.profilePassword !== '') return { password: options.profilePassword, source: 'profile', warnings: [] };
  const env = options.vars?.PGPASSWORD;
  if (env !== undefined && env !== '') return { password: env, source: 'PGPASSWORD', warnings: [] };
  const file = target.passfile ?? join(options.home ?? homedir(), '.pgpass');
  const found = await passwordFromFile(file, { host: target.host, port: target.port, database: target.database, user: target.user });
  const warnings = found.warning ? [found.warning] : [];
  return found.password !== undefined ? { password: found.password, source: 'passfile', warnings } : { source: 'none', warnings };
}
