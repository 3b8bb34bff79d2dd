import { describe, expect, it } from 'vitest';
import { parseRailsQuery, resolveQuery, rowFilter, rubyToI, DATE_ERROR, INTERNAL_ERROR, type DataQuery } from '../../src/sandbox/params.js';
import { CHANNELS } from '../../src/providers/mbuzz/channels.js';
import { dayFromCivil } from '../../src/sandbox/calendar.js';

const TODAY = dayFromCivil(2025, 3, 15);
const q = (qs: string) => resolveQuery(parseRailsQuery(qs), TODAY);
const ok = (qs: string): DataQuery => {
  const r = q(qs);
  if (!r.ok) throw new Error(`expected a query, got ${r.status} ${r.error}`);
  return r.query;
};
const canonical = CHANNELS.map((c) => `channels[]=${c}`).join('&');

describe('Rack query parsing', () => {
  it('decodes +, percent escapes, arrays and bare keys', () => {
    const p = parseRailsQuery('a=b+c%2Cd&channels[]=email&channels[]=paid_search&flag&x[y]=1&empty=');
    expect(p.get('a')).toBe('b c,d');
    expect(p.get('channels')).toEqual(['email', 'paid_search']);
    expect(p.get('flag')).toBeNull();
    expect(p.get('x')).toEqual({ nested: true });
    expect(p.get('empty')).toBe('');
  });

  it("drops nils from arrays as Rails' deep_munge does", () => {
    expect(parseRailsQuery('channels[]').get('channels')).toEqual([]);
  });
});

describe("Ruby's String#to_i", () => {
  it.each([['2.9', 2n], [' 3', 3n], ['1_000', 1000n], ['1__0', 1n], ['+5', 5n], ['-3', -3n], ['0x10', 0n], ['abc', 0n], ['', 0n], ['12abc', 12n]])(
    '%j -> %s',
    (s, n) => expect(rubyToI(s)).toBe(n),
  );
});

describe('date window', () => {
  it('defaults to 30 days ending today, today included', () => {
    expect(ok('')).toMatchObject({ from: TODAY - 29, to: TODAY });
  });

  it('reads 7d/30d/90d and treats anything else as 30d', () => {
    expect(ok('date_range=7d')).toMatchObject({ from: TODAY - 6, to: TODAY });
    expect(ok('date_range=90d')).toMatchObject({ from: TODAY - 89, to: TODAY });
    for (const v of ['1d', '365d', 'x', '7D']) expect(ok(`date_range=${v}`)).toMatchObject({ from: TODAY - 29, to: TODAY });
  });

  it('lets a non-blank date_range win over start/end, and a blank one not', () => {
    expect(ok('date_range=7d&start_date=2024-01-01&end_date=2024-01-31')).toMatchObject({ from: TODAY - 6 });
    expect(ok('date_range=+&start_date=2024-01-01&end_date=2024-01-31')).toMatchObject({ from: dayFromCivil(2024, 1, 1), to: dayFromCivil(2024, 1, 31) });
  });

  it('ignores a lone start or end date (30 days, no error)', () => {
    expect(ok('start_date=2024-01-01')).toMatchObject({ from: TODAY - 29, to: TODAY });
    expect(ok('end_date=banana')).toMatchObject({ from: TODAY - 29, to: TODAY });
    expect(ok('start_date=2024-01-01&end_date=')).toMatchObject({ from: TODAY - 29 });
  });

  it('answers 400 for a date Ruby rejects, 500 past 128 characters, start date first', () => {
    expect(q('start_date=banana&end_date=2024-01-01')).toEqual({ ok: false, status: 400, error: DATE_ERROR });
    expect(q('start_date=2024-01-01&end_date=2024-02-30')).toEqual({ ok: false, status: 400, error: DATE_ERROR });
    expect(q(`start_date=${'1'.repeat(129)}&end_date=banana`)).toEqual({ ok: false, status: 500, error: INTERNAL_ERROR });
    expect(q(`start_date=banana&end_date=${'1'.repeat(129)}`)).toEqual({ ok: false, status: 400, error: DATE_ERROR });
  });

  it('keeps start > end as an (empty) window', () => {
    expect(ok('start_date=2024-02-01&end_date=2024-01-01')).toMatchObject({ from: dayFromCivil(2024, 2, 1), to: dayFromCivil(2024, 1, 1) });
  });

  it('checks dates before paging', () => {
    expect(q('start_date=banana&end_date=2024-01-01&page[]=1')).toMatchObject({ status: 400 });
  });
});

describe('page and per_page', () => {
  it.each([['', 1n], ['page=abc', 1n], ['page=0', 1n], ['page=-3', 1n], ['page=2.9', 2n], ['page=7', 7n]])('%j -> page %s', (qs, page) => {
    expect(ok(qs).page).toBe(page);
  });

  it.each([['', 100], ['per_page=', 100], ['per_page=+', 100], ['per_page=0', 1], ['per_page=-5', 1], ['per_page=abc', 1], ['per_page=5000', 1000], ['per_page=250', 250]])(
    '%j -> per_page %d',
    (qs, perPage) => expect(ok(qs).perPage).toBe(perPage),
  );

  it('computes the offset and answers 500 when it overflows a bigint, or for page[]', () => {
    expect(ok('page=3&per_page=50').offset).toBe(100);
    expect(q('page=99999999999999999999&per_page=1000')).toEqual({ ok: false, status: 500, error: INTERNAL_ERROR });
    expect(q('page[]=1')).toMatchObject({ status: 500 });
  });
});

describe('channels and funnel', () => {
  it('treats missing or blank as no filter, and the canonical 12 in order as no filter', () => {
    expect(ok('').filter.channelMask).toBeNull();
    expect(ok('channels=').filter.channelMask).toBeNull();
    expect(ok(canonical).filter.channelMask).toBeNull();
  });

  it('makes any other list an IN: reordered 12, subsets, unknown names, commas kept', () => {
    const reordered = [...CHANNELS].reverse().map((c) => `channels[]=${c}`).join('&');
    expect(ok(reordered).filter.channelMask).toBe(0xfff);
    expect(ok('channels[]=email&channels[]=paid_search').filter.channelMask).toBe((1 << 4) | 1);
    expect(ok('channels=email').filter.channelMask).toBe(1 << 4);
    expect(ok('channels[]=nope').filter.channelMask).toBe(0);
    expect(ok('channels[]=email,paid_search').filter.channelMask).toBe(0);
    expect(ok('channels[]=').filter.channelMask).toBe(0);
  });

  it('reads funnel: blank = none, "all" = the wildcard, anything else a name', () => {
    expect(ok('funnel=').filter.funnel).toBeNull();
    expect(ok('funnel=all').filter.funnel).toBe('all');
    expect(ok('funnel=lead+gen').filter.funnel).toEqual(['lead gen']);
    expect(rowFilter(null, 'ALL').funnel).toEqual(['ALL']);
  });
});
