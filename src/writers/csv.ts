import type { Column, Row } from '../core/columns.js';
import { JsonNumber } from '../json/number.js';
import { writeLines } from './text-batch.js';
import type { RowWriter, Sink, WriterOptions } from './types.js';
import { textOf } from './values.js';

// RFC 4180 by hand rather than csv-stringify: quoting is the whole job once `textOf` has
// rendered each value, and a plain escaper ran twice as fast as csv-stringify's fastest API
// (sync on batches) end to end, 2.6x for the encoding alone, on 1M conversions rows
// (docs/benchmarks.md, "Writers"). It also
// sidesteps a csv-stringify default that breaks RFC 4180: with `record_delimiter: '\r\n'`
// set, `quote_record_delimiter` turns off and a bare LF inside a field goes out unquoted.

const CRLF = '\r\n';
/** A field needs quotes when it holds the delimiter, a quote, or either half of a line end. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Cells a spreadsheet would evaluate (OWASP, "CSV Injection"): = + - @, tab, carriage
 * return, and the full-width = + - @ that some locales' spreadsheets also accept.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * `--csv-safe`: a leading `'` on a cell that would start a formula, so a spreadsheet shows
 * it as text. A value that arrived as a number (-3.5) renders as a plain number, which is
 * data, not a formula, and is kept (also -1e400, kept as its text); text that merely looks
 * numeric ("-5") is still text.
 */
export function csvSafeText(text: string, value: unknown): string {
  if (!FORMULA_START.test(text)) return text;
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof JsonNumber) return text;
  return `'${text}`;
}

/** One field, quoted and with inner quotes doubled only when it must be. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its CRLF terminator. */
export function csvRecord(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += csvField(fields[i] as string);
  }
  return line + CRLF;
}

/**
 * Header (the column names, in order) then one record per row; every record, the last
 * included, ends in CRLF. Empty input writes the header alone so the file still says what
 * its columns are.
 */
export const writeCsv: RowWriter = (rows: AsyncIterable<Row>, sink: Sink, options: WriterOptions) =>
  writeLines(rows, sink, csvLine(options.columns, options.csvSafe === true), options.header === false ? undefined : csvRecord(options.columns.map((c) => c.name)));

function csvLine(columns: readonly Column[], safe: boolean): (row: Row) => string {
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  const width = columns.length;
  if (safe) {
    return (row) => {
      let line = '';
      for (let i = 0; i < width; i++) {
        if (i > 0) line += ',';
        const value = row[names[i]!];
        line += csvField(csvSafeText(textOf(types[i]!, value), value));
      }
      return line + CRLF;
    };
  }
  return (row) => {
    let line = '';
    for (let i = 0; i < width; i++) {
      if (i > 0) line += ',';
      line += csvField(textOf(types[i]!, row[names[i]!]));
    }
    return line + CRLF;
  };
}
