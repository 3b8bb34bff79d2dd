// The instant a timestamp column's value names, exactly, and the one text every text output
// writes for it. Pure: the pipeline checks each value with it (pipeline/timestamps.ts, which knows
// the window), the writers convert with it (CSV and COPY text, Parquet microseconds).
//
// Only two spellings are instants here: ISO 8601 / RFC 3339 date-time text WITH a zone (`Z` or an
// offset: a zone-less time could be any of 25 instants, so it is refused, and a provider whose
// docs say "UTC" adds the Z itself), and epoch seconds as a JSON number. Precision is kept to the
// microsecond, which is what Parquet TIMESTAMP(MICROS), PostgreSQL and DuckDB hold; digits past
// the sixth are cut (truncated toward the past), never rounded into the next second.

import type { TimeFormat } from '../core/columns.js';
import { JsonNumber } from '../json/number.js';

const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400n * US_PER_SECOND;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: what every reader and PostgreSQL holds as a 4-digit year. */
export const MIN_MICROS = -62_135_596_800n * US_PER_SECOND;
export const MAX_MICROS = 253_402_300_800n * US_PER_SECOND - 1n;

// date T|space time, seconds optional, fraction optional, zone required (Z, ±HH:MM, ±HHMM, ±HH).
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Microseconds since 1970-01-01T00:00:00Z for ISO 8601 text with a zone; undefined for anything else. */
export function microsFromIso(text: string): bigint | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = Number(m[6] ?? 0);
  if (hour! > 23 || minute! > 59 || second > 59) return undefined; // a leap second :60 has no instant of its own here
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as they are; it rolls 2026-02-30 over to
  // March, which the round trip catches.
  const back = new Date(0);
  back.setUTCFullYear(year!, month! - 1, day!);
  const ms = back.getTime();
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month! - 1 || back.getUTCDate() !== day) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? 0);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  const local = (BigInt(ms) / 1000n) * US_PER_SECOND + BigInt((hour! * 60 + minute!) * 60 + second) * US_PER_SECOND + fraction;
  return inRange(local - BigInt(offsetMinutes) * 60n * US_PER_SECOND);
}

/** Microseconds for epoch seconds (a number, a bigint, or the exact text of a JSON number); undefined for anything else. */
export function microsFromEpochSeconds(value: unknown): bigint | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value); // the shortest text that reads back as this double: what the server wrote
  } else if (typeof value === 'bigint') text = String(value);
  else if (value instanceof JsonNumber) text = value.text;
  else return undefined;
  const m = DECIMAL.exec(text); // an exponent (1e400, 1.6e9) is refused rather than guessed at
  if (!m) return undefined;
  if (m[2]!.length > 15) return undefined; // far past year 9999 either way; keeps BigInt small
  const micros = BigInt(m[2]!) * US_PER_SECOND + BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6));
  return inRange(m[1] === '-' ? -micros : micros);
}

/** The instant a value of a timestamp column names, by the column's format; undefined if it names none. */
export function microsOf(value: unknown, format: TimeFormat): bigint | undefined {
  if (format === 'epoch-seconds') return microsFromEpochSeconds(value);
  return typeof value === 'string' ? microsFromIso(value) : undefined;
}

/** Either spelling, by the value's JSON type: what writers use once the pipeline has checked each column's format. */
export function microsOfAny(value: unknown): bigint | undefined {
  return typeof value === 'string' ? microsFromIso(value) : microsFromEpochSeconds(value);
}

/** What a format accepts, for messages. */
export const TIME_FORMAT_TEXT: Record<TimeFormat, string> = {
  iso8601: 'an ISO 8601 date-time with a zone (Z or ±HH:MM)',
  'epoch-seconds': 'seconds since 1970-01-01 UTC (a JSON number)',
};

/**
 * RFC 3339 in UTC: `2026-04-01T12:34:56Z`, with a fraction only when the instant has one, and
 * only as many digits as it needs (`.5`, `.123456`). PostgreSQL's TIMESTAMPTZ, DuckDB and
 * BigQuery read it without a format string, and it sorts as text.
 */
export function rfc3339(micros: bigint): string {
  const dayNumber = floorDiv(micros, US_PER_DAY);
  const inDay = micros - dayNumber * US_PER_DAY;
  const seconds = inDay / US_PER_SECOND;
  const fraction = inDay % US_PER_SECOND;
  const date = new Date(Number(dayNumber) * 86_400_000).toISOString().slice(0, 10);
  const s = Number(seconds);
  const clock = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  const digits = fraction === 0n ? '' : `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
  return `${date}T${clock}${digits}Z`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const inRange = (us: bigint) => (us >= MIN_MICROS && us <= MAX_MICROS ? us : undefined);
