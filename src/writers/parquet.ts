import v8 from 'node:v8';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { ParquetWriter } from 'hyparquet-writer';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import type { Column, ColumnType, Row } from '../core/columns.js';
import { VERSION } from '../core/version.js';
import { SinkByteWriter } from './parquet-sink-writer.js';
import type { ParquetCodec, RowWriter, Sink, WriterOptions } from './types.js';
import { parquetConverter, type ParquetConverter, type ParquetValue } from './values.js';

/**
 * Rows per row group: the knee of peak RSS against speed for 1M conversions rows
 * (docs/benchmarks.md). One group's rows, columns and encoded bytes are alive at once, so
 * memory follows the group size (~155 MB peak at 25k, ~230 at 50k, ~390 at 100k) while
 * speed does not improve past 25k (larger groups mostly mean more GC). 10k was a little
 * faster still, but its ~250 KB groups are small for analytic readers and compress worse.
 */
export const PARQUET_ROW_GROUP_ROWS = 25_000;

/**
 * SNAPPY by default: every Parquet reader decodes it (hyparquet, DuckDB, Spark, BigQuery,
 * pyarrow), and hyparquet-writer ships it. GZIP (node:zlib) made files ~36% smaller for
 * ~15% less speed and BROTLI ~41% smaller almost for free (docs/benchmarks.md), so both are
 * offered through `parquetCodec`, but fewer readers handle them out of the box (hyparquet
 * needs an add-on for either, and BROTLI support is patchy among warehouses). ZSTD would
 * need a native or WASM package on Node 20.
 */
const DEFAULT_CODEC: ParquetCodec = 'SNAPPY';
type Compressors = NonNullable<ConstructorParameters<typeof ParquetWriter>[0]['compressors']>;
const COMPRESSORS: Compressors = {
  GZIP: (input) => gzipSync(input),
  BROTLI: (input) => brotliCompressSync(input, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }),
};

// Both the legacy converted_type and the logical_type, so old readers (Hive, older Spark)
// and new ones (DuckDB, Arrow, BigQuery) agree: DATE, VARCHAR, DOUBLE, INTEGER, BIGINT,
// BOOLEAN, TIMESTAMP WITH TIME ZONE (microseconds, adjusted to UTC). json is plain UTF8 text rather than the JSON logical type, so readers without
// a JSON extension still see a string.
const ELEMENTS: Record<ColumnType, Omit<SchemaElement, 'name' | 'repetition_type'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  json: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  date: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
  double: { type: 'DOUBLE' },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  boolean: { type: 'BOOLEAN' },
};

/** The Parquet schema for these columns: a root group, then one flat leaf per column. */
export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(
      (c): SchemaElement => ({ name: c.name, repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED', ...ELEMENTS[c.type] }),
    ),
  ];
}

/**
 * Rows become one row group at a time: converted and checked column by column as they
 * arrive (a wrong type stops the run with an IntegrityError before the group is encoded),
 * encoded and compressed by hyparquet-writer, and handed to the sink before the next row is
 * pulled. The footer goes last; an empty input still gets a footer with the schema and 0
 * rows, which every reader accepts as an empty table.
 */
export const writeParquet: RowWriter = (rows, sink, options) => parquetWriter()(rows, sink, options);

/** A resumed file: the writer state a checkpoint saved and the rows already in the file. */
export interface ParquetResume {
  state: Uint8Array;
  rows: number;
}

export interface ParquetHooks {
  resume?: ParquetResume;
  /**
   * After each row group has gone to the sink: the rows now in the file, and the writer state
   * (row-group metadata so far) a checkpoint needs to finish the file after a crash.
   */
  afterGroup?: (rowsInFile: number, state: () => Uint8Array) => Promise<void> | void;
}

/**
 * Checkpoints happen only at row-group boundaries: a resumed run continues the same grouping
 * (every PARQUET_ROW_GROUP_ROWS rows from the start) and restores the metadata of the groups
 * already written, so its bytes are the uninterrupted run's bytes.
 */
export function parquetWriter(hooks: ParquetHooks = {}): RowWriter {
  return async (rows: AsyncIterable<Row>, sink: Sink, options: WriterOptions) => {
    const { columns } = options;
    if (columns.length === 0) throw new Error('parquet: at least one column is needed');
    const groupRows = options.rowGroupSize ?? PARQUET_ROW_GROUP_ROWS;
    if (!Number.isInteger(groupRows) || groupRows < 1) throw new Error(`parquet: bad row group size ${groupRows}`);

    const bytes = new SinkByteWriter(sink);
    const writer = new ParquetWriter({
      writer: bytes,
      schema: parquetSchema(columns),
      codec: options.parquetCodec ?? DEFAULT_CODEC,
      compressors: COMPRESSORS,
      createdBy: `mbuzz ${VERSION}`,
    });
    let inFile = 0;
    if (hooks.resume) {
      restoreState(writer, bytes, hooks.resume.state);
      inFile = hooks.resume.rows;
    }
    const group = new ColumnGroup(columns, groupRows);
    let count = 0;
    const flushGroup = async () => {
      const n = group.size;
      await writer.write({ columnData: group.take(), rowGroupSize: groupRows });
      inFile += n;
      await hooks.afterGroup?.(inFile, () => captureState(writer, bytes));
    };
    for await (const row of rows) {
      count += 1;
      group.add(row, inFile + group.size + 1);
      if (group.full) await flushGroup();
    }
    if (group.size > 0) await writer.write({ columnData: group.take(), rowGroupSize: groupRows });
    await writer.finish();
    return count;
  };
}

// The parts of ParquetWriter's state that outlive a row group (hyparquet-writer 0.17 keeps them
// as plain fields). v8's serializer keeps BigInts, typed arrays and the objects shared between
// row_groups and pendingIndexes.
interface WriterState {
  row_groups: unknown;
  num_rows: bigint;
  pendingIndexes: unknown;
  offset: number;
}

function captureState(writer: ParquetWriter, bytes: SinkByteWriter): Uint8Array {
  const w = writer as unknown as Omit<WriterState, 'offset'>;
  return v8.serialize({ row_groups: w.row_groups, num_rows: w.num_rows, pendingIndexes: w.pendingIndexes, offset: bytes.offset } satisfies WriterState);
}

function restoreState(writer: ParquetWriter, bytes: SinkByteWriter, saved: Uint8Array): void {
  const state = v8.deserialize(saved) as WriterState;
  const w = writer as unknown as Omit<WriterState, 'offset'>;
  w.row_groups = state.row_groups;
  w.num_rows = state.num_rows;
  w.pendingIndexes = state.pendingIndexes;
  // The constructor has just buffered the PAR1 magic again; the file already starts with it.
  bytes.index = 0;
  bytes.offset = state.offset;
}

/**
 * One row group's values, already transposed into columns. Converting while transposing
 * means a row is touched once and no converted copy of it is ever built.
 */
class ColumnGroup {
  private readonly names: string[];
  private readonly converters: ParquetConverter[];
  private readonly doubles: boolean[];
  /** Per column: the group holds a -0.0 (see take()). */
  private negativeZero: boolean[];
  private data: ParquetValue[][];
  size = 0;

  constructor(
    private readonly columns: readonly Column[],
    private readonly capacity: number,
  ) {
    this.names = columns.map((c) => c.name);
    this.converters = columns.map(parquetConverter);
    this.doubles = columns.map((c) => c.type === 'double');
    this.negativeZero = columns.map(() => false);
    this.data = this.fresh();
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  /**
   * Throws IntegrityError naming the column, value and row. The group is then left ragged,
   * which is fine: the error ends the whole write and the output is aborted.
   */
  add(row: Row, rowNumber: number): void {
    const { names, converters, data, doubles } = this;
    for (let c = 0; c < names.length; c++) {
      const v = (converters[c] as ParquetConverter)(row[names[c] as string], rowNumber);
      if (v === 0 && doubles[c] && Object.is(v, -0)) this.negativeZero[c] = true;
      (data[c] as ParquetValue[]).push(v);
    }
    this.size += 1;
  }

  /** The group as hyparquet-writer column sources; the next rows go to fresh arrays. */
  take(): ColumnSource[] {
    // hyparquet-writer 0.17 builds dictionaries in a Map, where -0 and 0 are one key: a chunk
    // holding both would read back with one of them changed. Such a chunk is written PLAIN.
    const sources = this.columns.map(
      (c, i): ColumnSource => ({ name: c.name, data: this.data[i] as ParquetValue[], nullable: c.nullable, ...(this.negativeZero[i] ? { encoding: 'PLAIN' as const } : {}) }),
    );
    this.data = this.fresh();
    this.negativeZero = this.columns.map(() => false);
    this.size = 0;
    return sources;
  }

  private fresh(): ParquetValue[][] {
    // Grown by push rather than preallocated: the same speed, and peak RSS came out ~50 MB
    // lower at 50k-row groups (V8 sizes packed arrays better than holey ones).
    return this.columns.map(() => [] as ParquetValue[]);
  }
}
