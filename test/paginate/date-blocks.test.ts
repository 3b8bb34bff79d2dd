import { describe, expect, it } from 'vitest';
import { DateBlockPaginator } from '../../src/paginate/date-blocks.js';
import { drive } from '../../src/paginate/drive.js';
import { IntegrityError } from '../../src/core/errors.js';

const page = { rows: [], json: null };

async function walk(p: DateBlockPaginator): Promise<string[]> {
  const seen: string[] = [];
  for await (const _ of drive(p, async (b) => (seen.push(`${b.from}..${b.to}`), page))) void _;
  return seen;
}

describe('DateBlockPaginator', () => {
  it('one block per day by default, in date order, then stops', async () => {
    const p = new DateBlockPaginator('2026-02-27', '2026-03-02', 1);
    expect(p.blocks).toBe(4);
    expect(await walk(p)).toEqual(['2026-02-27..2026-02-27', '2026-02-28..2026-02-28', '2026-03-01..2026-03-01', '2026-03-02..2026-03-02']);
    expect(p.next()).toBeUndefined();
  });

  it('blocks of N days, the last one cut at --to', async () => {
    const p = new DateBlockPaginator('2026-05-01', '2026-05-10', 4);
    expect(p.blocks).toBe(3);
    expect(await walk(p)).toEqual(['2026-05-01..2026-05-04', '2026-05-05..2026-05-08', '2026-05-09..2026-05-10']);
  });

  it('an empty range asks for nothing', async () => {
    const p = new DateBlockPaginator('2026-05-02', '2026-05-01', 1);
    expect(p.blocks).toBe(0);
    expect(await walk(p)).toEqual([]);
  });

  it('asking again without an answer repeats the block; an answer for no block is refused', () => {
    const p = new DateBlockPaginator('2026-05-01', '2026-05-02', 1);
    const first = { from: '2026-05-01', to: '2026-05-01' };
    expect([p.next(), p.next()]).toEqual([first, first]);
    p.update(page);
    expect(() => p.update(page)).toThrow(IntegrityError);
  });

  it('refuses a block size that could not move forward', () => {
    expect(() => new DateBlockPaginator('2026-05-01', '2026-05-02', 0)).toThrow(RangeError);
    expect(() => new DateBlockPaginator('2026-05-01', '2026-05-02', 1.5)).toThrow(RangeError);
  });

  it('a year is 365 requests of a day, or 53 of a week, never more', async () => {
    expect(await walk(new DateBlockPaginator('2025-01-01', '2025-12-31', 1))).toHaveLength(365);
    expect(await walk(new DateBlockPaginator('2025-01-01', '2025-12-31', 7))).toHaveLength(53);
  });
});
