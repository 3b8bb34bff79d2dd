import { addDays, daysBetween } from '../../dates.js';

// Planning windows from totals, before any row is read: which (days x channels) rectangles to ask
// for so each fits one page and the number of requests stays near rows / page size. Pure, so a
// plan can be unit-tested and recomputed identically on resume.
//
// Days always partition a range exactly. Channels partition it too where every row has exactly
// one channel (conversions, spend); then a block of days can be covered by a few channel groups
// whose expected counts fill a page, estimated from the channel mix of a sample of rows.

export interface Rect {
  from: string;
  to: string;
  /** Channels to ask for; undefined = the user's filter as is (no split by channel). */
  channels?: readonly string[];
}

export interface PlanInput {
  from: string;
  to: string;
  /** total_count of the whole range. */
  total: number;
  perPage: number;
  /** Channels the export covers, in canonical order (the user's filter, or all 12). */
  channels: readonly string[];
  /** Channel of each row in a sample of the range, for the mix; empty when unknown. */
  sample: readonly string[];
  /** Whether channel is an exact partition of the rows. */
  partitionByChannel: boolean;
}

/** Share of a page a planned window aims at: room for day-to-day and sampling error. */
export const FILL = 0.85;
/** Longest block of days covered by one set of channel groups: keeps rows roughly in date order. */
export const MAX_BLOCK_DAYS = 7;

export function planRects(input: PlanInput): Rect[] {
  const byDays = planByDays(input);
  if (!input.partitionByChannel || input.channels.length < 2) return byDays;
  const byChannels = planByChannelGroups(input);
  return expectedRequests(byChannels, input) < expectedRequests(byDays, input) ? byChannels : byDays;
}

/** A rectangle expected to overflow a page is halved until it fits: about two requests a part. */
function expectedRequests(rects: readonly Rect[], input: PlanInput): number {
  const avg = input.total / daysBetween(input.from, input.to);
  const share = channelShares(input.channels, input.sample);
  const cap = FILL * input.perPage;
  let n = 0;
  for (const r of rects) {
    const part = r.channels ? r.channels.reduce((s, c) => s + (share.get(c) ?? 0), 0) : 1;
    const rows = avg * daysBetween(r.from, r.to) * part;
    n += rows <= input.perPage ? 1 : 2 * Math.ceil(rows / cap);
  }
  return n;
}

/** Runs of whole days expected to fit one page (a day bigger than a page is its own run). */
function planByDays(input: PlanInput): Rect[] {
  const days = daysBetween(input.from, input.to);
  const avg = input.total / days;
  const perRun = Math.max(1, Math.floor((FILL * input.perPage) / Math.max(avg, 1e-9)));
  const out: Rect[] = [];
  for (let d = 0; d < days; d += perRun) out.push({ from: addDays(input.from, d), to: addDays(input.from, Math.min(days, d + perRun) - 1) });
  return out;
}

function planByChannelGroups(input: PlanInput): Rect[] {
  const days = daysBetween(input.from, input.to);
  const avg = input.total / days;
  const cap = FILL * input.perPage;
  const blockDays = Math.max(1, Math.min(MAX_BLOCK_DAYS, days, Math.round((6 * cap) / Math.max(avg, 1e-9))));
  const share = channelShares(input.channels, input.sample);
  const out: Rect[] = [];
  for (let d = 0; d < days; d += blockDays) {
    const from = addDays(input.from, d);
    const len = Math.min(blockDays, days - d);
    out.push(...coverBlock(from, len, avg * len, input.channels, share, cap));
  }
  return out;
}

/** Channel groups for one block, plus day slices for channels too big to share a page. */
function coverBlock(from: string, len: number, expected: number, channels: readonly string[], share: Map<string, number>, cap: number): Rect[] {
  const to = addDays(from, len - 1);
  if (expected <= cap) return [{ from, to }];
  const small: { channel: string; weight: number }[] = [];
  const slices: Rect[] = [];
  for (const channel of channels) {
    const weight = (share.get(channel) ?? 0) * expected;
    const pieces = Math.min(len, Math.ceil(weight / cap));
    if (pieces <= 1) {
      small.push({ channel, weight });
      continue;
    }
    for (let i = 0; i < pieces; i++) {
      const a = Math.floor((i * len) / pieces);
      const b = Math.floor(((i + 1) * len) / pieces);
      slices.push({ from: addDays(from, a), to: addDays(from, b - 1), channels: [channel] });
    }
  }
  // first-fit decreasing; then each group in canonical channel order, groups by first channel
  const bins: { channels: string[]; weight: number }[] = [];
  for (const item of [...small].sort((x, y) => y.weight - x.weight || channels.indexOf(x.channel) - channels.indexOf(y.channel))) {
    const bin = bins.find((b) => b.weight + item.weight <= cap);
    if (bin) {
      bin.channels.push(item.channel);
      bin.weight += item.weight;
    } else bins.push({ channels: [item.channel], weight: item.weight });
  }
  const order = (c: string) => channels.indexOf(c);
  const groups: Rect[] = bins.map((b) => ({ from, to, channels: b.channels.sort((x, y) => order(x) - order(y)) }));
  groups.sort((x, y) => order(x.channels![0]!) - order(y.channels![0]!));
  return [...groups, ...slices];
}

/** Share of each channel in the sample, smoothed so an unseen channel still gets a little. */
export function channelShares(channels: readonly string[], sample: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(channels.map((c) => [c, 0.5]));
  for (const c of sample) if (counts.has(c)) counts.set(c, counts.get(c)! + 1);
  const sum = [...counts.values()].reduce((a, b) => a + b, 0);
  return new Map([...counts].map(([c, n]) => [c, n / sum]));
}

/**
 * Parts for a rectangle that turned out to hold `total` rows, more than a page: its channels
 * re-packed into groups using the real total, or its days sliced; undefined when it is a single
 * channel-day (then only the page-edge repair is left). Halving is the fallback when re-packing
 * cannot make smaller parts.
 */
export function replanRect(rect: Rect, total: number, allChannels: readonly string[], share: Map<string, number>, perPage: number, partitionByChannel: boolean): Rect[] | undefined {
  const channels = rect.channels ?? (partitionByChannel ? allChannels : undefined);
  const days = daysBetween(rect.from, rect.to);
  const cap = FILL * perPage;
  if (channels && channels.length > 1) {
    const inside = channels.reduce((s, c) => s + (share.get(c) ?? 0), 0);
    const local = new Map(channels.map((c) => [c, (share.get(c) ?? 0) / inside]));
    const parts = coverBlock(rect.from, days, total, channels, local, cap);
    if (parts.length > 1 && parts.every((p) => p.channels)) return parts;
  } else if (days > 1) {
    const pieces = Math.min(days, Math.ceil(total / cap));
    const out: Rect[] = [];
    for (let i = 0; i < pieces; i++) {
      const a = Math.floor((i * days) / pieces);
      const b = Math.floor(((i + 1) * days) / pieces);
      out.push({ ...rect, from: addDays(rect.from, a), to: addDays(rect.from, b - 1) });
    }
    return out;
  }
  const halves = splitRect(channels && !rect.channels ? { ...rect, channels } : rect, share);
  return halves ? [...halves] : undefined;
}

/** Halves a rectangle that turned out bigger than a page: channels by weight first, then days. */
export function splitRect(rect: Rect, share: Map<string, number>): [Rect, Rect] | undefined {
  const channels = rect.channels;
  if (channels && channels.length > 1) {
    const total = channels.reduce((s, c) => s + (share.get(c) ?? 0), 0);
    let acc = 0;
    let cut = 1;
    for (let i = 0; i < channels.length - 1; i++) {
      acc += share.get(channels[i]!) ?? 0;
      cut = i + 1;
      if (acc >= total / 2) break;
    }
    return [
      { ...rect, channels: channels.slice(0, cut) },
      { ...rect, channels: channels.slice(cut) },
    ];
  }
  const days = daysBetween(rect.from, rect.to);
  if (days < 2) return undefined;
  const mid = addDays(rect.from, Math.floor(days / 2) - 1);
  return [
    { ...rect, to: mid },
    { ...rect, from: addDays(mid, 1) },
  ];
}
