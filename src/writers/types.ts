import type { Column, Row } from '../core/columns.js';

/**
 * Where encoded bytes go: stdout, an atomic file, a gzip stream. `write` resolves when the
 * chunk is accepted (backpressure); the sink owner commits or aborts it, not the writer.
 * A writer never reuses a chunk after handing it over, so sinks may keep a reference.
 */
export interface Sink {
  write(chunk: Uint8Array | string): Promise<void>;
}

/**
 * A sink plus its ending. Exactly one of `commit` (the output is complete: flush, fsync,
 * rename) or `abort` (the run failed: remove what was started) is called; `abort` after
 * `commit` and a second `abort` are no-ops so callers can abort from a `finally`.
 */
export interface Output {
  sink: Sink;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export const FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

export interface WriterOptions {
  /** Columns in output order (after --fields). CSV header and Parquet schema come from here. */
  columns: readonly Column[];
  /** NDJSON only: write each row as the API sent it (its own field order and extra fields). */
  passThrough?: boolean;
  /** Parquet only: rows per row group; memory grows with it (see docs/benchmarks.md). */
  rowGroupSize?: number;
  /** Parquet only: page compression; SNAPPY unless there is a reason (docs/benchmarks.md). */
  parquetCodec?: ParquetCodec;
  /**
   * CSV only (`--csv-safe`): a text cell that a spreadsheet would run as a formula (it starts
   * with = + - @, a tab or a carriage return, or their full-width forms) gets a leading `'`,
   * the OWASP rule against CSV injection. Numbers stay numbers: -3.5 in a numeric column is
   * left alone. Off by default, since it changes the data for every other reader.
   */
  csvSafe?: boolean;
  /** CSV only: write the header line (default true); off when appending to a file that has it. */
  header?: boolean;
}

export type ParquetCodec = 'SNAPPY' | 'GZIP' | 'BROTLI' | 'UNCOMPRESSED';

/** Pulls rows from the iterable and writes them, returning the number of rows written. */
export type RowWriter = (rows: AsyncIterable<Row>, sink: Sink, options: WriterOptions) => Promise<number>;
