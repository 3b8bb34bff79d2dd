import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import { drive } from '../../src/paginate/drive.js';
import { SkipLimitPaginator, type SkipLimitRequest } from '../../src/paginate/skip-limit.js';
import type { Row } from '../../src/core/columns.js';

// A generated record list served skip/limit style must reassemble into exactly that list, and
// every way a server can fail to say "done" must end with an IntegrityError, not a loop.

const records = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ _id: `id${String(i).padStart(5, '0')}`, n: i }));

function server(rows: Row[], behave: (req: SkipLimitRequest) => Row[] = (req) => rows.slice(req.skip, req.skip + req.limit)) {
  const asked: SkipLimitRequest[] = [];
  const fetch = async (req: SkipLimitRequest) => {
    asked.push(req);
    return { rows: behave(req), json: null };
  };
  return { asked, fetch };
}

async function collect(paginator: SkipLimitPaginator, fetch: (r: SkipLimitRequest) => Promise<{ rows: Row[]; json: unknown }>, maxPages?: number): Promise<Row[]> {
  const out: Row[] = [];
  for await (const page of drive(paginator, fetch, { maxPages })) out.push(...page.rows);
  return out;
}

describe('SkipLimitPaginator', () => {
  it.each([0, 1, 99, 100, 101, 250, 300])('reassembles %i records exactly, ending on the short or empty page', async (n) => {
    const rows = records(n);
    const s = server(rows);
    expect(await collect(new SkipLimitPaginator(100), s.fetch)).toEqual(rows);
    // A total that is a multiple of the limit costs one extra request answering [].
    expect(s.asked).toHaveLength(Math.floor(n / 100) + 1);
    expect(s.asked.map((r) => r.skip)).toEqual(Array.from({ length: Math.floor(n / 100) + 1 }, (_, i) => i * 100));
    expect(s.asked.every((r) => r.limit === 100)).toBe(true);
  });

  it('starts where it is told and reports how far it got', async () => {
    const rows = records(30);
    const s = server(rows);
    const p = new SkipLimitPaginator(7, { startSkip: 10 });
    expect(await collect(p, s.fetch)).toEqual(rows.slice(10));
    expect(p.position).toBe(30);
    expect(p.next()).toBeUndefined();
  });

  it('stops with exit 6 when the server ignores skip and repeats the same full page', async () => {
    const rows = records(500);
    const s = server(rows, (req) => rows.slice(0, req.limit));
    const err = await collect(new SkipLimitPaginator(100, { label: 'day 2026-05-01' }), s.fetch).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.exitCode).toBe(6);
    expect(err.message).toBe('day 2026-05-01: skip=100 returned the same 100 rows as skip=0: the server is ignoring skip; stopped instead of looping');
    expect(s.asked).toHaveLength(2);
  });

  it('compares pages by the fingerprint it is given (ids, not whole rows)', async () => {
    let calls = 0;
    // Same ids every time, but a field that changes: only an id fingerprint sees the repeat.
    const s = server([], (req) => records(req.limit).map((r) => ({ ...r, seen: calls++ })));
    const err = await collect(new SkipLimitPaginator(10, { fingerprint: (rows) => rows.map((r) => r._id).join() }), s.fetch).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(s.asked).toHaveLength(2);
  });

  it('stops at the page cap when the server invents fresh full pages forever', async () => {
    let next = 0;
    const s = server([], (req) => Array.from({ length: req.limit }, () => ({ _id: `fresh${next++}` })));
    const err = await collect(new SkipLimitPaginator(100), s.fetch, 50).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/went past 50 pages without the server saying it was done/);
    expect(s.asked).toHaveLength(50);
  });

  it('refuses a page longer than the limit: the server is not honouring it', async () => {
    const rows = records(500);
    const s = server(rows, (req) => rows.slice(req.skip, req.skip + req.limit + 5));
    const err = await collect(new SkipLimitPaginator(100), s.fetch).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/skip=0 returned 105 rows, more than limit=100/);
  });

  it('will not exist without a way to move forward', () => {
    expect(() => new SkipLimitPaginator(0)).toThrow(RangeError);
    expect(() => new SkipLimitPaginator(2.5)).toThrow(RangeError);
  });
});
