import { daysBetween } from '../../core/dates.js';
import type { DryRunPlan, DryRunSpec, PlanContext, PlannedWindow } from '../types.js';
import { Params } from './params.js';
import type { LegacyEndpoint } from './legacy-endpoint.js';

// --dry-run for Mixpanel. The raw export has no count to ask for: its plan is the date blocks (one
// request each) against the 60 an hour Mixpanel allows, and the key is checked by one request for
// the first day with limit=1 (it costs one of the 60, and says so). A Data API 2.0 report is one
// request that is the data itself: its plan sends nothing.

/** Mixpanel's raw export allows this many requests an hour per project (api-contracts/others.md §1). */
export const EXPORT_PER_HOUR = 60;

export const EXPORT_DRY_RUN: DryRunSpec = {
  knows: `the date blocks (one request each, days_per_request days) and their share of the ${EXPORT_PER_HOUR} export requests an hour; no row counts (the API has none); the credentials are checked with one limit=1 request for the first day, one of the ${EXPORT_PER_HOUR}`,
  plan: planExport,
};

/**
 * A Data API 2.0 report: one request, the data itself, so nothing is sent. Its parameters are
 * checked as the run checks them (a dry run accepts nothing the run would refuse); without
 * --param event=/funnel=, the names endpoint is asked first and the names go out in batches.
 */
export function reportDryRun(e: LegacyEndpoint): DryRunSpec {
  return {
    knows: 'one request for the whole range; nothing is sent (that request is the data), so the key is not checked',
    plan: async ({ options }) => {
      // (loaded here: dataset descriptions import this file, and --help must not load readers)
      const { checkLegacyParams } = await import('./legacy-run.js');
      checkLegacyParams(e, options);
      const all = e.all && new Params(options.params).list(e.all.param).length === 0 ? e.all : undefined;
      return {
        basis: 'one request for the whole range (a report has no pages); nothing sent: that request is the data itself, so the key is not checked',
        windows: [{ from: options.from, to: options.to }],
        requests: all
          ? { count: 2, exact: false, note: `no --param ${all.param}: ${all.path} is asked for every ${all.noun} first, then the report once per batch of names (how many batches is known only from that list)` }
          : { count: 1, exact: true },
        concurrency: 1,
        notes: [],
      };
    },
  };
}

async function planExport(ctx: PlanContext): Promise<DryRunPlan> {
  // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
  const { exportAuth, exportBlocks, exportUrl, fetchText } = await import('./export.js');
  const { options, client } = ctx;
  const auth = exportAuth(options.credentials);
  client.addSecret(auth.authorization.slice('Basic '.length));
  const paginator = exportBlocks(options);
  const windows: PlannedWindow[] = [];
  for (let block = paginator.next(); block; block = paginator.next()) {
    windows.push({ from: block.from, to: block.to, ...(block.to >= options.today && { open: true }) });
    paginator.update({ rows: [], json: undefined });
  }
  let spent = 0;
  if (windows.length > 0) {
    const first = windows[0]!.from;
    const url = new URL(exportUrl(options.baseUrl, { from: first, to: first }, auth, new Params(options.params)));
    url.searchParams.set('limit', '1');
    await fetchText(client, url.toString(), auth.authorization);
    spent = 1;
  }
  const left = EXPORT_PER_HOUR - spent;
  const days = windows.length ? windows.reduce((n, w) => n + daysBetween(w.from, w.to), 0) : 0;
  const warning =
    windows.length > left
      ? `${windows.length} requests are more than the ${left} left of Mixpanel's ${EXPORT_PER_HOUR} an hour (this dry run used ${spent}): the run would stop with exit 4 when they run out; --param days_per_request=${Math.ceil(days / left)} fits the range in ${Math.ceil(days / Math.ceil(days / left))} requests`
      : undefined;
  return {
    basis: `date blocks of days_per_request days, one request each, read one after another; ${spent ? 'one limit=1 request for the first day checked the credentials' : 'nothing sent (no day to export)'}`,
    windows,
    requests: { count: windows.length, exact: true },
    concurrency: 1,
    quota: { limit: `${EXPORT_PER_HOUR} export requests an hour per project`, unit: 'requests', spend: windows.length, spentByDryRun: spent, ...(warning && { warning }) },
    notes: [],
  };
}
