// A JSON number whose text a JavaScript number would not give back: integers past 2^53
// (`12345678901234567890`), decimals with more digits than a double holds, `1e400`, `-0`,
// and forms such as `1.0`, `1.50` or `1E2`. The parser (json/parse.ts) leaves every other
// number a plain `number`, so this type is rare on the hot path and exact where it appears.
//
// Writers print `text` (NDJSON and CSV keep the server's digits); Parquet converts it only
// when the column type holds the same value (numberInColumn), else the run stops (exit 6).
// There is no valueOf: arithmetic on it would silently round, which is the bug it exists for.

/**
 * Per process, so no server can forge it: JSON.stringify turns a JsonNumber into the string
 * `"<MARK><text>"`, which json/stringify.ts swaps for the bare text. No server sees anything of
 * this process, so Math.random is unguessable enough (and costs nothing at start-up).
 */
export const NUMBER_MARK = `mbuzz-number-${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}:`;

export class JsonNumber {
  constructor(readonly text: string) {}

  /** Only jsonText's post-pass (stringifyExact) turns this back into a bare number. */
  toJSON(): string {
    return NUMBER_MARK + this.text;
  }

  /** `${n}` and String(n) give the server's text, e.g. in messages. */
  toString(): string {
    return this.text;
  }
}

export function isJsonNumber(value: unknown): value is JsonNumber {
  return value instanceof JsonNumber;
}

/** A number as JSON.parse reads it, or the exact text it could not keep. */
export type Num = number | JsonNumber;

/**
 * The exact decimal value of a JSON number's text: value = (negative ? -1 : 1) * digits * 10^exp,
 * with `digits` free of leading and trailing zeros ('' for zero).
 */
export interface Decimal {
  negative: boolean;
  digits: string;
  exp: number;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function decimalOf(text: string): Decimal | undefined {
  const m = NUMBER_TEXT.exec(text);
  if (!m) return undefined;
  const [, sign, int, frac = '', e = '0'] = m;
  let digits = `${int}${frac}`;
  let exp = Number(e) - frac.length;
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  const trail = /0*$/.exec(digits)![0].length;
  if (trail > 0) {
    digits = digits.slice(0, digits.length - trail);
    exp += trail;
  }
  if (digits === '') exp = 0;
  return { negative: sign === '-', digits, exp };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  // Zero has no sign in integer columns; for doubles the caller checks -0 itself.
  if (a.digits === '' && b.digits === '') return true;
  return a.negative === b.negative && a.digits === b.digits && a.exp === b.exp;
}

/**
 * The double that holds this number's value, or undefined when none does: 1e400, 1e-400 (not
 * zero), 9007199254740993, 0.10000000000000000001. "Holds" means the double's shortest decimal
 * is the same value as the text (`1.50` and 1.5 are; 0.1 is, as every JSON reader takes it).
 */
export function exactDouble(text: string): number | undefined {
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  if (shortDecimal(text)) return n;
  const want = decimalOf(text);
  if (!want) return undefined;
  if (n === 0) return want.digits === '' ? n : undefined;
  return sameDecimal(want, decimalOf(String(n))!) ? n : undefined;
}

/** At most 15 digits and no exponent: a double holds any such decimal (DBL_DIG), `1.0` included. */
function shortDecimal(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c !== 0x2e && c !== 0x2d) return false;
  }
  return digits <= 15;
}

/** The integer this number's text is exactly, or undefined (a fraction, or past 10^40). */
export function exactInteger(text: string): bigint | undefined {
  const d = decimalOf(text);
  if (!d || d.exp < 0) return undefined;
  if (d.digits === '') return 0n;
  if (d.digits.length + d.exp > 40) return undefined; // far past every integer column
  const n = BigInt(d.digits + '0'.repeat(d.exp));
  return d.negative ? -n : n;
}

/** The text a JSON writer should print for a number value: the server's, or JavaScript's. */
export function numberText(value: Num): string {
  return typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : value.text;
}

/**
 * A count or timestamp read from a body: a JavaScript number when the value is a safe integer,
 * whether it came as `7`, `7.0` or `7e0`; undefined otherwise.
 */
export function safeInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (!(value instanceof JsonNumber)) return undefined;
  const n = exactInteger(value.text);
  return n !== undefined && n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}
