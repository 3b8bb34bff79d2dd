import { describe, expect, it } from 'vitest';
import { packChannels, planDays, sliceDays } from '../../../src/providers/mbuzz/rectangles.js';
import { CHANNELS } from '../../../src/providers/mbuzz/channels.js';
import { eachDay } from '../../../src/core/dates.js';

describe('planDays', () => {
  it('cuts a range into runs of days expected to fill 85% of a page, covering each day once', () => {
    const runs = planDays('2026-01-01', '2026-01-30', 30 * 120, 1000);
    expect(runs[0]).toEqual({ from: '2026-01-01', to: '2026-01-07' });
    const days = runs.flatMap((r) => [...eachDay(r.from, r.to)]);
    expect(days).toEqual([...eachDay('2026-01-01', '2026-01-30')]);
  });
  it('gives a big day a run of its own', () => {
    expect(planDays('2026-01-01', '2026-01-03', 3 * 7000, 1000)).toHaveLength(3);
  });
});

describe('sliceDays', () => {
  it('slices an overflowing run into at least two, by its real total', () => {
    expect(sliceDays({ from: '2026-01-01', to: '2026-01-07' }, 1200, 1000)).toEqual([
      { from: '2026-01-01', to: '2026-01-03' },
      { from: '2026-01-04', to: '2026-01-07' },
    ]);
    expect(sliceDays({ from: '2026-01-01', to: '2026-01-07' }, 5000, 1000)).toHaveLength(6);
    expect(sliceDays({ from: '2026-01-01', to: '2026-01-01' }, 5000, 1000)).toBeUndefined();
  });
});

describe('packChannels', () => {
  const counts = [1380, 1100, 900, 800, 700, 600, 450, 300, 250, 200, 150, 0].map((count, i) => ({ channel: CHANNELS[i]!, count }));
  const plan = packChannels(counts, 1000);
  it('puts channels over a page on their own and skips empty ones', () => {
    expect(plan.big.map((b) => b.channel)).toEqual(['paid_search', 'organic_search']);
    expect(plan.groups.flatMap((g) => g.channels)).not.toContain('other');
  });
  it('packs the rest into groups that never exceed a page, each channel exactly once', () => {
    expect(plan.groups.every((g) => g.count <= 1000)).toBe(true);
    const packed = plan.groups.flatMap((g) => g.channels).sort();
    expect(packed).toEqual(CHANNELS.slice(2, 11).slice().sort());
    expect(plan.groups.length).toBe(Math.ceil((900 + 800 + 700 + 600 + 450 + 300 + 250 + 200 + 150) / 1000));
  });
  it('orders channels canonically inside groups and groups by their first channel', () => {
    for (const g of plan.groups) expect(g.channels).toEqual([...g.channels].sort((a, b) => CHANNELS.indexOf(a as never) - CHANNELS.indexOf(b as never)));
    const firsts = plan.groups.map((g) => CHANNELS.indexOf(g.channels[0] as never));
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  });
});
