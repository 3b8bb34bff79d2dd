import { writeCsv } from './csv.js';
import { writeNdjson } from './ndjson.js';
import { writeParquet } from './parquet.js';
import type { Format, RowWriter } from './types.js';

const WRITERS: Record<Format, RowWriter> = {
  ndjson: writeNdjson,
  csv: writeCsv,
  parquet: writeParquet,
};

export function writerFor(format: Format): RowWriter {
  return WRITERS[format];
}

export { writeCsv, csvField, csvRecord } from './csv.js';
export { writeNdjson } from './ndjson.js';
export { writeParquet, parquetSchema, PARQUET_ROW_GROUP_ROWS } from './parquet.js';
export { openFileSink, type FileSinkOptions, type TempFile } from './file-sink.js';
export { stdoutSink, isOutputClosed, type StdoutSinkOptions } from './stdout-sink.js';
export { gzipSink, type GzipSink } from './gzip-sink.js';
export { textOf, parquetConverter, daysFromIsoDate, jsonText } from './values.js';
export type { Format, Output, ParquetCodec, RowWriter, Sink, WriterOptions } from './types.js';
