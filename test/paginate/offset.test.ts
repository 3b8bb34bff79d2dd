import { describe, expect, it } from 'vitest';
import { OffsetPaginator, offsetIn, placeFields, type OffsetPaginatorOptions, type OffsetRequest } from '../../src/paginate/offset.js';
import { drive } from '../../src/paginate/drive.js';
import { IntegrityError } from '../../src/core/errors.js';
import type { Page } from '../../src/paginate/types.js';

interface Body {
  rows: number;
  total?: number;
  processed?: number;
  more?: boolean;
}

async function run(pages: Body[], opts: Partial<OffsetPaginatorOptions> = {}, maxPages?: number): Promise<OffsetRequest[]> {
  const p = new OffsetPaginator({
    nextOffset: 'rows',
    place: offsetIn('query', 'offset', 'limit'),
    what: 'test list',
    ...opts,
  });
  const requests: OffsetRequest[] = [];
  const fetch = async (req: OffsetRequest): Promise<Page> => {
    requests.push(req);
    const body = pages[requests.length - 1];
    if (!body) throw new Error(`asked for page ${requests.length}, which the test does not have`);
    return { rows: Array.from({ length: body.rows }, (_, i) => ({ i })), json: body };
  };
  for await (const _ of drive(p, fetch, { maxPages, what: 'test list' })) void _;
  return requests;
}

describe('OffsetPaginator, offset += rows (Atribu journey)', () => {
  const total = (j: unknown) => (j as Body).total;

  it('walks to total_count and stops there without an extra call', async () => {
    const reqs = await run([{ rows: 2, total: 5 }, { rows: 2, total: 5 }, { rows: 1, total: 5 }], { limit: 2, readTotal: total });
    expect(reqs.map((r) => r.query)).toEqual([
      { offset: '0', limit: '2' },
      { offset: '2', limit: '2' },
      { offset: '4', limit: '2' },
    ]);
  });

  it('stops on an empty page before the total (the caller then checks the count)', async () => {
    const reqs = await run([{ rows: 2, total: 9 }, { rows: 0, total: 9 }], { limit: 2, readTotal: total });
    expect(reqs).toHaveLength(2);
  });

  it('stops at once for total_count 0', async () => {
    expect(await run([{ rows: 0, total: 0 }], { readTotal: total })).toHaveLength(1);
  });

  it('refuses a total that is not a count', async () => {
    const err = await run([{ rows: 1, total: -1 }], { readTotal: total }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list: the total is -1, not a count');
  });
});

describe('OffsetPaginator, server-given offset in a JSON body (AttributionHub)', () => {
  const opts: Partial<OffsetPaginatorOptions> = {
    nextOffset: (j) => (j as Body).processed,
    readTotal: (j) => (j as Body).total,
    readHasMore: (j) => (j as Body).more,
    place: offsetIn('body', 'offset'),
  };

  it('sends offset = the last records_processed in the body, and stops on has_more false', async () => {
    const reqs = await run(
      [
        { rows: 50, processed: 200, total: 427, more: true },
        { rows: 61, processed: 400, total: 427, more: true },
        { rows: 3, processed: 427, total: 427, more: false },
      ],
      opts,
    );
    expect(reqs.map((r) => r.body)).toEqual([{ offset: 0 }, { offset: 200 }, { offset: 400 }]);
    expect(reqs.every((r) => Object.keys(r.query).length === 0)).toBe(true);
  });

  it('stops once the offset reaches the total even if has_more stays true', async () => {
    const reqs = await run([{ rows: 50, processed: 50, total: 80, more: true }, { rows: 30, processed: 80, total: 80, more: true }], opts);
    expect(reqs).toHaveLength(2);
  });

  it('refuses an offset that does not advance', async () => {
    const err = await run([{ rows: 50, processed: 50, total: 500, more: true }, { rows: 50, processed: 50, total: 500, more: true }], opts).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list: the offset did not advance (asked for 50, the server says continue from 50); stopped instead of asking again');
  });

  it('refuses an offset that goes backwards', async () => {
    const err = await run([{ rows: 50, processed: 200, total: 500, more: true }, { rows: 50, processed: 150, total: 500, more: true }], opts).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toContain('asked for 200, the server says continue from 150');
  });

  it('refuses a missing next offset', async () => {
    const err = await run([{ rows: 5, total: 500, more: true }], opts).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list: the next offset is missing, not a count');
  });

  it('ends at the page cap when the offset keeps advancing and nothing says stop', async () => {
    const endless = Array.from({ length: 10 }, (_, i) => ({ rows: 1, processed: i + 1, more: true }));
    const err = await run(endless, { ...opts, readTotal: undefined }, 4).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list went past 4 pages without the server saying it was done; stopped');
  });
});

describe('where an offset goes', () => {
  it('turns query values into strings and keeps body values as numbers', () => {
    expect(placeFields('query', { offset: 100, limit: 50 })).toEqual({ query: { offset: '100', limit: '50' }, body: {} });
    expect(placeFields('body', { offset: 100 })).toEqual({ query: {}, body: { offset: 100 } });
  });

  it('leaves the limit out when the API takes none', () => {
    expect(offsetIn('query', 'skip', 'limit')(10, undefined)).toEqual({ query: { skip: '10' }, body: {} });
  });
});
