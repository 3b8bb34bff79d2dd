import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/core/columns.js';
import { writeNdjson } from '../../src/writers/ndjson.js';
import { writerFor } from '../../src/writers/index.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { DATASETS, MemorySink, fixtureLines, fixtureRows, rowsOf } from './helpers.js';

function lines(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('NDJSON writer', () => {
  it('is what writerFor("ndjson") returns', () => {
    expect(writerFor('ndjson')).toBe(writeNdjson);
  });

  it('passes rows through as the API sent them: key order and extra fields kept', async () => {
    const sink = new MemorySink();
    const rows = fixtureRows('conversions');
    const n = await writeNdjson(rowsOf(rows), sink, { columns: CONVERSIONS_COLUMNS, passThrough: true });
    expect(n).toBe(rows.length);
    const out = lines(sink.text());
    const src = fixtureLines('conversions');
    expect(out).toHaveLength(src.length);
    for (let i = 0; i < src.length; i++) {
      // Key order of the original text, not of the schema.
      expect(Object.keys(JSON.parse(out[i]!))).toEqual(Object.keys(JSON.parse(src[i]!)));
      expect(JSON.parse(out[i]!)).toEqual(JSON.parse(src[i]!));
    }
    const last = JSON.parse(out.at(-1)!) as Row;
    expect(Object.keys(last)[0]).toBe('attribution_model');
    expect(last.server_extra).toEqual({ debug: 1 });
  });

  it('projects to the columns, in their order, with null for missing fields', async () => {
    const sink = new MemorySink();
    const columns = ['utm_campaign', 'date', 'credit', 'properties'].map((n) => CONVERSIONS_COLUMNS.find((c) => c.name === n)!);
    const rows: Row[] = [...fixtureRows('conversions'), { date: '2026-04-09', credit: 0.5 }];
    await writeNdjson(rowsOf(rows), sink, { columns });
    const out = lines(sink.text()).map((l) => JSON.parse(l) as Row);
    for (const row of out) expect(Object.keys(row)).toEqual(['utm_campaign', 'date', 'credit', 'properties']);
    expect(out[0]).toEqual({ utm_campaign: 'spring, "big" sale', date: '2026-04-01', credit: 0.25, properties: { plan: 'pro', seats: 3, tags: ['a', 'b'] } });
    expect(out[2]!.utm_campaign).toBe('日本語キャンペーン 🚀');
    expect(out.at(-1)).toEqual({ utm_campaign: null, date: '2026-04-09', credit: 0.5, properties: null });
    expect(out.some((r) => 'server_extra' in r)).toBe(false);
  });

  it.each(DATASETS)('projects every $name fixture row to exactly its schema', async ({ name, columns }) => {
    const sink = new MemorySink();
    await writeNdjson(rowsOf(fixtureRows(name)), sink, { columns });
    const out = lines(sink.text()).map((l) => JSON.parse(l) as Row);
    const src = fixtureRows(name);
    out.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(columns.map((c) => c.name));
      for (const c of columns) expect(row[c.name]).toEqual(src[i]![c.name] ?? null);
    });
  });

  it.each(DATASETS)('writes byte-for-byte what JSON.stringify writes for $name rows', async ({ name, columns }) => {
    const sink = new MemorySink();
    const rows = fixtureRows(name);
    await writeNdjson(rowsOf(rows), sink, { columns });
    const expected = rows.map((r) => `${JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, r[c.name] ?? null])))}\n`).join('');
    expect(sink.text()).toBe(expected);
  });

  it('handles odd values the way JSON.stringify does, and keeps integer-like names in column order', async () => {
    const columns = ['b', '2', 'nan', 'inf', 'when', 'big', 'deep'].map((name) => ({ name, type: 'json' as const, nullable: true }));
    const sink = new MemorySink();
    const when = new Date(Date.UTC(2026, 3, 1));
    await writeNdjson(rowsOf([{ b: 'tab\there "q" \u2028 é', 2: -0, nan: NaN, inf: -Infinity, when, big: 12n, deep: { a: [1, { b: null }] } }]), sink, { columns });
    expect(sink.text()).toBe(`{"b":${JSON.stringify('tab\there "q" \u2028 é')},"2":0,"nan":null,"inf":null,"when":"2026-04-01T00:00:00.000Z","big":12,"deep":{"a":[1,{"b":null}]}}\n`);
  });

  it('writes null for an undefined value even when the row has exactly the column keys', async () => {
    const columns = ['a', 'b', 'c'].map((name) => ({ name, type: 'json' as const, nullable: true }));
    const sink = new MemorySink();
    await writeNdjson(rowsOf([{ a: 1, b: undefined, c: 'x' }, { a: 1, b: 7n, c: null }, { a: 2, b: 3, c: 'y' }]), sink, { columns });
    expect(sink.text()).toBe('{"a":1,"b":null,"c":"x"}\n{"a":1,"b":7,"c":null}\n{"a":2,"b":3,"c":"y"}\n');
  });

  it('writes nothing for no rows', async () => {
    for (const passThrough of [true, false]) {
      const sink = new MemorySink();
      expect(await writeNdjson(rowsOf([]), sink, { columns: CONVERSIONS_COLUMNS, passThrough })).toBe(0);
      expect(sink.text()).toBe('');
    }
  });

  it('batches lines into ~64 KB chunks that end on a line boundary', async () => {
    const base = fixtureRows('conversions')[0]!;
    const rows = Array.from({ length: 5000 }, (_, i) => ({ ...base, touchpoint_index: i }));
    const sink = new MemorySink();
    await writeNdjson(rowsOf(rows), sink, { columns: CONVERSIONS_COLUMNS });
    expect(sink.chunks.length).toBeGreaterThan(5);
    expect(sink.chunks.length).toBeLessThan(rows.length / 100);
    for (const chunk of sink.chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(chunk.length).toBeLessThan(64 * 1024 + 2048);
    }
    for (const chunk of sink.chunks) expect(String(chunk).endsWith('\n')).toBe(true);
    expect(lines(sink.text()).map((l) => (JSON.parse(l) as Row).touchpoint_index)).toEqual(rows.map((r) => r.touchpoint_index));
  });

  it('waits for the sink before pulling more rows (backpressure)', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Row> {
      for (let i = 0; i < 20_000; i++) {
        pulled += 1;
        yield { date: '2026-04-01', name: 'x'.repeat(100), touchpoint_index: i };
      }
    }
    const pending: (() => void)[] = [];
    const sink = { write: () => new Promise<void>((resolve) => pending.push(resolve)) };
    const done = writeNdjson(source(), sink, { columns: CONVERSIONS_COLUMNS });
    await new Promise((r) => setTimeout(r, 20));
    // The first chunk is in the sink and unacknowledged: the writer must be parked on it.
    expect(pending).toHaveLength(1);
    const pulledWhileBlocked = pulled;
    expect(pulledWhileBlocked).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled).toBe(pulledWhileBlocked);
    // Release writes as they come until the writer finishes.
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      pending.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await done).toBe(20_000);
  });
});
