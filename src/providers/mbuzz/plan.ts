import type { Row } from '../../schema/types.js';
import { addDays, daysBetween } from '../../dates.js';
import { orderedMerge } from '../../paginate/ordered-merge.js';
import type { ExportObserver } from '../types.js';
import type { MbuzzPage } from './api.js';
import { readWindow, windowLabel, type PageFetcher, type Window, type WindowReadOptions } from './window.js';

// Planning from totals: every request asks for a full page, so a window that fits one page is
// read by the same request that counts it. The whole range is asked first (one request when it
// is small); otherwise it is cut into runs of days expected to fit one page, and a run that turns
// out bigger is halved until it fits or is a single day, which readWindow then reads exactly.

/** Aim windows at this share of a page, so day-to-day variation rarely overflows one. */
const FILL = 0.8;

export interface PlanOptions extends Omit<WindowReadOptions, 'dataset'> {
  dataset: WindowReadOptions['dataset'];
  from: string;
  to: string;
  concurrency: number;
  /** Rows that windows ahead of the one being written may hold before they pause. */
  maxBufferedRows: number;
}

export async function* readRangeExactly(fetch: PageFetcher, opts: PlanOptions, observer: ExportObserver): AsyncGenerator<Row[]> {
  const whole: Window = { from: opts.from, to: opts.to };
  const first = await fetchFirst(fetch, opts, whole);
  const total = first.meta.total_count;
  if (total <= opts.perPage || opts.from === opts.to) {
    observer.plan(1);
    yield* countWindow(readRange(fetch, opts, whole, first), opts.dataset, whole, observer);
    return;
  }
  const days = daysBetween(opts.from, opts.to);
  const perWindow = Math.max(1, Math.min(days, Math.floor((FILL * opts.perPage * days) / total)));
  const windows: Window[] = [];
  for (let d = 0; d < days; d += perWindow) {
    windows.push({ from: addDays(opts.from, d), to: addDays(opts.from, Math.min(days, d + perWindow) - 1) });
  }
  observer.plan(windows.length);
  yield* orderedMerge(
    windows.map((w) => () => countWindow(readRange(fetch, opts, w), opts.dataset, w, observer)),
    { lookahead: Math.max(2, opts.concurrency * 2), maxBufferedItems: opts.maxBufferedRows },
  );
}

/** A range: one request if it fits a page, halves if not, readWindow for a single big day. */
async function* readRange(fetch: PageFetcher, opts: PlanOptions, w: Window, known?: MbuzzPage): AsyncGenerator<Row[]> {
  const first = known ?? (await fetchFirst(fetch, opts, w));
  if (first.meta.total_count > opts.perPage && w.from !== w.to) {
    const half = Math.floor(daysBetween(w.from, w.to) / 2);
    const mid = addDays(w.from, half - 1);
    yield* readRange(fetch, opts, { from: w.from, to: mid });
    yield* readRange(fetch, opts, { from: addDays(mid, 1), to: w.to });
    return;
  }
  yield* readWindow(fetch, w, opts, first);
}

function fetchFirst(fetch: PageFetcher, opts: PlanOptions, w: Window): Promise<MbuzzPage> {
  return fetch({ dataset: opts.dataset, from: w.from, to: w.to, channels: opts.channels, funnel: opts.funnel, page: 1, perPage: opts.perPage });
}

async function* countWindow(rows: AsyncIterable<Row[]>, dataset: string, w: Window, observer: ExportObserver): AsyncGenerator<Row[]> {
  let n = 0;
  for await (const batch of rows) {
    n += batch.length;
    yield batch;
  }
  observer.windowDone(windowLabel(dataset, w), n);
}
