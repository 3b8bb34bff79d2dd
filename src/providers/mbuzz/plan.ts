import { IntegrityError } from '../../cli/errors.js';
import type { Row } from '../../schema/types.js';
import { addDays } from '../../dates.js';
import { orderedMerge } from '../../paginate/ordered-merge.js';
import type { ExportObserver } from '../types.js';
import type { MbuzzPage, MbuzzQuery } from './api.js';
import { CHANNELS } from './channels.js';
import { channelShares, planRects, replanRect, type Rect } from './rectangles.js';
import { checkSinglePage, readQuery, windowLabel, type PageFetcher } from './window.js';

// Reads a date range exactly once. The whole range is asked for first: when it fits one page that
// single query is the export. Otherwise rectangles of days (x channel groups) are planned from its
// total and channel mix, fetched concurrently and written in plan order; one that overflows a page
// is halved, and a single day (and channel) still over a page has its page edges repaired. The
// leaves' totals must add up to the range's: days, and channels where they partition, are exact.

export interface PlanOptions {
  dataset: MbuzzQuery['dataset'];
  from: string;
  to: string;
  /** UTC today: a range reaching it is split so the still-changing day is read on its own. */
  today: string;
  /** The user's channel filter; undefined = all. */
  channels?: readonly string[];
  funnel?: string;
  perPage: number;
  partitionByChannel: boolean;
  concurrency: number;
  /** Rows that windows ahead of the one being written may hold before they pause. */
  maxBufferedRows: number;
}

/** Rows at the end of a first page whose place may differ between queries (ties): not sampled. */
const SAMPLE_TAIL = 50;

export async function* readRangeExactly(fetch: PageFetcher, opts: PlanOptions, observer: ExportObserver): AsyncGenerator<Row[]> {
  const parts: { from: string; to: string; open: boolean }[] = [];
  if (opts.from < opts.today) parts.push({ from: opts.from, to: opts.to < opts.today ? opts.to : addDays(opts.today, -1), open: false });
  if (opts.to >= opts.today) parts.push({ from: opts.from > opts.today ? opts.from : opts.today, to: opts.to, open: true });
  for (const part of parts) {
    if (part.open) observer.note(`${part.from === part.to ? part.from : `${part.from}..${part.to}`} is today or later (UTC): its rows may still change`);
    yield* readPart(fetch, opts, part, observer);
  }
}

async function* readPart(fetch: PageFetcher, opts: PlanOptions, part: { from: string; to: string; open: boolean }, observer: ExportObserver): AsyncGenerator<Row[]> {
  const base = { dataset: opts.dataset, funnel: opts.funnel };
  const probe = await fetch({ ...base, from: part.from, to: part.to, channels: opts.channels, page: 1, perPage: opts.perPage });
  const total = probe.meta.total_count;
  const whole: Rect = { from: part.from, to: part.to };
  const channels = opts.channels ?? CHANNELS;
  const sample = probe.rows.slice(0, Math.max(0, probe.rows.length - SAMPLE_TAIL)).map((r) => String(r.channel));
  const share = channelShares(channels, sample);
  const rects =
    total <= opts.perPage
      ? [whole]
      : planRects({ from: part.from, to: part.to, total, perPage: opts.perPage, channels, sample, partitionByChannel: opts.partitionByChannel });
  observer.plan(rects.length);
  let leafTotal = 0;

  const readRect = async function* (rect: Rect, known?: MbuzzPage): AsyncGenerator<Row[]> {
    const q = { ...base, from: rect.from, to: rect.to, channels: rect.channels ?? opts.channels };
    const label = windowLabel(opts.dataset, rect.from, rect.to, rect.channels);
    const first = known ?? (await fetch({ ...q, page: 1, perPage: opts.perPage }));
    const t = first.meta.total_count;
    if (t > opts.perPage) {
      const parts = replanRect(rect, t, channels, share, opts.perPage, opts.partitionByChannel);
      if (parts) {
        for (const p of parts) yield* readRect(p);
        return;
      }
    }
    leafTotal += t;
    yield* t <= opts.perPage ? [checkSinglePage(first, label, opts.perPage)] : readQuery(fetch, q, first, opts.perPage, label);
  };

  const counted = (rect: Rect, known?: MbuzzPage) =>
    async function* (): AsyncGenerator<Row[]> {
      let n = 0;
      for await (const batch of readRect(rect, known)) {
        n += batch.length;
        yield batch;
      }
      observer.windowDone(windowLabel(opts.dataset, rect.from, rect.to, rect.channels), n);
    };
  const reuseProbe = rects.length === 1 && rects[0] === whole ? probe : undefined;
  yield* orderedMerge(
    rects.map((r) => counted(r, reuseProbe)),
    { lookahead: opts.concurrency + 1, maxBufferedItems: opts.maxBufferedRows },
  );
  if (leafTotal !== total && !part.open) {
    const what = opts.partitionByChannel ? 'the parts (by day and channel)' : 'the days';
    throw new IntegrityError(
      `${windowLabel(opts.dataset, part.from, part.to)}: ${what} hold ${leafTotal} rows but the API counts ${total} for the range (rows outside the known channels, or data changed during the export)`,
    );
  }
}
