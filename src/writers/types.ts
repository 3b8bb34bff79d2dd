import type { Column, Row } from '../schema/types.js';

/**
 * Where encoded bytes go: stdout, an atomic file, a gzip stream. `write` resolves when the
 * chunk is accepted (backpressure); the sink owner commits or aborts it, not the writer.
 */
export interface Sink {
  write(chunk: Uint8Array | string): Promise<void>;
}

export type Format = 'ndjson' | 'csv' | 'parquet';

export interface WriterOptions {
  /** Columns in output order (after --fields). CSV header and Parquet schema come from here. */
  columns: readonly Column[];
  /** NDJSON only: write each row as the API sent it (its own field order and extra fields). */
  passThrough?: boolean;
}

/** Pulls rows from the iterable and writes them, returning the number of rows written. */
export type RowWriter = (rows: AsyncIterable<Row>, sink: Sink, options: WriterOptions) => Promise<number>;
