import { daysBetween } from '../../core/dates.js';
import type { DryRunPlan, DryRunSpec, PlanContext, PlannedWindow } from '../types.js';
import type { MbuzzDataset } from './api.js';
import type { Traits } from './run.js';
import { CHANNELS } from './channels.js';
import { FILL } from './rectangles.js';

// --dry-run for mbuzz's datasets: the same windows a run plans (plan.ts's splitParts and planRuns,
// from the range's total), each counted by a one-row request (per_page=1 answers total_count and
// one row), so the plan has the rows per window without reading them. The run's requests follow:
// a window that fits a page is one request (none when the range's first page holds it); a bigger
// one is read with its edges repaired or cut further while the run reads it, estimated here.

export function mbuzzDryRun(dataset: MbuzzDataset, traits: Traits): DryRunSpec {
  return {
    knows: 'the windows a run reads and the rows in each, from the API\'s counts: one one-row request (per_page=1) for the range, and one per window when there are several',
    plan: (ctx) => planMbuzz(ctx, dataset, traits),
  };
}

/** The API's largest page (per_page 1..1000): the widest probe of a page edge. */
const MAX_PROBE_ROWS = 1000;

/** How many leading windows the part's first page holds whole: those ending before its last row. */
function heldByFirstPage(totals: readonly number[], pageRows: number, sortedByDay: boolean): number {
  if (!sortedByDay) return 0;
  let cum = 0;
  let held = 0;
  for (const t of totals) {
    cum += t;
    if (cum >= pageRows) break;
    held++;
  }
  return held;
}

async function planMbuzz(ctx: PlanContext, dataset: MbuzzDataset, traits: Traits): Promise<DryRunPlan> {
  // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
  const [{ fetchPage }, { planRuns, splitParts, SPLIT_ABOVE_PAGES }] = await Promise.all([import('./api.js'), import('./plan.js')]);
  const { options, client } = ctx;
  const apiKey = options.credentials.apiKey!;
  const funnel = traits.funnelClientSide ? undefined : options.funnel;
  const count = async (from: string, to: string): Promise<number> =>
    (await fetchPage(client, options.baseUrl, apiKey, { dataset, from, to, channels: options.channels, funnel, page: 1, perPage: 1 })).meta.total_count;
  const perPage = options.perPage;
  const windows: PlannedWindow[] = [];
  let requests = 0;
  let over = 0;
  let channelCounts = 0;
  for (const part of splitParts(options.from, options.to, options.today)) {
    const total = await count(part.from, part.to);
    const runs = planRuns(part, total, perPage);
    // Counted concurrently: the client holds them to --concurrency in flight, as it does the run's reads.
    const totals = runs.length === 1 ? [total] : await Promise.all(runs.map((r) => count(r.from, r.to)));
    // The run's first request is the range's first page: the read of its window when there is
    // only one, and of the leading windows it holds whole (plan.ts insideProbe: the server sorts by
    // day first, so a window that ends before the page's last row is all in it).
    requests += 1;
    // (one window bigger than a page, a single day, is read like any other big window)
    const held = total <= perPage ? runs.length : heldByFirstPage(totals, perPage, !part.open && options.dataset.dateColumn !== undefined);
    // a lone window's first page is the part's, counted above
    const firstPage = runs.length === 1 ? 0 : 1;
    let splitDay = false;
    runs.forEach((r, i) => {
      const rows = totals[i]!;
      windows.push({ from: r.from, to: r.to, rows, ...(part.open && { open: true }) });
      if (i < held) return;
      if (rows <= perPage) {
        requests += 1;
        return;
      }
      over += 1;
      const pages = Math.ceil(rows / perPage);
      const oneDay = daysBetween(r.from, r.to) === 1;
      if (oneDay && (pages <= SPLIT_ABOVE_PAGES || !traits.partitionByChannel)) {
        // read whole, its page edges repaired: page 1, then probes of up to the API's 1000 rows
        // that hold each edge (the last running to the end); at least enough of them for the rest
        requests += firstPage + Math.ceil((rows - perPage) / MAX_PROBE_ROWS);
        return;
      }
      // cut into runs of days (or, for one day, channel groups) expected to fill 85% of a page,
      // after the page (or the one-row count) that says how big it is
      requests += firstPage + Math.ceil(rows / (FILL * perPage));
      if (traits.partitionByChannel && oneDay) splitDay = true;
    });
    // a day split by channel first counts each channel over the part, once
    if (splitDay) channelCounts += (options.channels ?? CHANNELS).length;
  }
  requests += channelCounts;
  const rows = windows.reduce((n, w) => n + (w.rows ?? 0), 0);
  const notes: string[] = [];
  if (traits.funnelClientSide && options.funnel !== undefined) {
    notes.push(`the API ignores funnel on ${dataset}: the rows counted are all funnels'; --funnel ${options.funnel} is applied after they are read, so fewer are written`);
  }
  return {
    basis: `windows and rows from the API's counts: one-row requests (per_page=1), one for the range${windows.length > 1 ? ' and one per window' : ''}`,
    windows,
    rows,
    requests: {
      count: requests,
      exact: over === 0,
      ...(over > 0 && { note: `${over} window${over === 1 ? ' holds' : 's hold'} more than a page (${perPage}); the run cuts ${over === 1 ? 'it' : 'them'} further as it reads, and rows that move across page edges are read again, so this is a lower bound` }),
    },
    concurrency: options.concurrency,
    notes,
  };
}
