// A dataset's typed columns. Writers read these to lay out CSV headers and Parquet schemas;
// `mbuzz schema` prints them.

export type ColumnType = 'string' | 'date' | 'timestamp' | 'double' | 'int32' | 'int64' | 'boolean' | 'json';

/**
 * How the API writes a timestamp column's instants: ISO 8601 text with a zone (the default), or
 * seconds since the epoch as a JSON number. Writers store both as UTC instants
 * (writers/timestamps.ts); NDJSON keeps the API's own form.
 */
export type TimeFormat = 'iso8601' | 'epoch-seconds';

export interface Column {
  name: string;
  type: ColumnType;
  /** The API can send null (or omit the field) here. */
  nullable: boolean;
  description?: string;
  /** timestamp columns only; 'iso8601' when absent. */
  timeFormat?: TimeFormat;
}

/** A row as the API sent it: field order is the API's. */
export type Row = Record<string, unknown>;

export function columnNames(columns: readonly Column[]): string[] {
  return columns.map((c) => c.name);
}
