// One pass over the bytes of a JSON body that JSON.parse has already accepted (so nothing here
// validates), finding what JSON.parse cannot tell us:
//  - every number token whose text a JavaScript number would not print back the same
//    (`12345678901234567890`, `1e400`, `-0`, `1.0`), with the path to it, so json/parse.ts can
//    put the exact text in its place;
//  - where each element of the rows array starts and ends, so a row can be written as the
//    server's own bytes and hashed by them, and whether whitespace sits between its tokens
//    (a pretty-printed body), which NDJSON cannot keep;
//  - optionally, every string holding non-ASCII bytes: json/parse.ts parses the body as Latin-1
//    (one byte, one character: a third cheaper than decoding UTF-8) and decodes those strings
//    properly afterwards.
// Bytes, not the decoded string: a Uint8Array loop ran about twice as fast as charCodeAt over the
// same page, and bytes >= 0x80 can only occur inside strings, so structure is found the same way.

export type PathPart = string | number;

/** A token to put right: its path from the root and its [start, end) in the bytes (strings with their quotes). */
export interface Token {
  path: PathPart[];
  start: number;
  end: number;
}

export interface RowSpans {
  /** By element index in the rows array; undefined where the element is not an object. */
  start: number[];
  end: number[];
  /** Elements with whitespace between their tokens. */
  loose: boolean[];
}

export interface Scan {
  /** Numbers to keep as text: inside the rows when a rows path was given, else anywhere. */
  numbers: Token[];
  /**
   * The same for numbers that are fields of a row (the common case), without a path: per number
   * [row index, key start, key end, key escaped (0/1), start, end].
   */
  rowNumbers: number[];
  /** With `strings`: string values holding non-ASCII bytes, anywhere in the body. */
  strings: Token[];
  /** With `strings`: those that are fields of a row, laid out as rowNumbers. */
  rowStrings: number[];
  /** With `strings`: an object key holds non-ASCII bytes (the caller decodes the whole body instead). */
  nonAsciiKey: boolean;
  /** The elements of the array at the rows path; undefined without a path or when it is absent. */
  rows: RowSpans | undefined;
  /** Arrays/objects nest deeper than `maxDepth`: the scan stopped there and the rest is empty. */
  tooDeep: boolean;
}

export interface ScanOptions {
  /** Object keys from the root to the array of rows (['data'], ['data', 'events']). */
  rows?: readonly string[];
  /** Report strings with non-ASCII bytes (for a body parsed as Latin-1). */
  strings?: boolean;
  /** Levels of arrays/objects allowed (the root container is level 1); the scan stops past it. */
  maxDepth?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** One entry per open container: array or object, element index, last key, on the rows path. */
interface Stack {
  isArray: Uint8Array;
  index: Int32Array;
  keyStart: Int32Array;
  keyEnd: Int32Array;
  keyEscaped: Uint8Array;
  onPath: Uint8Array;
}

function stack(capacity: number, from?: Stack): Stack {
  const grow = <T extends Uint8Array | Int32Array>(make: new (n: number) => T, old: T | undefined): T => {
    const a = new make(capacity);
    if (old) a.set(old);
    return a;
  };
  return {
    isArray: grow(Uint8Array, from?.isArray),
    index: grow(Int32Array, from?.index),
    keyStart: grow(Int32Array, from?.keyStart),
    keyEnd: grow(Int32Array, from?.keyEnd),
    keyEscaped: grow(Uint8Array, from?.keyEscaped),
    onPath: grow(Uint8Array, from?.onPath),
  };
}

/** The key a key token holds: its bytes as UTF-8, through JSON.parse when it has escapes. */
export function keyText(bytes: Buffer, start: number, end: number, escaped: boolean | number): string {
  return escaped ? (JSON.parse(bytes.toString('utf8', start - 1, end + 1)) as string) : bytes.toString('utf8', start, end);
}

function pathTo(bytes: Buffer, st: Stack, depth: number): PathPart[] {
  const path: PathPart[] = [];
  for (let level = 0; level <= depth; level++) {
    path.push(st.isArray[level] ? st.index[level]! : keyText(bytes, st.keyStart[level]!, st.keyEnd[level]!, st.keyEscaped[level]!));
  }
  return path;
}

/** The body must be valid JSON; the result is unspecified otherwise. */
export function scanJson(bytes: Buffer, options: ScanOptions = {}): Scan {
  const n = bytes.length;
  const n4 = n - 4;
  const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowsPath = options.rows;
  const wantStrings = options.strings === true;
  const wantRows = rowsPath !== undefined;
  const pathLength = rowsPath?.length ?? 0;
  const maxDepth = options.maxDepth ?? Infinity;
  let st = stack(64);
  let depth = -1;
  let expectKey = false;
  let rowsDepth = -2; // depth of the rows array while inside it
  let rows: RowSpans | undefined;
  let looseRow = false;
  const numbers: Token[] = [];
  const rowNumbers: number[] = [];
  const strings: Token[] = [];
  const rowStrings: number[] = [];
  let nonAsciiKey = false;

  let i = 0;
  while (i < n) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      const start = i++;
      let bits = 0;
      let escaped = false;
      // Four bytes at a time while none is a quote, a backslash or non-ASCII (SWAR zero-byte
      // test): strings are most of a body, and this took the scan from ~25 to ~18 instructions
      // a byte.
      while (i <= n4) {
        const w = words.getUint32(i, true);
        const q = w ^ 0x22222222;
        const b = w ^ 0x5c5c5c5c;
        if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | w) & 0x80808080) break;
        i += 4;
      }
      for (;;) {
        const d = bytes[i]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          i += 2;
        } else {
          bits |= d;
          i++;
        }
      }
      i++;
      if (expectKey) {
        st.keyStart[depth] = start + 1;
        st.keyEnd[depth] = i - 1;
        st.keyEscaped[depth] = escaped ? 1 : 0;
        expectKey = false;
        if (bits >= 0x80) nonAsciiKey = true;
        if (bytes[i] === COLON) i++;
      } else if (bits >= 0x80 && wantStrings) {
        if (rowsDepth >= 0 && depth === rowsDepth + 1 && !st.isArray[depth]) rowStrings.push(st.index[rowsDepth]!, st.keyStart[depth]!, st.keyEnd[depth]!, st.keyEscaped[depth]!, start, i);
        else strings.push({ path: pathTo(bytes, st, depth), start, end: i });
      }
    } else if (c === COMMA) {
      if (st.isArray[depth]) st.index[depth]!++;
      else expectKey = true;
      i++;
    } else if ((c >= ZERO && c <= NINE) || c === MINUS) {
      const s = i;
      let digits = 0;
      let last = 0;
      let dot = false;
      let exponent = false;
      if (c === MINUS) i++;
      for (;;) {
        const d = bytes[i];
        if (d === undefined) break;
        if (d >= ZERO && d <= NINE) {
          digits++;
          last = d;
        } else if (d === DOT) dot = true;
        else if (d === 0x65 || d === 0x45 || d === 0x2b || d === MINUS) exponent = true;
        else break;
        i++;
      }
      if ((!wantRows || (rowsDepth >= 0 && depth > rowsDepth)) && keepsText(bytes, s, i, digits, last, dot, exponent, c === MINUS)) {
        if (rowsDepth >= 0 && depth === rowsDepth + 1 && !st.isArray[depth]) rowNumbers.push(st.index[rowsDepth]!, st.keyStart[depth]!, st.keyEnd[depth]!, st.keyEscaped[depth]!, s, i);
        else numbers.push({ path: pathTo(bytes, st, depth), start: s, end: i });
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const parent = depth++;
      // `depth` counts from 0 at the root: level depth + 1.
      if (depth >= maxDepth) return { numbers: [], rowNumbers: [], strings: [], rowStrings: [], nonAsciiKey: false, rows: undefined, tooDeep: true };
      if (depth === st.isArray.length) st = stack(depth * 2, st);
      const array = c === OPEN_ARRAY;
      st.isArray[depth] = array ? 1 : 0;
      st.index[depth] = 0;
      expectKey = !array;
      let on = parent < 0;
      if (wantRows && parent >= 0 && parent < pathLength && st.onPath[parent] && !st.isArray[parent]) {
        on = keyText(bytes, st.keyStart[parent]!, st.keyEnd[parent]!, st.keyEscaped[parent]!) === rowsPath![parent];
      }
      st.onPath[depth] = on ? 1 : 0;
      if (on && array && depth === pathLength) {
        rowsDepth = depth;
        rows = { start: [], end: [], loose: [] };
      } else if (parent === rowsDepth && !array) {
        rows!.start[st.index[parent]!] = i;
        looseRow = false;
      }
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth - 1 === rowsDepth && c === CLOSE_OBJECT) {
        const at = st.index[rowsDepth]!;
        rows!.end[at] = i + 1;
        rows!.loose[at] = looseRow;
      }
      if (depth === rowsDepth) rowsDepth = -2;
      depth--;
      expectKey = false;
      i++;
    } else if (c === 0x74 || c === 0x6e) i += 4; // true, null
    else if (c === 0x66) i += 5; // false
    else {
      // whitespace between tokens
      if (rowsDepth >= 0 && depth > rowsDepth) looseRow = true;
      i++;
    }
  }
  return { numbers, rowNumbers, strings, rowStrings, nonAsciiKey, rows, tooDeep: false };
}

/**
 * True when the token is kept as text: String(Number(text)) would differ from it, or it is a
 * long integer. The common tokens are decided from what the loop counted: an integer or decimal
 * of at most 15 digits round-trips unless it is `-0`, ends its fraction in 0 (`1.0`, `1.50`), or
 * is below 1e-6 (`0.0000001` prints `1e-7`); longer integers are always kept; decimals with an
 * exponent or 16+ digits are printed to see.
 */
function keepsText(bytes: Buffer, s: number, e: number, digits: number, last: number, dot: boolean, exponent: boolean, negative: boolean): boolean {
  if (exponent || digits > 15) {
    // Integers past 15 digits are ids and counts: kept as text even when a double would print
    // them back (9007199254740992), so an int64 column gets them exactly.
    if (!dot && !exponent) return true;
    const text = bytes.toString('latin1', s, e);
    return String(Number(text)) !== text;
  }
  if (dot) {
    if (last === ZERO) return true;
    const int = negative ? s + 1 : s;
    if (bytes[int] === ZERO && e - int >= 8) {
      for (let k = int + 2; k < int + 8; k++) if (bytes[k] !== ZERO) return false;
      return true;
    }
    return false;
  }
  return negative && digits === 1 && last === ZERO;
}

/** A row's bytes without the whitespace between tokens (strings are copied as they are). */
export function compactJson(bytes: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (inString) {
      out[o++] = c;
      if (c === BACKSLASH) out[o++] = bytes[++i]!;
      else if (c === QUOTE) inString = false;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      continue;
    } else {
      out[o++] = c;
      if (c === QUOTE) inString = true;
    }
  }
  return out.subarray(0, o);
}
