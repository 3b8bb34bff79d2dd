import { IntegrityError, type MbuzzError, RejectedError, ServerError, UsageError } from '../../core/errors.js';
import type { PasswordSource } from './password.js';
import type { PgTarget } from './url.js';

// Driver and server failures as mbuzz's one-line errors. Before the export starts (connect,
// check) every failure is a UsageError, exit 2: nothing was sent. During a load the class of the
// SQLSTATE decides: bad data is an integrity error (6), a lost connection or a busy server a
// server error (5), a refusal (permissions, a table changed under us) a rejection (4). Every
// message names the target by its label and is scrubbed of the password as a last guard.

/** What the server or driver said: pg's DatabaseError carries SQLSTATE `code` and `where` (the COPY line). */
interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

export function scrub(text: string, password: string | undefined): string {
  if (!password) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***');
  return out;
}

/** The one line for a failure to connect or to pass the pre-flight check. */
export function connectFailure(err: unknown, target: PgTarget, password: { password?: string; source: PasswordSource }): UsageError {
  if (err instanceof UsageError) return new UsageError(scrub(err.message, password.password), { cause: err });
  const e = (err ?? {}) as DriverError;
  const reason = connectReason(e, target, password.source);
  return new UsageError(scrub(`cannot use PostgreSQL ${target.label}: ${reason}`, password.password));
}

function connectReason(e: DriverError, target: PgTarget, source: PasswordSource): string {
  const where = target.host.startsWith('/') ? `socket directory ${target.host}, port ${target.port}` : `${target.host}:${target.port}`;
  const message = e.message ?? String(e);
  if (message === 'The server does not support SSL connections') return `the server does not accept TLS connections (sslmode=${target.ssl.mode})`;
  if (/^timeout expired$|connection timeout/i.test(message)) return `no answer from ${where} within ${target.connectTimeoutSec} s (connect_timeout)`;
  if (/client password must be|password must be a string/i.test(message)) return `the server asks for a password and none was given: put it in the URL, PGPASSWORD, ~/.pgpass or the profile's postgres_password_env`;
  if (e.code !== undefined && /CERT|TLS|SSL/.test(e.code)) return `TLS: ${oneLine(message)} (sslmode=${target.ssl.mode})`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where} (is the server running and listening there?)`;
    case 'ENOENT':
      return `no server socket in ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${target.host} not found`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host ${target.host} is unreachable`;
    case '28P01':
      return source === 'none'
        ? `${e.message} (no password was given: put it in the URL, PGPASSWORD, ~/.pgpass or the profile's postgres_password_env)`
        : `${e.message} (password from ${sourceLabel(source)})`;
    default:
      return oneLine(message);
  }
}

function sourceLabel(source: PasswordSource): string {
  return { url: 'the URL', profile: "the profile's postgres_password_env", PGPASSWORD: 'PGPASSWORD', passfile: 'the password file', none: 'nowhere' }[source];
}

const LOST_CODES = new Set(['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** pg's words for a connection that is gone. */
const LOST_TEXT = /Connection terminated|Client was closed|not queryable|the connection was closed/i;

/** A failure while loading (after the export began), classed by SQLSTATE. */
export function loadFailure(err: unknown, target: PgTarget, password: string | undefined): MbuzzError {
  if (err instanceof Error && 'exitCode' in err) return err as MbuzzError;
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const text = (what: string) => scrub(`PostgreSQL ${target.label}: ${what}`, password);
  // 08 connection exception; 57P01-03 the server shut the connection (terminated, crashed, restarting)
  if (LOST_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || LOST_TEXT.test(e.message ?? '')) {
    return new ServerError(text(`the connection was lost (${oneLine(e.message ?? code)}); the load was rolled back`));
  }
  const detail = [e.message, e.detail, e.where].filter((s): s is string => typeof s === 'string' && s !== '').map(oneLine).join('; ');
  // 22 data exception, 23 integrity constraint violation: a row PostgreSQL will not take.
  if (/^2[23]/.test(code)) return new IntegrityError(text(`a row was refused: ${detail}; the load was rolled back`));
  // 42 syntax/access (a table changed or a grant revoked since the check), 28 authorization.
  if (/^(42|28|25|2B)/.test(code)) return new RejectedError(text(`${detail}; the load was rolled back`));
  return new ServerError(text(`${detail || code || 'failed'}; the load was rolled back`));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
