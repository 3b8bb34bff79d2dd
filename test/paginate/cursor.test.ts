import { describe, expect, it } from 'vitest';
import { CursorPaginator, cursorIn, splitCursorIn, type CursorRequest } from '../../src/paginate/cursor.js';
import { drive } from '../../src/paginate/drive.js';
import { IntegrityError } from '../../src/core/errors.js';
import type { Page } from '../../src/paginate/types.js';

interface Body {
  data: number[];
  next: string | null;
  more?: boolean;
}

const paginator = () =>
  new CursorPaginator({
    readCursor: (j) => (j as Body).next,
    readHasNext: (j) => (j as Body).more,
    place: cursorIn('query', 'after'),
    what: 'test list',
  });

/** Serves `pages` in turn and records each request. */
async function run(pages: Body[], p = paginator(), maxPages?: number): Promise<{ requests: CursorRequest[]; rows: number[] }> {
  const requests: CursorRequest[] = [];
  const rows: number[] = [];
  const fetch = async (req: CursorRequest): Promise<Page> => {
    requests.push(req);
    const body = pages[requests.length - 1];
    if (!body) throw new Error(`asked for page ${requests.length}, which the test does not have`);
    return { rows: body.data.map((n) => ({ n })), json: body };
  };
  for await (const page of drive(p, fetch, { maxPages, what: 'test list' })) rows.push(...page.rows.map((r) => r.n as number));
  return { requests, rows };
}

describe('CursorPaginator', () => {
  it('sends no token first, then each token where it goes, and stops on a null token', async () => {
    const { requests, rows } = await run([
      { data: [1, 2], next: 'a' },
      { data: [3, 4], next: 'b' },
      { data: [5], next: null },
    ]);
    expect(rows).toEqual([1, 2, 3, 4, 5]);
    expect(requests.map((r) => r.query)).toEqual([{}, { after: 'a' }, { after: 'b' }]);
    expect(requests.map((r) => r.cursor)).toEqual([undefined, 'a', 'b']);
  });

  it('stops on has_next false even when a token is present', async () => {
    const { requests } = await run([{ data: [1], next: 'a', more: false }]);
    expect(requests).toHaveLength(1);
  });

  it('stops on an empty page even when the server says there is more', async () => {
    const { requests } = await run([
      { data: [1], next: 'a', more: true },
      { data: [], next: 'b', more: true },
    ]);
    expect(requests).toHaveLength(2);
  });

  it('stops on an empty-string token', async () => {
    const { requests } = await run([{ data: [1], next: '', more: true }]);
    expect(requests).toHaveLength(1);
  });

  it('refuses a token that comes straight back', async () => {
    const err = await run([
      { data: [1], next: 'a' },
      { data: [2], next: 'a' },
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list: the server sent cursor "a" again after 2 pages, so it would serve pages already read; stopped instead of looping');
  });

  it('refuses a token seen pages ago (a cycle, not only a repeat)', async () => {
    const err = await run([
      { data: [1], next: 'a' },
      { data: [2], next: 'b' },
      { data: [3], next: 'c' },
      { data: [4], next: 'a' },
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toContain('cursor "a" again after 4 pages');
  });

  it('refuses a token that is not a string', async () => {
    const err = await run([{ data: [1], next: 7 as unknown as string }]).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list: the cursor is 7, not a string');
  });

  it('ends at the page cap when every token is new and the server never says it is done', async () => {
    const endless = Array.from({ length: 10 }, (_, i) => ({ data: [i], next: `t${i}`, more: true }));
    const err = await run(endless, paginator(), 3).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('test list went past 3 pages without the server saying it was done; stopped');
  });
});

describe('where a cursor goes', () => {
  it("splits Atribu's time|id at the first | into two query fields", () => {
    const place = splitCursorIn('query', ['cursor_time', 'cursor_id']);
    expect(place('2026-03-22T14:30:00+00:00|uuid-1')).toEqual({ query: { cursor_time: '2026-03-22T14:30:00+00:00', cursor_id: 'uuid-1' }, body: {} });
    // An id holding the separator stays whole.
    expect(place('2026-03-22T14:30:00Z|a|b').query).toEqual({ cursor_time: '2026-03-22T14:30:00Z', cursor_id: 'a|b' });
  });

  it('refuses a token with no separator to split on', () => {
    expect(() => splitCursorIn('query', ['cursor_time', 'cursor_id'])('no-bar')).toThrow('cursor "no-bar" has no "|" to split into cursor_time and cursor_id');
  });

  it('can put a token in a JSON body instead', () => {
    expect(cursorIn('body', 'cursor')('abc')).toEqual({ query: {}, body: { cursor: 'abc' } });
  });
});
