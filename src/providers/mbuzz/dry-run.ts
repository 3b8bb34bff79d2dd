import { daysBetween } from '../../core/dates.js';
import type { DryRunPlan, DryRunSpec, PlanContext, PlannedWindow } from '../types.js';
import { fetchPage, type MbuzzDataset } from './api.js';
import { CHANNELS } from './channels.js';
import { planRuns, splitParts } from './plan.js';
import { FILL } from './rectangles.js';

// --dry-run for mbuzz's datasets: the same windows a run plans (plan.ts's splitParts and planRuns,
// from the range's total), each counted by a one-row request (per_page=1 answers total_count and
// one row), so the plan has the rows per window without reading them. The run's requests follow:
// a window that fits a page is one request (the range's first page is also its only window's
// read); a bigger one is cut further while the run reads it, which is estimated here.

export interface MbuzzPlanTraits {
  partitionByChannel: boolean;
  funnelClientSide: boolean;
}

export function mbuzzDryRun(dataset: MbuzzDataset, traits: MbuzzPlanTraits): DryRunSpec {
  return {
    knows: 'the windows a run reads and the rows in each, from the API\'s counts: one one-row request (per_page=1) for the range, and one per window when there are several',
    plan: (ctx) => planMbuzz(ctx, dataset, traits),
  };
}

async function planMbuzz(ctx: PlanContext, dataset: MbuzzDataset, traits: MbuzzPlanTraits): Promise<DryRunPlan> {
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
    // The run's first request is the range's first page: the read of its window when there is only one.
    requests += 1;
    let splitDay = false;
    runs.forEach((r, i) => {
      const rows = totals[i]!;
      windows.push({ from: r.from, to: r.to, rows, ...(part.open && { open: true }) });
      const known = runs.length === 1;
      if (rows <= perPage) {
        requests += known ? 0 : 1;
        return;
      }
      over += 1;
      // cut into runs of days (or, for one day, channel groups) expected to fill 85% of a page
      requests += (known ? 0 : 1) + Math.ceil(rows / (FILL * perPage));
      if (traits.partitionByChannel && daysBetween(r.from, r.to) === 1) splitDay = true;
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
