import type { Column, Row } from '../core/columns.js';
import { JsonNumber } from '../json/number.js';
import { writeByteLines, writeLines } from './text-batch.js';
import type { RowWriter, Sink, WriterOptions } from './types.js';
import { jsonText } from './values.js';

/**
 * One JSON object per line, `\n` terminated (also after the last row, so files concatenate).
 * Empty input writes nothing at all: zero rows is zero lines.
 */
export const writeNdjson: RowWriter = (rows: AsyncIterable<Row>, sink: Sink, options: WriterOptions) =>
  options.passThrough ? writeByteLines(rows, sink, passThroughLine) : writeLines(rows, sink, projectedLine(options.columns));

/**
 * The row as the API sent it: its key order and any fields the schema does not know. Rows that
 * still have their bytes from the body are copied as they are (writeByteLines); this is for the
 * rest (rows a provider built, or whose body was not valid UTF-8), numbers exact all the same.
 */
function passThroughLine(row: Row): string {
  return `${jsonText(row)}\n`;
}

/**
 * Only the selected columns, in their order; a missing field is an explicit null so every
 * line has the same keys (what `jq` filters and warehouse loaders expect).
 *
 * Usually the API's row already is exactly the columns in order (no --fields, no extra
 * fields), and then JSON.stringify of the row itself is the projection, and V8's fastest
 * path. Otherwise the line is concatenated from `"name":` prefixes computed once, which
 * beat building a fresh object per row and stringifying it by 1.9x (docs/benchmarks.md).
 */
function projectedLine(columns: readonly Column[]): (row: Row) => string {
  const names = columns.map((c) => c.name);
  const prefixes = names.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const width = names.length;
  if (width === 0) return () => '{}\n';
  const concatenated = (row: Row): string => {
    let line = '';
    for (let i = 0; i < width; i++) line += prefixes[i]! + jsonValue(row[names[i]!]);
    return `${line}}\n`;
  };
  return (row) => {
    if (!hasExactly(row, names)) return concatenated(row);
    try {
      return `${jsonText(row)}\n`;
    } catch {
      return concatenated(row); // a BigInt nested in an object value
    }
  };
}

/**
 * True when the row's own keys are `names`, in order, with no undefined value (which
 * JSON.stringify would drop rather than write as null) and no BigInt (which it rejects).
 * JsonNumbers, top-level or nested, are fine: jsonText prints their text.
 */
function hasExactly(row: Row, names: readonly string[]): boolean {
  const keys = Object.keys(row);
  if (keys.length !== names.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== names[i]) return false;
    const t = typeof row[keys[i]!];
    if (t === 'undefined' || t === 'bigint') return false;
  }
  return true;
}

/** The same text JSON.stringify gives a value inside an object, with the common cases inline. */
function jsonValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes null for them too.
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return String(v);
    default:
      return v === null ? 'null' : v instanceof JsonNumber ? v.text : jsonText(v);
  }
}
