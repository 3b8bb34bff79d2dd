import type { Row } from '../core/columns.js';
import { rowBytes } from '../json/parse.js';
import type { Sink } from './types.js';

/**
 * ~64 KB per sink write: large enough that the per-write promise and syscall cost vanish
 * against encoding, small enough that memory stays flat and `| head` sees output promptly.
 */
export const TEXT_CHUNK_CHARS = 64 * 1024;

/**
 * Collects encoded lines and hands them to the sink in chunks. Strings are joined by V8's
 * rope concatenation, which is cheaper than an array plus join for many short lines; the
 * chunk is flattened once when the sink encodes it.
 */
export class TextBatch {
  private text = '';

  constructor(
    private readonly sink: Sink,
    private readonly chunkChars = TEXT_CHUNK_CHARS,
  ) {}

  /** Resolves at once unless a chunk went to the sink, in which case it waits for it. */
  add(line: string): Promise<void> | undefined {
    this.text += line;
    if (this.text.length >= this.chunkChars) return this.flush();
    return undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.text.length === 0) return undefined;
    const chunk = this.text;
    this.text = '';
    return this.sink.write(chunk);
  }
}

/**
 * The text writers' loop: `first` (a header) and then one encoded line per row, in ~64 KB chunks,
 * waiting on the sink whenever a chunk goes out. Returns the number of rows.
 */
export async function writeLines(rows: AsyncIterable<Row>, sink: Sink, encode: (row: Row) => string, first?: string): Promise<number> {
  const batch = new TextBatch(sink);
  if (first !== undefined) await batch.add(first);
  let count = 0;
  for await (const row of rows) {
    const pending = batch.add(encode(row));
    count += 1;
    if (pending) await pending;
  }
  await batch.flush();
  return count;
}

/**
 * The NDJSON pass-through loop: a row that still has its own bytes from the response body
 * (json/parse.ts rowBytes) is copied as it came, the server's digits and escapes included;
 * any other row is encoded by `encode`. Lines are gathered into ~64 KB Buffers, so the
 * sink writes bytes and nothing is encoded twice.
 */
export async function writeByteLines(rows: AsyncIterable<Row>, sink: Sink, encode: (row: Row) => string): Promise<number> {
  const batch = new ByteBatch(sink);
  let count = 0;
  for await (const row of rows) {
    const own = rowBytes(row);
    const pending = own ? batch.addLine(own.bytes, own.start, own.end) : batch.addText(encode(row));
    count += 1;
    if (pending) await pending;
  }
  await batch.flush();
  return count;
}

const NEWLINE = 0x0a;

/**
 * TextBatch for bytes: lines are copied into a Buffer that goes to the sink, and is replaced by a
 * fresh one, once it holds ~64 KB. Like TextBatch, a chunk is handed over only after the line that
 * filled it was added, so every row handed to the writer is in a chunk the sink has received
 * (checkpoints count rows that way). Room for two chunks means any line under 64 KB fits.
 */
export class ByteBatch {
  private buf: Buffer;
  private used = 0;

  constructor(
    private readonly sink: Sink,
    private readonly chunkBytes = TEXT_CHUNK_CHARS,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunkBytes);
  }

  /** bytes[start, end) and a newline. Resolves at once unless a chunk went to the sink. */
  addLine(bytes: Buffer, start: number, end: number): Promise<void> | undefined {
    if (this.used + end - start + 1 > this.buf.length) return this.addOversize(Buffer.concat([bytes.subarray(start, end), NEWLINE_BYTES]));
    this.used += bytes.copy(this.buf, this.used, start, end);
    this.buf[this.used++] = NEWLINE;
    return this.used >= this.chunkBytes ? this.flush() : undefined;
  }

  /** A line of text, ending in its own newline. */
  addText(line: string): Promise<void> | undefined {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.used + line.length * 3 > this.buf.length) return this.addOversize(Buffer.from(line, 'utf8'));
    this.used += this.buf.write(line, this.used, 'utf8');
    return this.used >= this.chunkBytes ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const chunk = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(2 * this.chunkBytes);
    this.used = 0;
    return this.sink.write(chunk);
  }

  /** A line too long for the room left goes out in one chunk with what is pending. */
  private addOversize(line: Buffer): Promise<void> {
    const chunk = Buffer.concat([this.buf.subarray(0, this.used), line]);
    this.buf = Buffer.allocUnsafe(2 * this.chunkBytes);
    this.used = 0;
    return this.sink.write(chunk);
  }
}

const NEWLINE_BYTES = Buffer.of(NEWLINE);
