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
    const rows = fixture([3500, 3500], 4);
    rows[10] = { ...rows[10]!, channel: 'tv' };
    await expect(run(rows, 2)).rejects.toThrow(/conversions 2026-04-01: its channels hold 3499 rows but the API counts 3500 for the day/);
  });

  it('gives the same bytes twice over the same data (deterministic order)', async () => {
    const rows = fixture([1200, 300, 5000], 2);
    const a = await run(rows, 3, {}, true);
    const b = await run(rows, 3, { concurrency: 1 }, true);
    expect(canon(a.out)).toEqual(canon(rows));
    expect(JSON.stringify(a.out)).toBe(JSON.stringify(b.out));
  });

  it('reads the windows that lie inside the whole-range probe from it, with no request of their own', async () => {
    const rows = fixture([300, 250, 280, 320, 310, 290, 260, 300]);
    const { out, requests } = await run(rows, 8, { dateColumn: 'date' });
    expect(canon(out)).toEqual(canon(rows));
    expect(out.map((r) => r.date)).toEqual(rows.map((r) => r.date));
    // runs of two days (~600 rows): the probe's 1000 rows hold the first run whole, so it is not asked for
    const days = (q: { from: string; to: string }) => `${q.from}..${q.to}`;
    expect(requests.map(days)).not.toContain('2026-04-01..2026-04-02');
    const without = await run(rows, 8);
    expect(requests.length).toBe(without.requests.length - 1);
  });

  it('a probe row dated later than it is never gives wrong rows: exact, or exit 6', async () => {
    const rows = fixture([300, 250, 280, 320, 310, 290, 260, 300]);
    const server = fakeServer(rows);
    const lying = async (q: MbuzzQuery) => {
      const page = await server.fetch(q);
      // the whole-range probe's last row says it is from the last day
      if (q.from === '2026-04-01' && q.to === '2026-04-08' && q.perPage === 1000) page.rows[page.rows.length - 1] = { ...page.rows.at(-1)!, date: '2026-04-08' };
      return page;
    };
    const opts = { dataset: 'conversions' as const, from: '2026-04-01', to: '2026-04-08', today: '2026-12-31', perPage: 1000, partitionByChannel: true, concurrency: 4, dateColumn: 'date' };
    const out: Row[] = [];
    const error = await (async () => {
      for await (const b of readRangeExactly(lying, opts, observer)) out.push(...b);
    })().then(() => undefined, (e: unknown) => e);
    if (error === undefined) expect(canon(out)).toEqual(canon(rows));
    else expect(String(error)).toMatch(/conversions 2026-04-01\.\.2026-04-08: its parts hold \d+ rows but the API counts 2310 for the range/);
  });

  it('reads a day of up to two pages whole: page 1 and one probe to its end, no counts', async () => {
    // (up to three pages are read whole; two pages with room for the probe's margin take two requests)
    const rows = fixture([700, 1600, 650], 2);
    const { out, requests } = await run(rows, 3, { dateColumn: 'date' });
    expect(canon(out)).toEqual(canon(rows));
    const day2 = requests.filter((q) => q.from === '2026-04-02' && q.to === '2026-04-02');
    expect(day2.every((q) => q.channels === undefined && q.perPage > 1)).toBe(true);
    expect(day2).toHaveLength(2);
  });

  it('uses the total of a big day\'s first page instead of a count of its own', async () => {
    // days that average one page, one of which holds over three: it is read once, then split
    const rows = fixture([900, 3100, 800, 950], 3);
    const { out, requests } = await run(rows, 4, { dateColumn: 'date' });
    expect(canon(out)).toEqual(canon(rows));
    const day2 = requests.filter((q) => q.from === '2026-04-02' && q.to === '2026-04-02');
    expect(day2.filter((q) => q.perPage === 1)).toEqual([]);
    expect(day2.filter((q) => q.channels === undefined)).toHaveLength(1);
  });

  describe('stress: random day sizes, ties reordered on every query, every concurrency', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      it(`exact and deterministic (seed ${seed})`, async () => {
        let x = seed * 2654435761;
        const rand = () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0) / 2 ** 32);
        const days = 3 + Math.floor(rand() * 6);
        const sizes = Array.from({ length: days }, () => [0, 200, 900, 1300, 1900, 2600, 4200][Math.floor(rand() * 7)]!);
        const rows = fixture(sizes, 1 + (seed % 5));
        const outs: string[] = [];
        for (const concurrency of [1, 2, 4, 8]) {
          const random = await run(rows, days, { dateColumn: 'date', concurrency });
          expect(canon(random.out)).toEqual(canon(rows));
          expect(random.out.map((r) => r.date)).toEqual(rows.map((r) => r.date));
          const perQuery = await run(rows, days, { dateColumn: 'date', concurrency }, true);
          expect(canon(perQuery.out)).toEqual(canon(rows));
          outs.push(JSON.stringify(perQuery.out));
        }
        // the same bytes whatever the concurrency, when the server's answers repeat
        expect(new Set(outs).size).toBe(1);
      });
    }
  });
});

