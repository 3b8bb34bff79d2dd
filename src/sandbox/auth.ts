// The server's authentication (app/services/api_keys/authentication_service.rb and
// BaseController): five checks, in this order, each a 401 with its own message. It runs before
// any parameter is looked at, so a bad key beats a bad date.
import { findKey, type SandboxEnvironment } from './keys.js';

export const AUTH_MESSAGES = {
  missing: 'Missing Authorization header',
  malformed: 'Authorization header must be in format: Bearer sk_{env}_{key}',
  invalid: 'Invalid or expired API key',
  revoked: 'API key has been revoked',
  suspended: 'Account suspended',
} as const;

export type AuthResult = { ok: true; environment: SandboxEnvironment } | { ok: false; message: string };

// Ruby's String#strip: ASCII whitespace and NUL.
const strip = (s: string) => s.replace(/^[\s\0]+|[\s\0]+$/g, '');
// \w in the server's regex meets a binary header string, so it is ASCII only.
const HEADER_FORMAT = /^bearer[ \t\r\n\f\v]+sk_(test|live)_[A-Za-z0-9_]+$/i;

export function authenticate(header: string | undefined): AuthResult {
  if (header === undefined || strip(header) === '') return { ok: false, message: AUTH_MESSAGES.missing };
  const normalized = strip(header);
  if (!HEADER_FORMAT.test(normalized)) return { ok: false, message: AUTH_MESSAGES.malformed };
  const token = normalized.split(/[ \t\r\n\f\v]+/).slice(1).join(' ');
  const key = findKey(token);
  if (!key) return { ok: false, message: AUTH_MESSAGES.invalid };
  if (key.revoked) return { ok: false, message: AUTH_MESSAGES.revoked };
  if (!key.accountActive) return { ok: false, message: AUTH_MESSAGES.suspended };
  return { ok: true, environment: key.environment };
}
