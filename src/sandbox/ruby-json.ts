// JSON text the way Rails writes it, so the sandbox's bytes look like the server's:
//  - Floats print like Ruby's Float#to_s: `149.0`, `0.0001`, `1.0e-05`, `1.0e+16`.
//  - Strings go through ActiveSupport's escaping: `<`, `>`, `&`, U+2028 and U+2029 become \uXXXX
//    (escape_html_entities_in_json is on by default); other non-ASCII stays raw UTF-8.
//  - Objects stored as jsonb (properties, metadata) come back with PostgreSQL's key order: shorter
//    keys first, then bytewise.
// Rows are serialised by hand from these pieces rather than JSON.stringify'd objects: it is the
// only way to print 149.0 instead of 149, and it is also the fast path.

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal as ActiveSupport::JSON writes it. */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(HTML_UNSAFE, (c) => HTML_ESCAPES[c] as string);
}

export function jsonNullableString(s: string | null): string {
  return s === null ? 'null' : jsonString(s);
}

/**
 * Ruby's Float#to_s: shortest round-trip digits; fixed notation from 1e-4 up, while the digits
 * reach the decimal point by 1e15 (so 1e15 prints 1.0e+15 but 1234567890123456.5 stays fixed).
 */
export function rubyFloat(x: number): string {
  const abs = Math.abs(x);
  if (Number.isInteger(x) && abs < 1e15) return Object.is(x, -0) ? '-0.0' : `${x}.0`;
  // JavaScript prints the same shortest digits in fixed notation over this range.
  if (!Number.isInteger(x) && abs >= 1e-4 && abs < 1e16) return String(x);
  if (!Number.isFinite(x)) throw new RangeError(`cannot print ${x} as JSON`);
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  const e = Number(exp);
  const sign = e < 0 ? '-' : '+';
  return `${digits}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
}

export function jsonNullableFloat(x: number | null): string {
  return x === null ? 'null' : rubyFloat(x);
}

/** A value to be written inside a jsonb object: already JSON text. */
export type JsonText = string;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** PostgreSQL jsonb's key order: by UTF-8 length, then bytewise. */
export function jsonbKeyOrder(keys: readonly string[]): string[] {
  return [...new Set(keys)].sort((a, b) => utf8Length(a) - utf8Length(b) || compareBytes(a, b));
}

/**
 * A jsonb object's text. `entries` may come in any order; keys are sorted the jsonb way and a
 * repeated key keeps its last value, as jsonb does.
 */
export function jsonbObject(entries: ReadonlyArray<readonly [string, JsonText]>): string {
  if (entries.length === 0) return '{}';
  const last = new Map<string, JsonText>();
  for (const [k, v] of entries) last.set(k, v);
  const parts: string[] = [];
  for (const k of jsonbKeyOrder([...last.keys()])) parts.push(`${jsonString(k)}:${last.get(k)}`);
  return `{${parts.join(',')}}`;
}

/**
 * A fixed key set, sorted once: the generators fill values in the template's declared order and
 * get jsonb-ordered text back without sorting per row.
 */
export class JsonbShape {
  private readonly order: number[];
  private readonly keyJson: string[];
  constructor(readonly keys: readonly string[]) {
    const sorted = jsonbKeyOrder(keys);
    if (sorted.length !== keys.length) throw new Error('duplicate key in jsonb shape');
    this.order = sorted.map((k) => keys.indexOf(k));
    this.keyJson = sorted.map((k) => `${jsonString(k)}:`);
  }

  /** `values[i]` is the JSON text for `keys[i]`; undefined leaves the key out. */
  render(values: ReadonlyArray<JsonText | undefined>): string {
    let out = '';
    for (let i = 0; i < this.order.length; i++) {
      const v = values[this.order[i] as number];
      if (v === undefined) continue;
      out += (out === '' ? '{' : ',') + (this.keyJson[i] as string) + v;
    }
    return out === '' ? '{}' : `${out}}`;
  }
}
