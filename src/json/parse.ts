import { isAscii, isUtf8 } from 'node:buffer';
import { JsonDepthError, MAX_JSON_DEPTH } from './depth.js';
import { JsonNumber } from './number.js';
import { compactJson, keyText, scanJson, type PathPart, type RowSpans, type Scan } from './scan.js';

// Every API body becomes values here (http/client.ts, and Mixpanel's JSONL lines), so numbers
// are exact for every provider from the moment they are read: JSON.parse does the work at native
// speed, and one byte scan (json/scan.ts) finds the few number tokens whose text a JavaScript
// number would change; those become JsonNumber holding the server's text.
//
// With `rows` (the path of the rows array), numbers are kept exactly inside the rows only, so an
// envelope's counts stay plain numbers, and each row object remembers its own bytes in the body
// (rowBytes): NDJSON writes them as they came, and page-edge repair hashes them.

/** A row's own bytes in its response body: [start, end) of `bytes`, one line, no whitespace between tokens. */
export interface RowBytes {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
  /** The object these bytes were read into: a copy made by spreading the row is not it. */
  readonly row: object;
}

/**
 * A symbol key, not enumerable: invisible to JSON.stringify, Object.keys, spreading and deep
 * equality; RowBytes also names its row, so a copy made any other way does not inherit them.
 * Rows that carry their bytes are frozen: code that would change one must build a new one.
 */
const ROW_BYTES = Symbol('mbuzz.rowBytes');
/** One descriptor, refilled per row: defineProperty without an object allocated each time. */
const DESCRIPTOR: PropertyDescriptor & { value: RowBytes | undefined } = { value: undefined, enumerable: false, writable: false, configurable: true };

/** The bytes the server sent for this row, if the row came straight from a parsed body. */
export function rowBytes(row: object): RowBytes | undefined {
  const own = (row as { [ROW_BYTES]?: RowBytes })[ROW_BYTES];
  return own !== undefined && own.row === row ? own : undefined;
}

export interface ParseOptions {
  /** Object keys from the root to the array of rows (['data'], ['data', 'events']). */
  rows?: readonly string[];
  /** Levels of nesting allowed (json/depth.ts); deeper throws JsonDepthError. */
  maxDepth?: number;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A response body's bytes to values, exact numbers included. The bytes are parsed as Latin-1,
 * one byte per character, which is a third cheaper than decoding UTF-8 first and gives the same
 * structure (bytes >= 0x80 occur only inside strings); the strings that hold such bytes are then
 * decoded from their own bytes. Throws JSON.parse's SyntaxError on invalid JSON, JsonDepthError
 * on JSON nested too deep.
 */
export function parseJsonBytes(bytes: Buffer, options: ParseOptions = {}): unknown {
  const ascii = isAscii(bytes);
  let json: unknown = JSON.parse(bytes.toString('latin1'));
  const scan = scanJson(bytes, { rows: options.rows, strings: !ascii, maxDepth: depthLimit(options) });
  if (scan.tooDeep) throw new JsonDepthError(depthLimit(options));
  if (scan.nonAsciiKey) {
    json = JSON.parse(utf8.decode(bytes)); // rare: decode it all rather than rename keys
  } else {
    for (const t of scan.strings) json = replace(json, t.path, ...decodedString(bytes, t.start, t.end));
    if (scan.rowStrings.length > 0) patchRowFields(rowsOf(json, options), scan.rowStrings, bytes, decodedString);
  }
  return finish(json, bytes, scan, options, ascii);
}

/** The same from text already decoded (a JSONL line, a test's body). */
export function parseJson(text: string, options: ParseOptions = {}): unknown {
  const json: unknown = JSON.parse(text);
  const bytes = Buffer.from(text, 'utf8');
  const scan = scanJson(bytes, { rows: options.rows, maxDepth: depthLimit(options) });
  if (scan.tooDeep) throw new JsonDepthError(depthLimit(options));
  return finish(json, bytes, scan, options, false);
}

function depthLimit(options: ParseOptions): number {
  return options.maxDepth ?? MAX_JSON_DEPTH;
}

function finish(json: unknown, bytes: Buffer, scan: Scan, options: ParseOptions, ascii: boolean): unknown {
  for (const t of scan.numbers) json = replace(json, t.path, ...exactNumber(bytes, t.start, t.end));
  if (scan.rowNumbers.length > 0) patchRowFields(rowsOf(json, options), scan.rowNumbers, bytes, exactNumber);
  if (scan.rows && options.rows) {
    const rows = rowsOf(json, options);
    // Bytes that are not valid UTF-8 were decoded with U+FFFD in places: they are not what the
    // rows hold, so such rows are written from their values instead.
    if (Array.isArray(rows) && (ascii || isUtf8(bytes))) attachRowBytes(rows, bytes, scan.rows);
  }
  return json;
}

function attachRowBytes(rows: unknown[], bytes: Buffer, spans: RowSpans): void {
  const { start, end, loose } = spans;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const s = start[i];
    if (s === undefined || typeof row !== 'object' || row === null) continue;
    const e = end[i]!;
    let own: RowBytes = { bytes, start: s, end: e, row };
    if (loose[i]) {
      const compact = compactJson(bytes, s, e);
      own = { bytes: compact, start: 0, end: compact.length, row };
    }
    DESCRIPTOR.value = own;
    Object.defineProperty(row, ROW_BYTES, DESCRIPTOR);
    // A row that carries its bytes is written from them (NDJSON): changed in place, it would go
    // out as it came, silently. Frozen, a change throws instead (strict mode), wherever it is tried.
    Object.freeze(row);
  }
  DESCRIPTOR.value = undefined;
}

function at(json: unknown, path: readonly PathPart[], length: number): unknown {
  let v = json;
  for (let i = 0; i < length; i++) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PathPart, unknown>)[path[i]!];
  }
  return v;
}

/**
 * Sets the value at `path` to `value` when what is there is `expected` (with a duplicated key,
 * JSON.parse keeps the last one, and only that one is replaced). Returns the (new) root.
 */
function replace(json: unknown, path: readonly PathPart[], expected: unknown, value: unknown): unknown {
  if (path.length === 0) return Object.is(json, expected) ? value : json;
  const holder = at(json, path, path.length - 1);
  if (typeof holder !== 'object' || holder === null) return json;
  const key = path[path.length - 1]!;
  const h = holder as Record<PathPart, unknown>;
  if (Object.is(h[key], expected)) h[key] = value;
  return json;
}

/** What JSON.parse made of a number token, and what it should be. */
function exactNumber(bytes: Buffer, start: number, end: number): [unknown, unknown] {
  const text = bytes.toString('latin1', start, end);
  return [Number(text), new JsonNumber(text)];
}

/** A string parsed as Latin-1 that holds UTF-8 bytes, and the same decoded from its own bytes, escapes and all. */
function decodedString(bytes: Buffer, start: number, end: number): [unknown, unknown] {
  const latin1 = bytes.toString('latin1', start, end);
  if (!latin1.includes('\\')) return [latin1.slice(1, -1), bytes.toString('utf8', start + 1, end - 1)];
  return [JSON.parse(latin1), JSON.parse(bytes.toString('utf8', start, end))];
}

function rowsOf(json: unknown, options: ParseOptions): unknown {
  return options.rows ? at(json, options.rows, options.rows.length) : undefined;
}

/** Fields of rows, laid out by scanJson as [row, key start, key end, key escaped, start, end] each. */
function patchRowFields(rows: unknown, flat: number[], bytes: Buffer, make: (bytes: Buffer, start: number, end: number) => [unknown, unknown]): void {
  if (!Array.isArray(rows)) return;
  for (let k = 0; k < flat.length; k += 6) {
    const row = rows[flat[k]!] as Record<string, unknown> | undefined;
    if (typeof row !== 'object' || row === null) continue;
    const key = keyText(bytes, flat[k + 1]!, flat[k + 2]!, flat[k + 3]!);
    const [expected, value] = make(bytes, flat[k + 4]!, flat[k + 5]!);
    if (Object.is(row[key], expected)) row[key] = value;
  }
}
