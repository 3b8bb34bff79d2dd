import { describe, expect, it } from 'vitest';
import { readRangeExactly } from '../../../src/providers/mbuzz/plan.js';
import type { MbuzzPage, MbuzzQuery } from '../../../src/providers/mbuzz/api.js';
import { CHANNELS } from '../../../src/providers/mbuzz/channels.js';
import type { Row } from '../../../src/core/columns.js';
import { addDays } from '../../../src/core/dates.js';

// A fake /data endpoint over fixture rows: filters by day and channel, orders by (date, group)
// only, and breaks ties differently on every query, as the real server may.
function fixture(daySizes: number[], seed = 1): Row[] {
  const rows: Row[] = [];
  let g = 0;
  daySizes.forEach((n, d) => {
    const date = addDays('2026-04-01', d);
    let made = 0;
    while (made < n) {
      const size = Math.min(n - made, 1 + ((g * 7 + seed) % 20));
      for (let m = 0; m < size; m++) rows.push({ date, group: g, member: m, channel: CHANNELS[(g + m * seed) % 12] });
      made += size;
      g++;
    }
  });
  return rows;
}

function fakeServer(rows: Row[], perQuery = false) {
  const requests: MbuzzQuery[] = [];
  let count = 0;
  const fetch = async (q: MbuzzQuery): Promise<MbuzzPage> => {
    requests.push(q);
    // random: every request its own tie order; per-query: the same query, the same order
    const n = perQuery ? [...JSON.stringify(q)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) : ++count;
    await new Promise((r) => setTimeout(r, 0));
    const match = rows.filter((r) => (r.date as string) >= q.from && (r.date as string) <= q.to && (!q.channels || q.channels.includes(r.channel as string)));
    const groups = new Map<number, Row[]>();
    for (const r of match) groups.set(r.group as number, [...(groups.get(r.group as number) ?? []), r]);
    const ordered = [...groups.values()].flatMap((grp) => (n % 2 ? grp : [...grp].reverse()).map((r, i, a) => a[(i + n) % a.length]!));
    const data = ordered.slice((q.page - 1) * q.perPage, q.page * q.perPage);
    return { rows: data, meta: { total_count: match.length, page: q.page, per_page: q.perPage, total_pages: Math.ceil(match.length / q.perPage) } };
  };
  return { fetch, requests };
}

const observer = { plan() {}, windowDone() {}, note() {} };
async function run(rows: Row[], days: number, extra: Partial<Parameters<typeof readRangeExactly>[1]> = {}, perQuery = false) {
  const server = fakeServer(rows, perQuery);
  const out: Row[] = [];
  const opts = {
    dataset: 'conversions' as const,
    from: '2026-04-01',
    to: addDays('2026-04-01', days - 1),
    today: '2026-12-31',
    perPage: 1000,
    partitionByChannel: true,
    concurrency: 4,
    ...extra,
  };
  for await (const b of readRangeExactly(server.fetch, opts, observer)) out.push(...b);
  return { out, requests: server.requests };
}
const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('readRangeExactly', () => {
  it('reads a small range in one request', async () => {
    const rows = fixture([100, 200, 300]);
    const { out, requests } = await run(rows, 3);
    expect(canon(out)).toEqual(canon(rows));
    // in the server's order: by date (its ties in whatever order that one query gave)
    expect(out.map((r) => r.date)).toEqual(rows.map((r) => r.date));
    expect(requests).toHaveLength(1);
  });

  it('merges small days into windows that fit a page and keeps days in order', async () => {
    const sizes = Array.from({ length: 30 }, (_, i) => 150 + ((i * 37) % 120));
    const rows = fixture(sizes);
    const { out, requests } = await run(rows, 30);
    expect(canon(out)).toEqual(canon(rows));
    // near one request per page of rows, far fewer than one per day
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(rows.length / 1000) + 5);
  });

  it('splits big days by channel and stays exact when ties straddle page edges', async () => {
    const rows = fixture([2500, 14000, 900, 0, 3100], 3);
    const { out } = await run(rows, 5);
    expect(out).toHaveLength(rows.length);
    expect(canon(out)).toEqual(canon(rows));
  });

  it('repairs page edges where there is no partition (funnel)', async () => {
    const rows = fixture([2500, 4100], 5);
    const { out, requests } = await run(rows, 2, { dataset: 'funnel', partitionByChannel: false });
    expect(canon(out)).toEqual(canon(rows));
    expect(requests.some((q) => q.perPage !== 1000)).toBe(true); // probes were used
  });

  it('fails with exit 6 when channel parts do not add up to the range (a row outside the 12 channels)', async () => {
    const rows = fixture([3000, 3000], 4);
    rows[10] = { ...rows[10]!, channel: 'tv' };
    await expect(run(rows, 2)).rejects.toThrow(/conversions 2026-04-01: its channels hold 2999 rows but the API counts 3000 for the day/);
  });

  it('gives the same bytes twice over the same data (deterministic order)', async () => {
    const rows = fixture([1200, 300, 5000], 2);
    const a = await run(rows, 3, {}, true);
    const b = await run(rows, 3, { concurrency: 1 }, true);
    expect(canon(a.out)).toEqual(canon(rows));
    expect(JSON.stringify(a.out)).toBe(JSON.stringify(b.out));
  });
});
