import type { Column, ColumnType, Row } from '../../core/columns.js';
import { exactInteger, JsonNumber } from '../../json/number.js';
import { writeLines } from '../../writers/text-batch.js';
import type { RowWriter } from '../../writers/types.js';
import { textOf } from '../../writers/values.js';

// Rows as the CSV that `COPY ... FROM STDIN WITH (FORMAT csv)` reads. It differs from the file
// CSV writer (writers/csv.ts) on purpose, in four places:
//  - null and the empty string differ: in COPY's CSV an unquoted empty field is NULL and a
//    quoted one ("") is the empty string. The file writer renders both as an empty field (a
//    spreadsheet cannot tell them apart either), which COPY would load as NULL: utm_campaign ""
//    would become NULL, and a NOT NULL text column holding "" would fail the load.
//  - a field that is exactly \. is quoted: alone on a line COPY would read it as end-of-data.
//  - no header, and LF line ends (COPY takes either; quoted CR/LF inside a field stay data).
// Each value is rendered by the same textOf as the CSV and Parquet writers, so a json column is
// the same compact JSON text, a date the same YYYY-MM-DD, a boolean true/false.

//  - an integer column's number is plain digits: the server may spell one 2.0 or 1E5 (the CSV
//    file keeps those digits), which INTEGER and BIGINT refuse; a real fraction keeps its text
//    and is refused there, never rounded.

const NEEDS_QUOTES = /[",\r\n]/;

/** An integer column's cell: exactly the integer the server sent, in the digits COPY reads. */
function cellText(type: ColumnType, value: unknown): string {
  if ((type === 'int32' || type === 'int64') && value instanceof JsonNumber) return exactInteger(value.text)?.toString() ?? value.text;
  return textOf(type, value);
}

export function copyField(text: string): string {
  return text === '' || text === '\\.' || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function copyLine(columns: readonly Column[]): (row: Row) => string {
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  const width = columns.length;
  return (row) => {
    let line = '';
    for (let i = 0; i < width; i++) {
      if (i > 0) line += ',';
      const value = row[names[i]!];
      if (value !== null && value !== undefined) line += copyField(cellText(types[i]!, value));
    }
    return line + '\n';
  };
}

/** Writes rows as COPY CSV in ~64 KB chunks; returns the number of rows. Options other than columns do not apply. */
export const writeCopyRows: RowWriter = (rows, sink, options) => writeLines(rows, sink, copyLine(options.columns));
