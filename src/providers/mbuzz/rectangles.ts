import { addDays, daysBetween } from '../../core/dates.js';

// What to ask for so each query fits one page, decided from totals before rows are read. Pure,
// so a plan can be unit-tested and recomputed identically on resume.
//
// Days always partition a range exactly: a range is first cut into runs of days expected to fill
// a page. A day too big for one page is split by channel where channel partitions the rows
// (conversions, spend): each channel's exact count is asked for (a one-row page), and channels are
// packed into groups that fill a page, so the day costs about rows/1000 page requests.

export interface Rect {
  from: string;
  to: string;
  /** Channels to ask for; undefined = the user's filter as is (no split by channel). */
  channels?: readonly string[];
}

/** Share of a page a run of days aims at: room for day-to-day variation. */
export const FILL = 0.85;

/** Runs of whole days expected to fit one page, from the range's total (a big day is alone). */
export function planDays(from: string, to: string, total: number, perPage: number): Rect[] {
  const days = daysBetween(from, to);
  const avg = total / days;
  const perRun = Math.max(1, Math.floor((FILL * perPage) / Math.max(avg, 1e-9)));
  const out: Rect[] = [];
  for (let d = 0; d < days; d += perRun) out.push({ from: addDays(from, d), to: addDays(from, Math.min(days, d + perRun) - 1) });
  return out;
}

/** Cuts a run of days holding `total` rows into runs expected to fit a page (at least two). */
export function sliceDays(rect: Rect, total: number, perPage: number): Rect[] | undefined {
  const days = daysBetween(rect.from, rect.to);
  if (days < 2) return undefined;
  const pieces = Math.min(days, Math.max(2, Math.ceil(total / (FILL * perPage))));
  const out: Rect[] = [];
  for (let i = 0; i < pieces; i++) {
    const a = Math.floor((i * days) / pieces);
    const b = Math.floor(((i + 1) * days) / pieces);
    out.push({ ...rect, from: addDays(rect.from, a), to: addDays(rect.from, b - 1) });
  }
  return out;
}

export interface ChannelPlan {
  /** Channel groups whose exact counts fit one page together, in canonical order of their first channel. */
  groups: { channels: string[]; count: number }[];
  /** Channels holding more than a page on their own, in canonical order. */
  big: { channel: string; count: number }[];
}

/** First-fit decreasing over exact per-channel counts; empty channels need no request at all. */
export function packChannels(counts: readonly { channel: string; count: number }[], perPage: number): ChannelPlan {
  const order = new Map(counts.map((c, i) => [c.channel, i]));
  const big = counts.filter((c) => c.count > perPage);
  const bins: { channels: string[]; count: number }[] = [];
  const small = counts.filter((c) => c.count > 0 && c.count <= perPage).sort((a, b) => b.count - a.count || order.get(a.channel)! - order.get(b.channel)!);
  for (const item of small) {
    const bin = bins.find((b) => b.count + item.count <= perPage);
    if (bin) {
      bin.channels.push(item.channel);
      bin.count += item.count;
    } else bins.push({ channels: [item.channel], count: item.count });
  }
  for (const b of bins) b.channels.sort((x, y) => order.get(x)! - order.get(y)!);
  bins.sort((x, y) => order.get(x.channels[0]!)! - order.get(y.channels[0]!)!);
  return { groups: bins, big };
}
