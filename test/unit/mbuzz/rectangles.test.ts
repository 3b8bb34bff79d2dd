import { describe, expect, it } from 'vitest';
import { planRects, splitRect, channelShares, FILL } from '../../../src/providers/mbuzz/rectangles.js';
import { CHANNELS } from '../../../src/providers/mbuzz/channels.js';
import { eachDay } from '../../../src/dates.js';

const sample = (mix: Record<string, number>) => Object.entries(mix).flatMap(([c, n]) => Array.from({ length: n }, () => c));
const MIX = sample({ paid_search: 220, organic_search: 150, paid_social: 120, direct: 110, email: 90, display: 60, affiliate: 50, referral: 50, video: 40, ai: 40, organic_social: 40, other: 30 });

/** Every (day, channel) cell of the range is covered by exactly one rectangle. */
function cells(rects: ReturnType<typeof planRects>, channels: readonly string[]) {
  const seen = new Map<string, number>();
  for (const r of rects) for (const d of eachDay(r.from, r.to)) for (const c of r.channels ?? channels) seen.set(`${d}|${c}`, (seen.get(`${d}|${c}`) ?? 0) + 1);
  return seen;
}

describe('planRects', () => {
  it('covers every day x channel cell exactly once, in date blocks', () => {
    const input = { from: '2026-01-01', to: '2026-03-31', total: 90 * 7000, perPage: 1000, channels: CHANNELS, sample: MIX, partitionByChannel: true };
    const rects = planRects(input);
    const seen = cells(rects, CHANNELS);
    expect(seen.size).toBe(90 * 12);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // about one request per filled page, not one per channel per day
    expect(rects.length).toBeLessThan((90 * 7000) / (FILL * 1000) * 1.25);
    expect(rects.length).toBeGreaterThanOrEqual((90 * 7000) / 1000);
  });

  it('uses runs of whole days when that needs fewer requests (small days)', () => {
    const rects = planRects({ from: '2026-01-01', to: '2026-01-30', total: 30 * 120, perPage: 1000, channels: CHANNELS, sample: MIX, partitionByChannel: true });
    expect(rects.every((r) => r.channels === undefined)).toBe(true);
    expect(rects[0]).toEqual({ from: '2026-01-01', to: '2026-01-07' });
  });

  it('never splits by channel where channel is not a partition (funnel)', () => {
    const rects = planRects({ from: '2026-01-01', to: '2026-01-10', total: 10 * 3000, perPage: 1000, channels: CHANNELS, sample: MIX, partitionByChannel: false });
    expect(rects).toHaveLength(10);
    expect(rects.every((r) => r.channels === undefined && r.from === r.to)).toBe(true);
  });

  it('is deterministic for the same input', () => {
    const input = { from: '2026-01-01', to: '2026-02-01', total: 32 * 2500, perPage: 1000, channels: CHANNELS, sample: MIX, partitionByChannel: true };
    expect(planRects(input)).toEqual(planRects({ ...input }));
  });
});

describe('splitRect', () => {
  const share = channelShares(CHANNELS, MIX);
  it('splits channel groups by weight, then days', () => {
    const [a, b] = splitRect({ from: '2026-01-01', to: '2026-01-07', channels: ['paid_search', 'email', 'ai', 'other'] }, share)!;
    expect(a.channels).toEqual(['paid_search']);
    expect(b.channels).toEqual(['email', 'ai', 'other']);
    expect(splitRect({ from: '2026-01-01', to: '2026-01-07', channels: ['email'] }, share)).toEqual([
      { from: '2026-01-01', to: '2026-01-03', channels: ['email'] },
      { from: '2026-01-04', to: '2026-01-07', channels: ['email'] },
    ]);
    expect(splitRect({ from: '2026-01-01', to: '2026-01-01', channels: ['email'] }, share)).toBeUndefined();
  });
});
