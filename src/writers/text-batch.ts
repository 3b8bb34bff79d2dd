import type { Row } from '../core/columns.js';
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
