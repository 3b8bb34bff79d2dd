import type { Row } from '../core/columns.js';
import type { Progress } from './observer.js';

/**
 * Batches to single rows: skipping the rows a resumed file already has, stopping at --max-rows.
 * `handed.rows` counts every row given to the writer, so a checkpoint can say how many a
 * landed chunk holds.
 */
export async function* rowsOf(batches: AsyncIterable<Row[]>, maxRows: number | undefined, progress: Progress, skip: number, handed: { rows: number }): AsyncGenerator<Row> {
  let left = (maxRows ?? Infinity) - handed.rows;
  let toSkip = skip;
  if (left <= 0) return;
  for await (const batch of batches) {
    let start = 0;
    if (toSkip > 0) {
      start = Math.min(toSkip, batch.length);
      toSkip -= start;
    }
    const end = Math.min(batch.length, start + left);
    progress.rows(end - start);
    for (let i = start; i < end; i++) {
      handed.rows += 1;
      yield batch[i]!;
    }
    left -= end - start;
    if (left <= 0) return;
  }
}
