// A dataset's typed columns. Writers read these to lay out CSV headers and Parquet schemas;
// `mbuzz schema` prints them.

export type ColumnType = 'string' | 'date' | 'double' | 'int32' | 'int64' | 'boolean' | 'json';

export interface Column {
  name: string;
  type: ColumnType;
  /** The API can send null (or omit the field) here. */
  nullable: boolean;
  description?: string;
}

/** A row as the API sent it: field order is the API's. */
export type Row = Record<string, unknown>;

export function columnNames(columns: readonly Column[]): string[] {
  return columns.map((c) => c.name);
}
