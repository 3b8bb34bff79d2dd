import { IntegrityError } from '../core/errors.js';
import type { Column, Row } from '../core/columns.js';
import { windowLabelOf, windowOf, type WindowRows } from '../core/window-rows.js';
import { microsOf, TIME_FORMAT_TEXT } from '../writers/timestamps.js';
import { showValue } from '../writers/values.js';

// Every value of a dataset's timestamp columns must name one exact instant, in the form the
// column's API uses (Column.timeFormat), before any row reaches a writer: CSV, Parquet and
// PostgreSQL store the instant, so a value that names none (2026-13-45T99:00:00Z, a time without
// a zone, an epoch number past year 9999) would otherwise become a wrong or empty cell. Checked
// here rather than in the writers because only here is the window known, which the message
// names; checked for NDJSON too, which keeps the API's text, so that one export does not pass in
// one format and fail in another. The dataset's columns are checked, not only the --fields
// chosen: NDJSON without --fields writes them all.

export function timestampColumns(columns: readonly Column[]): Column[] {
  return columns.filter((c) => c.type === 'timestamp');
}

/** Batches in, the same batches out (still tagged with their window), each timestamp checked. */
export async function* checkTimestamps(dataset: string, columns: readonly Column[], batches: AsyncIterable<WindowRows>): AsyncGenerator<WindowRows> {
  const stamps = timestampColumns(columns);
  if (stamps.length === 0) {
    yield* batches;
    return;
  }
  const checks = stamps.map((c) => columnCheck(dataset, c));
  for await (const batch of batches) {
    for (const row of batch) for (const check of checks) check(row, batch);
    yield batch;
  }
}

function columnCheck(dataset: string, column: Column): (row: Row, batch: WindowRows) => void {
  const format = column.timeFormat ?? 'iso8601';
  // Rows of a window often share a time (a conversion's credits): the last good value is skipped.
  let lastOk: unknown = NOTHING;
  return (row, batch) => {
    const value = row[column.name];
    if (value === lastOk) return;
    if (value === null || value === undefined) {
      if (column.nullable) return;
      throw new IntegrityError(`${dataset}${where(batch)}: a row has no ${column.name}, which the API always sends`);
    }
    if (microsOf(value, format) === undefined) {
      throw new IntegrityError(
        `${dataset}${where(batch)}: column ${column.name} holds ${showValue(value)}, not ${TIME_FORMAT_TEXT[format]} between years 0001 and 9999`,
      );
    }
    lastOk = value;
  };
}

/** Equal to no value a row can hold (undefined is one: a missing field). */
const NOTHING = Symbol('nothing checked yet');

function where(batch: WindowRows): string {
  const w = windowOf(batch);
  return w ? ` ${windowLabelOf(w)}` : '';
}
