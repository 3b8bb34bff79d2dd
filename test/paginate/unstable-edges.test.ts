import { describe, expect, it } from 'vitest';
import { readAcrossUnstableEdges, probeCandidates } from '../../src/paginate/unstable-edges.js';
import type { Row } from '../../src/core/columns.js';
import { parseJsonBytes } from '../../src/json/parse.js';
import { stringifyExact } from '../../src/json/stringify.js';

// A fixture server: rows in tie groups (same sort key), served by OFFSET/LIMIT where every query
// permutes each group its own way, as PostgreSQL may with ORDER BY on a non-unique key.
function makeRows(groupSizes: number[]): Row[] {
  const rows: Row[] = [];
  groupSizes.forEach((size, g) => {
    for (let i = 0; i < size; i++) rows.push({ group: g, member: i });
  });
  return rows;
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unstableServer(rows: Row[], seed: number) {
  let queries = 0;
  const read = async (page: number, size: number): Promise<Row[]> => {
    queries++;
    const rand = mulberry(seed * 7919 + queries);
    // one permutation per query of every group
    const out: Row[] = [];
    let i = 0;
    while (i < rows.length) {
      let j = i;
      while (j < rows.length && rows[j]!.group === rows[i]!.group) j++;
      const group = rows.slice(i, j);
      for (let k = group.length - 1; k > 0; k--) {
        const r = Math.floor(rand() * (k + 1));
        [group[k], group[r]] = [group[r]!, group[k]!];
      }
      out.push(...group);
      i = j;
    }
    return out.slice((page - 1) * size, page * size);
  };
  return { read, queries: () => queries };
}

async function collect(it: AsyncIterable<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('readAcrossUnstableEdges', () => {
  it('naive page walking over such a server does lose and repeat rows (the hazard is real)', async () => {
    const rows = makeRows(Array.from({ length: 200 }, (_, i) => 1 + ((i * 7) % 23)));
    const server = unstableServer(rows, 1);
    const naive: Row[] = [];
    for (let p = 1; (p - 1) * 1000 < rows.length; p++) naive.push(...(await server.read(p, 1000)));
    expect(naive.length).toBe(rows.length);
    expect(canon(naive)).not.toEqual(canon(rows));
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`returns exactly the server's rows, in a valid order (seed ${seed})`, async () => {
      const rand = mulberry(seed);
      const rows = makeRows(Array.from({ length: 150 + Math.floor(rand() * 300) }, () => 1 + Math.floor(rand() * 38)));
      const server = unstableServer(rows, seed);
      const first = await server.read(1, 1000);
      const got = await collect(readAcrossUnstableEdges(server.read, first, { total: rows.length, perPage: 1000, label: 'test' }));
      expect(canon(got)).toEqual(canon(rows));
      // every position holds a member of the right group: the server's order is kept
      expect(got.map((r) => r.group)).toEqual(rows.map((r) => r.group));
    });
  }

  it('works with a small page size when the groups are smaller than the page', async () => {
    const rows = makeRows(Array.from({ length: 400 }, (_, i) => 1 + (i % 5)));
    const server = unstableServer(rows, 11);
    const first = await server.read(1, 100);
    const got = await collect(readAcrossUnstableEdges(server.read, first, { total: rows.length, perPage: 100, label: 'test' }));
    expect(canon(got)).toEqual(canon(rows));
  });

  it('fails with an integrity error rather than guessing when one tie group is bigger than any overlap', async () => {
    const rows = makeRows([10, 3000, 10]);
    const server = unstableServer(rows, 3);
    const first = await server.read(1, 1000);
    await expect(collect(readAcrossUnstableEdges(server.read, first, { total: rows.length, perPage: 1000, label: 'day 2026-04-01' }))).rejects.toThrow(
      /day 2026-04-01: cannot make the page edge at row 1000 exact/,
    );
  });

  it('reports a short page as an integrity error naming the page', async () => {
    const rows = makeRows(Array.from({ length: 100 }, () => 20));
    const server = unstableServer(rows, 5);
    const short = async (page: number, size: number) => (page === 2 && size === 1000 ? (await server.read(page, size)).slice(1) : server.read(page, size));
    await expect(collect(readAcrossUnstableEdges(short, await server.read(1, 1000), { total: 2000, perPage: 1000, label: 'w' }))).rejects.toThrow(
      /page 2 of w: expected 1000 rows, got 999/,
    );
  });

  it('tells apart rows that differ only past the 16th digit (keys are the rows\' own bytes)', async () => {
    // Each tie group holds rows whose only difference is a number JavaScript rounds to the same
    // double (2^60 + 256g + m for m = 0..3, in groups of 2-4 that straddle page edges: a double's step there is 256): as parsed numbers they
    // are equal, as the server's text they are not. Pages are JSON bodies read as the client does.
    const texts: { group: number; text: string }[] = [];
    for (let g = 0; g < 300; g++) {
      for (let m = 0; m < 2 + (g % 3); m++) texts.push({ group: g, text: `{"group":${g},"v":${2n ** 60n + 256n * BigInt(g) + BigInt(m)}}` });
    }
    for (const seed of [1, 2, 3]) {
      let queries = 0;
      const read = async (page: number, size: number): Promise<Row[]> => {
        const rand = mulberry(seed * 7919 + ++queries);
        const order: string[] = [];
        for (let i = 0; i < texts.length; ) {
          let j = i;
          while (j < texts.length && texts[j]!.group === texts[i]!.group) j++;
          const group = texts.slice(i, j).map((t) => t.text);
          for (let k = group.length - 1; k > 0; k--) {
            const r = Math.floor(rand() * (k + 1));
            [group[k], group[r]] = [group[r]!, group[k]!];
          }
          order.push(...group);
          i = j;
        }
        const body = `{"data":[${order.slice((page - 1) * size, page * size).join(',')}]}`;
        return (parseJsonBytes(Buffer.from(body), { rows: ['data'] }) as { data: Row[] }).data;
      };
      const got = await collect(readAcrossUnstableEdges(read, await read(1, 100), { total: texts.length, perPage: 100, label: 'test' }));
      expect(got.map((r) => stringifyExact(r)).sort()).toEqual(texts.map((t) => t.text).sort());
    }
  });

  it('plans the cheapest probe that holds the edge well inside first, wider ones after', () => {
    const [best, ...wider] = probeCandidates(1000, 5000, 1000);
    expect(best).toBeDefined();
    const c0 = (best!.page - 1) * best!.size;
    expect(1000 - c0).toBeGreaterThanOrEqual(100); // the overlap a first probe must hold (several tie groups)
    expect(c0 + best!.size - 1000).toBeGreaterThanOrEqual(100);
    expect(best!.size).toBeLessThanOrEqual(300); // not a whole page for a 100-row margin
    // the retries hold the edge with wider margins on both sides
    expect(wider.length).toBeGreaterThan(0);
    for (const w of wider) expect(w.margin).toBeGreaterThan(best!.margin);
  });

  it('prefers a probe that runs to the end of the data: page k+1 is then never asked for', async () => {
    const [best] = probeCandidates(1000, 1447, 1000);
    expect(best!.page * best!.size).toBeGreaterThanOrEqual(1447);
    expect(1000 - (best!.page - 1) * best!.size).toBeGreaterThanOrEqual(100);
    const rows = makeRows(Array.from({ length: 120 }, (_, i) => 1 + ((i * 5) % 23)));
    const server = unstableServer(rows, 9);
    const asked: string[] = [];
    const read = (page: number, size: number) => (asked.push(`${page}x${size}`), server.read(page, size));
    const total = rows.length;
    const got = await collect(readAcrossUnstableEdges(read, await server.read(1, 1000), { total, perPage: 1000, label: 'w' }));
    expect(canon(got)).toEqual(canon(rows));
    expect(total).toBe(1435); // over one page, and within reach of one probe from row 900
    expect(asked).not.toContain('2x1000');
  });

  it('asks for page k+1 when a wider retry stops short of the end', async () => {
    // 1800 rows in groups of 60: the only probe that reaches the end (rows 900..1800) overlaps
    // page 1 by 100 rows, two boundaries, too few to trust; the widest (667..1334) stops short
    const rows = makeRows(Array.from({ length: 30 }, () => 60));
    const server = unstableServer(rows, 4);
    const asked: string[] = [];
    const read = (page: number, size: number) => (asked.push(`${page}x${size}`), server.read(page, size));
    const got = await collect(readAcrossUnstableEdges(read, await server.read(1, 1000), { total: rows.length, perPage: 1000, label: 'w' }));
    expect(canon(got)).toEqual(canon(rows));
    expect(got.map((r) => r.group)).toEqual(rows.map((r) => r.group));
    expect(asked).toEqual(['2x900', '2x667', '2x1000']);
  });
});
