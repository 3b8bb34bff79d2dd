// When a Sealmetrics bearer token stops working, and when to log in again before it does.
// The login answers `expires_at`; the docs do not fix its form. Laravel Passport tutorials (the
// shape of this login: access_token, token_type, expires_at) send "YYYY-MM-DD HH:MM:SS" in UTC;
// Sealmetrics' own guide parses it with Python's fromisoformat. Accept those, ISO instants with a
// zone, and epoch seconds; anything else means "unknown", and a 401 will tell us instead.

import { JsonNumber } from '../../json/number.js';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch milliseconds of `expires_at`, or undefined when absent or unreadable. */
export function parseExpiresAt(value: unknown): number | undefined {
  if (value instanceof JsonNumber) return parseExpiresAt(Number(value.text)); // `1716200000.0`: close enough for a deadline
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? epochToMs(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return epochToMs(Number(v));
  const m = DATETIME.exec(v);
  if (!m) return undefined;
  // No zone: UTC, as the server keeps it (Laravel's default app timezone).
  let zone = (m[8] ?? 'Z').toUpperCase();
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Seconds, or milliseconds when the number is too large to be seconds. */
function epochToMs(n: number): number {
  return n > 1e11 ? Math.round(n) : Math.round(n * 1000);
}

/** Sealmetrics' guide renews 5 minutes ahead; a short-lived token renews a quarter ahead. */
export const MAX_RENEW_AHEAD_MS = 5 * 60_000;

/**
 * The instant from which the token should be replaced before use, or undefined (never, until a
 * 401). A lifetime that is already over at login means the clocks disagree: we cannot trust it
 * for planning, so we rely on the 401.
 */
export function renewAt(expiresAtMs: number | undefined, loggedInAtMs: number): number | undefined {
  if (expiresAtMs === undefined) return undefined;
  const lifetime = expiresAtMs - loggedInAtMs;
  if (lifetime <= 0) return undefined;
  return expiresAtMs - Math.min(MAX_RENEW_AHEAD_MS, lifetime / 4);
}
