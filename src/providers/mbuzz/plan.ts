import { IntegrityError } from '../../core/errors.js';
import type { Row } from '../../core/columns.js';
import { addDays, daysBetween, parseIsoDate } from '../../core/dates.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import { lookahead, orderedMerge } from '../../paginate/ordered-merge.js';
import type { ExportObserver } from '../types.js';
import type { MbuzzPage, MbuzzQuery } from './api.js';
import { CHANNELS } from './channels.js';
import { FILL, packChannels, planDays, sliceDays, type Rect } from './rectangles.js';
import { checkSinglePage, readQuery, windowLabel, type PageFetcher } from './window.js';

// Reads a date range exactly once. The whole range is asked for first: when it fits one page that
// single query is the export, and the runs of days that lie wholly inside it need no request of
// their own. Otherwise the range is cut into runs of days expected to fit a page, read
// concurrently and written in order. A run that overflows is sliced; a day of up to three pages is
// read as it is, its page edges repaired (with a probe that runs to its end for the last); a bigger day
// is split by channel (groups that fill a page, from the part's channel mix and the day's exact
// total), and whatever is still over a page (one channel on one day, or a funnel day) has its
// page edges repaired. The leaves' totals must add up to the range's and each split day's, since
// days and channels are exact partitions. docs/benchmarks.md counts the requests this costs.

export interface PlanOptions {
  dataset: MbuzzQuery['dataset'];
  from: string;
  to: string;
  /** UTC today: a range reaching it is split so the still-changing days are read on their own. */
  today: string;
  /** The user's channel filter; undefined = all. */
  channels?: readonly string[];
  funnel?: string;
  perPage: number;
  partitionByChannel: boolean;
  concurrency: number;
  /** Resume: the API totals of the windows already written, in window order (they are skipped). */
  skipped?: readonly number[];
  /** The column holding each row's day (YYYY-MM-DD), by which the server sorts first. */
  dateColumn?: string;
}

export interface Part {
  from: string;
  to: string;
  /** Today or later: read on its own, its total not held to its parts'. */
  open: boolean;
}

/** The range's complete days and its still-changing ones (today or later), each planned on its own. */
export function splitParts(from: string, to: string, today: string): Part[] {
  const parts: Part[] = [];
  if (from < today) parts.push({ from, to: to < today ? to : addDays(today, -1), open: false });
  if (to >= today) parts.push({ from: from > today ? from : today, to, open: true });
  return parts;
}

/** The windows of a part from its total: the whole part when it fits a page, else runs of days (the dry run plans with this too). */
export function planRuns(part: Pick<Part, 'from' | 'to'>, total: number, perPage: number): Rect[] {
  return total <= perPage ? [{ from: part.from, to: part.to }] : planDays(part.from, part.to, total, perPage);
}

/**
 * A day is split by channel only when it needs more than this many pages. Up to three, reading it
 * whole costs no more requests than its channel groups would (two pages: page 1 and a probe that
 * runs to the end; three: pages 1 and 2, a probe at each edge, the last one running to the end),
 * fetches fewer rows than a split after a wasted page 1, and needs no channel counts.
 */
export const SPLIT_ABOVE_PAGES = 3;


export async function* readRangeExactly(fetch: PageFetcher, opts: PlanOptions, observer: ExportObserver): AsyncGenerator<WindowRows> {
  const parts = splitParts(opts.from, opts.to, opts.today);
  let index = 0;
  for (const part of parts) {
    if (part.open) observer.note(`${part.from === part.to ? part.from : `${part.from}..${part.to}`} is today or later (UTC): its rows may still change`);
    const reader = new PartReader(fetch, opts, observer, part, index);
    yield* reader.read();
    index += reader.windows;
  }
}

class PartReader {
  private leafTotal = 0;
  private avgPerDay = 0;
  private readonly channels: readonly string[];
  /** Windows this part planned. */
  windows = 0;

  constructor(
    private readonly fetch: PageFetcher,
    private readonly opts: PlanOptions,
    private readonly observer: ExportObserver,
    private readonly part: Part,
    private readonly firstIndex: number,
  ) {
    this.channels = opts.channels ?? CHANNELS;
  }

  async *read(): AsyncGenerator<WindowRows> {
    const { part, opts } = this;
    const whole: Rect = { from: part.from, to: part.to };
    const probe = await this.page(whole);
    const total = probe.meta.total_count;
    this.avgPerDay = total / daysBetween(part.from, part.to);
    const runs = planRuns(whole, total, opts.perPage);
    this.windows = runs.length;
    this.observer.plan(runs.length);
    this.observer.expect?.(total);
    const known = runs.length === 1 ? [probe] : this.insideProbe(runs, probe);
    // Resume: the first windows are already in the output; their totals came with the checkpoint.
    const skipped = (opts.skipped ?? []).slice(this.firstIndex, this.firstIndex + runs.length);
    const skip = skipped.length;
    for (const received of skipped) this.leafTotal += received;
    yield* orderedMerge(
      runs.slice(skip).map((r, i) => () => this.counted(r, skip + i, known[skip + i])),
      lookahead(opts.concurrency),
    );
    if (this.leafTotal !== total && !part.open) {
      throw new IntegrityError(
        `${windowLabel(opts.dataset, part.from, part.to)}: its parts hold ${this.leafTotal} rows but the API counts ${total} for the range (rows outside the known channels, or data changed during the export)`,
      );
    }
  }

  /**
   * The leading runs whose rows the whole-range probe already holds: the server sorts by time
   * first, so when the probe reaches past a run's last day, that run's rows are exactly the
   * probe's rows dated up to that day, and the run needs no request. Their answers, by run.
   */
  private insideProbe(runs: readonly Rect[], probe: MbuzzPage): (MbuzzPage | undefined)[] {
    const column = this.opts.dateColumn;
    const out: (MbuzzPage | undefined)[] = [];
    // today's rows are still changing, and the range check below is skipped for them
    if (column === undefined || this.part.open) return out;
    const dates = probe.rows.map((r) => r[column]);
    // Only a probe whose rows are calendar days of the part, in order: a row dated wrong would
    // otherwise pass for the end of a run. Anything else is left for the pipeline's checks.
    const { from, to } = this.part;
    const valid = (d: unknown): d is string => typeof d === 'string' && parseIsoDate(d) === d && d >= from && d <= to;
    if (!dates.every((d, i) => valid(d) && (i === 0 || (dates[i - 1] as string) <= d))) return out;
    let at = 0;
    for (const run of runs) {
      let end = at;
      while (end < dates.length && (dates[end] as string) <= run.to) end++;
      if (end === dates.length) break; // the run may go on past the probe
      const rows = probe.rows.slice(at, end);
      out.push({ rows, meta: { total_count: rows.length, page: 1, per_page: this.opts.perPage, total_pages: rows.length ? 1 : 0 } });
      at = end;
    }
    return out;
  }

  private async *counted(rect: Rect, i: number, known?: MbuzzPage): AsyncGenerator<WindowRows> {
    const window = { from: rect.from, to: rect.to, index: this.firstIndex + i };
    const acc = { received: 0 };
    let n = 0;
    for await (const batch of this.readRect(rect, acc, known)) {
      n += batch.length;
      if (batch.length > 0) yield inWindow(window, batch);
    }
    const info = { index: window.index, from: rect.from, to: rect.to, received: acc.received, open: this.part.open };
    this.observer.windowDone(windowLabel(this.opts.dataset, rect.from, rect.to), n, info);
  }

  private page(rect: Rect, perPage = this.opts.perPage): Promise<MbuzzPage> {
    const { opts } = this;
    return this.fetch({ dataset: opts.dataset, from: rect.from, to: rect.to, channels: rect.channels ?? opts.channels, funnel: opts.funnel, page: 1, perPage });
  }

  /** A single day whose rows the channels partition (and the user did not narrow to one). */
  private splitsByChannel(rect: Rect): boolean {
    return this.opts.partitionByChannel && !rect.channels && this.channels.length > 1 && rect.from === rect.to;
  }

  private async *readRect(rect: Rect, acc: { received: number }, known?: MbuzzPage): AsyncGenerator<Row[]> {
    const { opts } = this;
    const split = SPLIT_ABOVE_PAGES * opts.perPage;
    const splitsByChannel = this.splitsByChannel(rect);
    // A day expected to be split goes straight to its channels: its first page would be wasted.
    if (!known && splitsByChannel && this.expectedRows(rect) > split) {
      yield* this.readByChannel(rect, acc);
      return;
    }
    const first = known ?? (await this.page(rect));
    const t = first.meta.total_count;
    if (t > opts.perPage) {
      const slices = sliceDays(rect, t, opts.perPage);
      if (slices) {
        for (const s of slices) yield* this.readRect(s, acc);
        return;
      }
      // the page just read says how big the day is: no count of its own
      if (splitsByChannel && t > split) {
        yield* this.readByChannel(rect, acc, t);
        return;
      }
    }
    yield* this.leaf(rect, first, acc);
  }

  /**
   * A day too big for three pages, split by channel. Each channel's share comes from exact counts
   * over the whole part (asked once, one-row pages in parallel); the day's own total is the one
   * its first page gave, or else a one-row page; channels are packed into groups expected to fill
   * 85% of a page, and each group is read exactly (one page, or with its edges repaired if it
   * overflows after all). The groups' totals must add up to the day's.
   */
  private async *readByChannel(day: Rect, acc: { received: number }, knownTotal?: number): AsyncGenerator<Row[]> {
    const [shares, dayTotal] = await Promise.all([this.channelShares(), knownTotal ?? this.page(day, 1).then((p) => p.meta.total_count)]);
    const estimates = this.channels.map((channel) => ({ channel, count: (shares.get(channel) ?? 0) * dayTotal }));
    const { groups, big } = packChannels(estimates, FILL * this.opts.perPage);
    // A channel with no rows in the part still belongs to some query, so the parts stay a partition.
    const unseen = this.channels.filter((c) => !(shares.get(c) ?? 0));
    if (unseen.length) {
      const smallest = groups.reduce<(typeof groups)[number] | undefined>((m, g) => (!m || g.count < m.count ? g : m), undefined);
      if (smallest) smallest.channels = [...smallest.channels, ...unseen].sort((a, b) => this.channels.indexOf(a) - this.channels.indexOf(b));
      else groups.push({ channels: unseen, count: 0 });
    }
    let sum = 0;
    // One group at a time: the windows ahead already keep the requests in flight busy, and the
    // client serves requests in the order asked, so a group asked early would only delay the
    // window being written.
    for (const channels of [...groups.map((g) => g.channels), ...big.map((b) => [b.channel])]) {
      const rect = { ...day, channels };
      const first = await this.page(rect);
      sum += first.meta.total_count;
      yield* this.leaf(rect, first, acc);
    }
    if (sum !== dayTotal) {
      throw new IntegrityError(`${windowLabel(this.opts.dataset, day.from, day.to)}: its channels hold ${sum} rows but the API counts ${dayTotal} for the day (rows outside the known channels, or data changed during the export)`);
    }
  }

  private shares: Promise<Map<string, number>> | undefined;

  /** Each channel's share of the part's rows: exact counts over the whole part, asked once. */
  private channelShares(): Promise<Map<string, number>> {
    this.shares ??= (async () => {
      const whole = { from: this.part.from, to: this.part.to };
      const counts = await Promise.all(this.channels.map(async (c) => [c, (await this.page({ ...whole, channels: [c] }, 1)).meta.total_count] as const));
      const total = counts.reduce((n, [, k]) => n + k, 0);
      return new Map(counts.map(([c, k]) => [c, total > 0 ? k / total : 0]));
    })();
    return this.shares;
  }

  private leaf(rect: Rect, first: MbuzzPage, acc: { received: number }): AsyncIterable<Row[]> | Row[][] {
    const { opts } = this;
    this.leafTotal += first.meta.total_count;
    acc.received += first.meta.total_count;
    const label = windowLabel(opts.dataset, rect.from, rect.to, rect.channels);
    const q = { dataset: opts.dataset, from: rect.from, to: rect.to, channels: rect.channels ?? opts.channels, funnel: opts.funnel };
    return first.meta.total_count <= opts.perPage ? [checkSinglePage(first, label, opts.perPage)] : readQuery(this.fetch, q, first, opts.perPage, label);
  }

  /** What planDays assumed for the rect: the range's average per day times its days. */
  private expectedRows(rect: Rect): number {
    return this.avgPerDay * daysBetween(rect.from, rect.to);
  }
}
