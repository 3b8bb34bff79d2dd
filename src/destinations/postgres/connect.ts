import { connectFailure } from './errors.js';
import { resolvePassword, type PasswordOptions, type ResolvedPassword } from './password.js';
import { openSession, type PgSession } from './session.js';
import type { PgTarget } from './url.js';

// How every PostgreSQL entry point (the pre-flight check, the load, verify's read) connects: the
// password from wherever it is given, a session, and any failure as one line that names where
// the password came from and never shows it.

export interface Connection {
  session: PgSession;
  password: ResolvedPassword;
}

export async function connect(target: PgTarget, options: PasswordOptions = {}): Promise<Connection> {
  const password = await resolvePassword(target, options);
  try {
    return { session: await openSession(target, password.password), password };
  } catch (err) {
    throw connectFailure(err, target, password);
  }
}

/** `work` on a session of its own, closed afterwards; its failures as connectFailure's one line. */
export async function withSession<T>(target: PgTarget, options: PasswordOptions, work: (c: Connection) => Promise<T>): Promise<T> {
  const c = await connect(target, options);
  try {
    return await work(c);
  } catch (err) {
    throw connectFailure(err, target, c.password);
  } finally {
    await c.session.end();
  }
}
