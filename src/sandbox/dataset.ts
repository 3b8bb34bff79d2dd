// What every dataset generator offers the pager: one UTC day at a time, rows in a stable order
// with their tie groups, rendered straight to JSON text. The pager never holds more than a page.
import type { RowFilter } from './params.js';

export const DATASETS = ['conversions', 'funnel', 'spend'] as const;
export type DatasetName = (typeof DATASETS)[number];

export function isDataset(name: string): name is DatasetName {
  return (DATASETS as readonly string[]).includes(name);
}

/** One day's rows matching a filter, visible at a cutoff, in the stable order. */
export interface DayView {
  readonly rows: number;
  /**
   * The tie group holding position `pos`: [start, end). Rows of one group sort equal on the
   * server's ORDER BY, so the server may return them in any order.
   */
  group(pos: number): readonly [number, number];
  /** Appends the JSON text of rows [start, end) to `out`. */
  render(start: number, end: number, out: string[]): void;
}

export interface DaySource {
  /** Matching rows on `day` that exist at `cutoff` (microseconds into the day; Infinity = all). */
  count(day: number, filter: RowFilter, cutoff: number): number;
  view(day: number, filter: RowFilter, cutoff: number): DayView;
}

/** The first index in sorted `a[0..n)` whose value is greater than `x`. */
export function upperBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Length of the prefix of [0, n) where a monotone `holds` is true (true...true false...false). */
export function prefixWhere(n: number, holds: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function channelMatches(mask: number | null, channel: number): boolean {
  return mask === null || (channel < 32 && ((mask >>> channel) & 1) === 1);
}

export const EMPTY_VIEW: DayView = {
  rows: 0,
  group: (pos) => [pos, pos + 1],
  render: () => undefined,
};
