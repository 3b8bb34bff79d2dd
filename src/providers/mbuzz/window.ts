import { IntegrityError } from '../../cli/errors.js';
import type { Row } from '../../schema/types.js';
import { readAcrossUnstableEdges } from '../../paginate/unstable-edges.js';
import type { MbuzzPage, MbuzzQuery } from './api.js';
import { CHANNELS } from './channels.js';

// Reads one date window exactly once. A window that fits one page is one query, and one query is
// exact. A bigger one is split by channel where channel partitions the rows (every conversions
// credit and spend record has exactly one of the 12 channels), checked by the parts' totals adding
// up; what still spans pages is read with page edges repaired.

export interface Window {
  from: string;
  to: string;
}

export interface WindowReadOptions {
  dataset: MbuzzQuery['dataset'];
  channels?: readonly string[];
  funnel?: string;
  perPage: number;
  /** Whether channel is an exact partition of this dataset's rows. */
  partitionByChannel: boolean;
}

export type PageFetcher = (q: MbuzzQuery) => Promise<MbuzzPage>;

export function windowLabel(dataset: string, w: Window, channel?: string): string {
  const days = w.from === w.to ? w.from : `${w.from}..${w.to}`;
  return `${dataset} ${days}${channel ? ` channel=${channel}` : ''}`;
}

export async function* readWindow(fetch: PageFetcher, w: Window, opts: WindowReadOptions, known?: MbuzzPage): AsyncGenerator<Row[]> {
  const base = { dataset: opts.dataset, from: w.from, to: w.to, funnel: opts.funnel };
  const first = known ?? (await fetch({ ...base, channels: opts.channels, page: 1, perPage: opts.perPage }));
  const total = first.meta.total_count;
  const label = windowLabel(opts.dataset, w);
  if (total <= opts.perPage) {
    yield checkSinglePage(first, label, opts.perPage);
    return;
  }
  const parts = opts.partitionByChannel ? (opts.channels ?? CHANNELS) : [];
  if (parts.length > 1) {
    // Parallel: the client's limiter keeps it within --concurrency.
    const firsts = await Promise.all(parts.map((c) => fetch({ ...base, channels: [c], page: 1, perPage: opts.perPage })));
    const sum = firsts.reduce((n, p) => n + p.meta.total_count, 0);
    if (sum === total) {
      for (let i = 0; i < parts.length; i++) {
        const channel = parts[i]!;
        yield* readQuery(fetch, { ...base, channels: [channel] }, firsts[i]!, opts.perPage, windowLabel(opts.dataset, w, channel));
      }
      return;
    }
    // Not a partition after all (a channel outside the 12?): fall through to repairing edges.
  }
  yield* readQuery(fetch, { ...base, channels: opts.channels }, first, opts.perPage, label);
}

async function* readQuery(
  fetch: PageFetcher,
  q: Omit<MbuzzQuery, 'page' | 'perPage'>,
  first: MbuzzPage,
  perPage: number,
  label: string,
): AsyncGenerator<Row[]> {
  const total = first.meta.total_count;
  if (total <= perPage) {
    yield checkSinglePage(first, label, perPage);
    return;
  }
  const read = async (page: number, size: number): Promise<Row[]> => {
    const p = await fetch({ ...q, page, perPage: size });
    if (p.meta.total_count !== total) {
      throw new IntegrityError(`${label}: total_count changed from ${total} to ${p.meta.total_count} while paging (data changed during the export; re-run it)`);
    }
    if (p.rows.length > size) throw new IntegrityError(`${label}: page ${page} has ${p.rows.length} rows, more than per_page ${size}`);
    return p.rows;
  };
  yield* readAcrossUnstableEdges(read, first.rows, { total, perPage, label });
}

function checkSinglePage(page: MbuzzPage, label: string, perPage: number): Row[] {
  const { rows, meta } = page;
  if (rows.length > perPage) throw new IntegrityError(`${label}: page 1 has ${rows.length} rows, more than per_page ${perPage}`);
  if (rows.length !== meta.total_count) {
    throw new IntegrityError(`${label}: the API said ${meta.total_count} rows and sent ${rows.length}`);
  }
  return rows;
}
