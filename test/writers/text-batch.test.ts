import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '../../src/json/parse.js';
import { stringifyExact } from '../../src/json/stringify.js';
import type { Row } from '../../src/core/columns.js';
import { writeByteLines, writeLines } from '../../src/writers/text-batch.js';
import type { Sink } from '../../src/writers/types.js';

// The contract checkpoints rely on (pipeline/export-dataset.ts): when a chunk reaches the sink, every
// row the writer has pulled so far is in it or in an earlier chunk. A resumed file skips exactly
// the rows the checkpoint counted, so a chunk that lags one row behind loses that row.

const exact = (r: Row) => `${stringifyExact(r)}\n`;

/** Rows of ~`size` bytes each, some with their own bytes (read from a body), some without. */
function rows(count: number, size: (i: number) => number): Row[] {
  const texts = Array.from({ length: count }, (_, i) => `{"i":${i},"pad":"${'x'.repeat(size(i))}","n":1.50}`);
  const parsed = (parseJsonBytes(Buffer.from(`{"data":[${texts.join(',')}]}`), { rows: ['data'] }) as { data: Row[] }).data;
  return parsed.map((r, i) => (i % 3 === 2 ? { ...r } : r)); // every third is a copy: no bytes of its own
}

async function check(write: (src: AsyncIterable<Row>, sink: Sink) => Promise<number>, input: Row[]) {
  let pulled = 0;
  let linesInSink = 0;
  const chunks: Buffer[] = [];
  const sink: Sink = {
    async write(chunk) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
      chunks.push(b);
      linesInSink += b.toString('utf8').split('\n').length - 1;
      expect(linesInSink, 'every row pulled so far is in the sink').toBe(pulled);
    },
  };
  async function* source() {
    for (const r of input) {
      pulled++;
      yield r;
    }
  }
  const n = await write(source(), sink);
  expect(n).toBe(input.length);
  const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(input.map((_, i) => i));
  expect(lines.every((l) => l.endsWith(',"n":1.50}'))).toBe(true);
  return chunks;
}

describe('text writers hand chunks to the sink only with every pulled row in them', () => {
  it('byte lines: small rows, chunks of about 64 KB', async () => {
    const chunks = await check((src, sink) => writeByteLines(src, sink, exact), rows(3000, () => 100));
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('byte lines: rows bigger than a chunk go out with what is pending', async () => {
    await check((src, sink) => writeByteLines(src, sink, exact), rows(40, (i) => (i % 7 === 0 ? 100_000 : 30_000)));
  });

  it('text lines (CSV and projected NDJSON) keep the same contract', async () => {
    await check((src, sink) => writeLines(src, sink, exact), rows(40, (i) => (i % 7 === 0 ? 100_000 : 30_000)));
  });
});
