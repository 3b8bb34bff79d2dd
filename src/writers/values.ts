import { IntegrityError } from '../core/errors.js';
import type { Column, ColumnType } from '../core/columns.js';
import { exactDouble, exactInteger, JsonNumber } from '../json/number.js';
import { stringifyExact } from '../json/stringify.js';
import { microsOfAny, rfc3339 } from './timestamps.js';

// One place decides how a value of each ColumnType is rendered, so a CSV cell and the
// matching Parquet value never disagree (a json column is the same compact text in both,
// a date is the same calendar day, a boolean is true/false rather than csv-stringify's 1/'').
//
// CSV is text and forgiving: `textOf` renders whatever arrived and never throws, so a
// surprising value still reaches the file where a person can see it. Parquet is typed:
// `parquetConverter` refuses a value that does not fit its column, because writing it
// would mean silently inventing data (NaN, epoch dates, dropped fields).

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Days since 1970-01-01 for a `YYYY-MM-DD` string, or undefined if it is not a real day. */
export function daysFromIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches that.
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

/** Compact JSON text with every number exact (json/stringify.ts); 'null' for undefined. */
export function jsonText(value: unknown): string {
  return stringifyExact(value) ?? 'null';
}

/**
 * The text of one CSV cell. null and undefined are the empty cell. A timestamp is the one
 * exception to "never throws": its cell is the instant in RFC 3339 UTC, and a value that names no
 * instant has no such text (the pipeline has refused it already, naming its window; this is
 * the last line for callers that skip the pipeline).
 */
export function textOf(type: ColumnType, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (type === 'json') return jsonText(value);
  if (type === 'timestamp') return timestampText(value);
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof JsonNumber) return value.text;
      if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
      return jsonText(value);
  }
}

let lastStamp: unknown;
let lastStampText = '';

/** RFC 3339 UTC for a timestamp value (writers/timestamps.ts); one remembered value skips most parses. */
export function timestampText(value: unknown): string {
  if (value === lastStamp && value !== undefined) return lastStampText;
  const micros = microsOfAny(value);
  if (micros === undefined) throw new IntegrityError(`a timestamp column holds ${showValue(value)}, which names no instant`);
  lastStamp = value;
  lastStampText = rfc3339(micros);
  return lastStampText;
}

/** The value hyparquet-writer receives for one column: JS number/bigint/boolean/string or null. */
export type ParquetValue = number | bigint | boolean | string | null;

/** Converts (and checks) the values of one column; `rowNumber` is 1-based, for the message. */
export type ParquetConverter = (value: unknown, rowNumber: number) => ParquetValue;

export function parquetConverter(column: Column): ParquetConverter {
  const convert = converterFor(column);
  const { nullable } = column;
  return (value, rowNumber) => {
    if (value === null || value === undefined) {
      if (nullable) return null;
      throw badValue(column, value, rowNumber, 'a value (the column is not nullable)');
    }
    const out = convert(value);
    if (out === undefined) throw badValue(column, value, rowNumber, expectation[column.type]);
    return out;
  };
}

const expectation: Record<ColumnType, string> = {
  string: 'a string',
  date: 'a YYYY-MM-DD date',
  timestamp: 'an instant (ISO 8601 with a zone, or epoch seconds) between years 0001 and 9999',
  double: 'a number that a DOUBLE holds exactly',
  int32: 'a whole number that fits 32 bits',
  int64: 'a whole number that fits 64 bits',
  boolean: 'true or false',
  json: 'a JSON value',
};

// Each returns undefined for a value it cannot represent faithfully.
function converterFor(column: Column): (value: {}) => Exclude<ParquetValue, null> | undefined {
  switch (column.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : undefined);
    case 'date': {
      // Rows arrive sorted by date, so one remembered day skips nearly every parse.
      let lastText = '';
      let lastDays: number | undefined;
      return (v) => {
        if (typeof v === 'string') {
          if (v !== lastText) {
            lastText = v;
            lastDays = daysFromIsoDate(v);
          }
          return lastDays;
        }
        if (v instanceof Date && !Number.isNaN(v.getTime())) return Math.floor(v.getTime() / DAY_MS);
        return undefined;
      };
    }
    case 'timestamp': {
      // Microseconds since the epoch, UTC (Parquet TIMESTAMP(MICROS, isAdjustedToUTC)).
      let lastValue: unknown;
      let lastMicros: bigint | undefined;
      return (v) => {
        if (v !== lastValue) {
          lastValue = v;
          lastMicros = microsOfAny(v);
        }
        return lastMicros;
      };
    }
    case 'double':
      // A JsonNumber is here because its text is not what a double prints: `1.0` still fits;
      // 1e400 or a 17th significant digit does not.
      return (v) => (typeof v === 'number' ? v : v instanceof JsonNumber ? exactDouble(v.text) : undefined);
    case 'int32':
      return (v) => {
        const n = typeof v === 'number' ? (Number.isInteger(v) ? v : undefined) : v instanceof JsonNumber ? exactInteger(v.text) : undefined;
        return n !== undefined && n >= INT32_MIN && n <= INT32_MAX ? Number(n) : undefined;
      };
    case 'int64':
      return (v) => {
        // A plain number past 2^53 has lost digits already (JSON.parse keeps such tokens as
        // JsonNumber, so it came from arithmetic): refusing beats writing a wrong id.
        if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
        const n = typeof v === 'bigint' ? v : v instanceof JsonNumber ? exactInteger(v.text) : undefined;
        return n !== undefined && n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
      };
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : undefined);
    case 'json':
      return (v) => jsonText(v);
  }
}

function badValue(column: Column, value: unknown, rowNumber: number, expected: string): IntegrityError {
  return new IntegrityError(
    `parquet: column "${column.name}" (${column.type}) needs ${expected}, got ${showValue(value)} in row ${rowNumber}`,
  );
}

/** A short, single-line rendering of a bad value: its JSON (or type) cut to 60 characters. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined (field missing)';
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = jsonText(value);
  } catch {
    text = String(value);
  }
  // JSON.stringify already escapes newlines inside strings; this keeps the message one line.
  text = text.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
