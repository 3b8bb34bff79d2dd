import { writeCsv } from './csv.js';
import { writeNdjson } from './ndjson.js';
import type { Format, RowWriter } from './types.js';

// The Parquet writer (hyparquet-writer and its codecs) loads only when a Parquet file is written:
// most runs never need it, and it is a good share of start-up time.
const writeParquetLazily: RowWriter = async (rows, sink, options) => (await import('./parquet.js')).writeParquet(rows, sink, options);

const WRITERS: Record<Format, RowWriter> = {
  ndjson: writeNdjson,
  csv: writeCsv,
  parquet: writeParquetLazily,
};

export function writerFor(format: Format): RowWriter {
  return WRITERS[format];
}

export { writeCsv, csvField, csvRecord } from './csv.js';
export { writeNdjson } from './ndjson.js';
export { textOf, daysFromIsoDate, jsonText } from './values.js';
export type { Format, Output, ParquetCodec, RowWriter, Sink, WriterOptions } from './types.js';
