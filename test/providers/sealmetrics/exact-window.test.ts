import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { passLimits, readWindowExactly } from '../../../src/providers/sealmetrics/exact-window.js';
import type { SkipLimitRequest } from '../../../src/paginate/skip-limit.js';
import type { Row } from '../../../src/core/columns.js';
import { Rng, shuffle } from '../../../src/sandbox/hash.js';

// One window read exactly over skip/limit pages whose order moves between queries.

/** n rows whose ids sort in creation order; `group` rows share each second (a tie). */
function world(n: number, group = 3): Row[] {
  return Array.from({ length: n }, (_, i) => ({ _id: `6a0b${String(i).padStart(8, '0')}`, second: Math.floor(i / group) }));
}

/** A server ordering newest first, breaking ties by a per-query shuffle (like --tie-order per-query). */
function unstableServer(rows: Row[], seedOf: (req: SkipLimitRequest) => number = (r) => r.skip * 7919 + r.limit) {
  const asked: SkipLimitRequest[] = [];
  const desc = [...rows].reverse();
  const fetch = async (req: SkipLimitRequest): Promise<Row[]> => {
    asked.push(req);
    const order = [...desc];
    // Shuffle inside each tie group with this query's seed.
    for (let g = 0; g < order.length; ) {
      let h = g;
      while (h < order.length && order[h]!.second === order[g]!.second) h++;
      const group = order.slice(g, h);
      shuffle(group, seedOf(req) ^ g);
      order.splice(g, h - g, ...group);
      g = h;
    }
    return order.slice(req.skip, req.skip + req.limit);
  };
  return { asked, fetch };
}

const sorted = (rows: Row[]) => [...rows].sort((a, b) => ((a._id as string) < (b._id as string) ? -1 : 1));

describe('readWindowExactly', () => {
  it('reads a window that fits one page in one request', async () => {
    const rows = world(42);
    const s = unstableServer(rows);
    const out = await readWindowExactly(s.fetch, { limit: 100, label: 'w', maxPages: 100 });
    expect(out).toMatchObject({ passes: 1, total: 42 });
    expect(out.rows).toEqual(sorted(rows));
    expect(s.asked).toEqual([{ skip: 0, limit: 100 }]);
  });

  it('reads a stable server in one pass and returns rows sorted by _id', async () => {
    const rows = world(1234);
    const desc = [...rows].reverse();
    const out = await readWindowExactly(async (r) => desc.slice(r.skip, r.skip + r.limit), { limit: 100, label: 'w', maxPages: 100 });
    expect(out).toMatchObject({ passes: 1, total: 1234 });
    expect(out.rows).toEqual(rows);
  });

  it('repairs rows lost and repeated at page edges by re-reading with other limits', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rows = world(777, 4);
      const s = unstableServer(rows, (r) => new Rng(seed * 131 + r.skip * 7 + r.limit).next());
      const out = await readWindowExactly(s.fetch, { limit: 100, label: 'w', maxPages: 100 });
      expect(out.rows).toEqual(rows);
      expect(out.total).toBe(777);
      expect(out.passes).toBeGreaterThan(1);
      // every pass after the first used another page size
      expect(new Set(s.asked.map((r) => r.limit)).size).toBe(out.passes);
    }
  });

  it('the naive walk would have been wrong: one pass of that server loses rows', async () => {
    const rows = world(777, 4);
    const s = unstableServer(rows);
    const seen = new Set<unknown>();
    for (let skip = 0; skip < 777; skip += 100) for (const r of await s.fetch({ skip, limit: 100 })) seen.add(r._id);
    expect(seen.size).toBeLessThan(777);
  });

  it('fails with exit 6 when some rows are never served, saying how many', async () => {
    const rows = world(300, 1);
    const desc = [...rows].reverse();
    // Position 150 always comes back as a copy of the newest row: one row lost, one repeated, every read.
    const fetch = async (r: SkipLimitRequest) => desc.slice(r.skip, r.skip + r.limit).map((row, i) => (r.skip + i === 150 ? desc[0]! : row));
    const err = await readWindowExactly(fetch, { limit: 100, label: 'day 2026-05-01', maxPasses: 3, maxPages: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe("day 2026-05-01: the API's order changes between pages; after 3 reads 1 of 300 rows were never served; re-run the export");
  });

  it('fails when the window grows or shrinks between reads', async () => {
    const desc = world(250, 1).reverse();
    let reads = 0;
    const fetch = async (r: SkipLimitRequest) => {
      if (r.skip === 0) reads++;
      // read 1 repeats a row (so a second read is needed); by read 2 the newest row is gone
      const now = reads === 1 ? desc.map((row, i) => (i === 150 ? desc[0]! : row)) : desc.slice(1);
      return now.slice(r.skip, r.skip + r.limit);
    };
    const err = await readWindowExactly(fetch, { limit: 100, label: 'w', maxPages: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('w: the window held 250 rows on the first read and 249 on read 2: the data changed during the export; re-run it');
  });

  it('fails when one page holds the same _id twice, or a row has no _id', async () => {
    const dup = await readWindowExactly(async () => [{ _id: 'a' }, { _id: 'a' }], { limit: 100, label: 'w', maxPages: 10 }).catch((e) => e);
    expect(dup.message).toBe('w: one page holds _id a twice');
    const none = await readWindowExactly(async () => [{ id: 'a' }], { limit: 100, label: 'w', maxPages: 10 }).catch((e) => e);
    expect(none).toBeInstanceOf(IntegrityError);
    expect(none.message).toMatch(/a row has no _id/);
  });

  it('stops with exit 6 on a server that ignores skip', async () => {
    const rows = world(500);
    const err = await readWindowExactly(async (r) => rows.slice(0, r.limit), { limit: 100, label: 'w', maxPages: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/the server is ignoring skip/);
  });

  it('picks distinct page sizes for the re-reads, never below 1', () => {
    expect(passLimits(100, 6)).toEqual([100, 87, 94, 81, 97, 91]);
    expect(new Set(passLimits(100, 6)).size).toBe(6);
    expect(passLimits(1, 3)).toEqual([1, 1, 1]);
  });
});
