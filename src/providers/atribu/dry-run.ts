import { UsageError } from '../../core/errors.js';
import type { DryRunPlan, DryRunSpec, PlanContext, QuotaUse } from '../types.js';
import type { AtribuApi } from './api.js';
import { ATRIBU_CALL_COST, ATRIBU_WINDOW_MS, RatePacer } from './pace.js';

// --dry-run for Atribu. Every call costs 3 of the key's 60 units a minute, so the dry run makes
// one: a one-row page of the customers list (or of the journey, with --customer), which checks the
// key and its scope and reads what is left of the minute. The journey's answer states its total,
// so atribu:journey's requests are known; the customers list has no total (a cursor), so the
// requests of atribu:customers and atribu:journeys are known only by reading the list.

const UNITS_PER_MINUTE = 60;
const LIMIT = `${UNITS_PER_MINUTE} units a minute per key, ${ATRIBU_CALL_COST} a call`;

export type AtribuDataset = 'customers' | 'journey' | 'journeys';

const KNOWS: Record<AtribuDataset, string> = {
  customers: `one window (the range); requests and rows are known only by reading the list (a cursor, no total); one one-row request (${ATRIBU_CALL_COST} units) checks the key and reads the units left this minute`,
  journey: `the customer's events and so the requests, from one one-row journey request (${ATRIBU_CALL_COST} units), which also checks the key`,
  journeys: `only that each customer of the range costs a journey request or more: the customers are known by reading the list; one one-row request (${ATRIBU_CALL_COST} units) checks the key`,
};

export function atribuDryRun(dataset: AtribuDataset): DryRunSpec {
  return { knows: KNOWS[dataset], plan: (ctx) => planAtribu(ctx, dataset) };
}

async function planAtribu(ctx: PlanContext, dataset: AtribuDataset): Promise<DryRunPlan> {
  // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
  const { ATRIBU_MAX_LIMIT, fetchCustomers, fetchJourney } = await import('./api.js');
  const { options, client, clock } = ctx;
  let remaining: number | undefined;
  const pacer = new RatePacer({ now: clock.now, sleep: (ms) => clock.sleep(ms, ctx.signal) });
  const api: AtribuApi = { client, baseUrl: options.baseUrl, apiKey: options.credentials.apiKey!, pacer };
  const limit = Math.min(options.perPage, ATRIBU_MAX_LIMIT);
  const window = [{ from: options.from, to: options.to }];
  if (dataset === 'journey') {
    const id = options.customer ?? '';
    if (id.trim() === '') throw new UsageError('atribu:journey needs --customer ID (a customer_profile_id from atribu:customers)');
    const page = await fetchJourney(api, id, { query: { offset: '0', limit: '1' }, body: {} });
    remaining = pacer.available(clock.now());
    const rows = (page.json as { data: { total_count: number } }).data.total_count;
    const requests = Math.max(1, Math.ceil(rows / limit));
    return {
      basis: `the journey's total_count, from one one-row request (${ATRIBU_CALL_COST} units)`,
      windows: [{ ...window[0]!, rows }],
      rows,
      requests: { count: requests, exact: true },
      concurrency: 1,
      quota: quota(requests, remaining),
      notes: [],
    };
  }
  const goal = options.params.goal![0]!;
  const search = options.params.search?.[0];
  await fetchCustomers(api, { from: options.from, to: options.to, goal, search, limit: 1 }, { query: {}, body: {} });
  remaining = pacer.available(clock.now());
  const pace = `at ${UNITS_PER_MINUTE / ATRIBU_CALL_COST} calls a minute and ${limit} rows a page, the list reads at most ${((UNITS_PER_MINUTE / ATRIBU_CALL_COST) * limit).toLocaleString('en-US')} rows a minute`;
  return {
    basis:
      dataset === 'customers'
        ? `one window; the list has a cursor and no total, so its requests and rows are known only by reading it; one one-row request (${ATRIBU_CALL_COST} units) checked the key`
        : `the customers of the range are known only by reading their list (a cursor, no total), and each costs a journey request or more; one one-row request (${ATRIBU_CALL_COST} units) checked the key`,
    windows: window,
    concurrency: dataset === 'customers' ? 1 : options.concurrency,
    quota: quota(undefined, remaining),
    notes: [pace],
  };
}

/** The run's share of the minute: the units left go at once, then 20 calls a minute. */
function quota(requests: number | undefined, remaining: number | undefined): QuotaUse {
  const spend = requests === undefined ? undefined : requests * ATRIBU_CALL_COST;
  const atOnce = remaining === undefined ? UNITS_PER_MINUTE / ATRIBU_CALL_COST : Math.floor(Math.max(0, remaining) / ATRIBU_CALL_COST);
  const waited = requests === undefined ? 0 : Math.max(0, requests - atOnce);
  const minMs = waited > 0 ? Math.ceil(waited / (UNITS_PER_MINUTE / ATRIBU_CALL_COST)) * ATRIBU_WINDOW_MS : undefined;
  return { limit: LIMIT, unit: 'units', ...(spend !== undefined && { spend }), spentByDryRun: ATRIBU_CALL_COST, ...(remaining !== undefined && { remaining }), ...(minMs !== undefined && { minMs }) };
}
