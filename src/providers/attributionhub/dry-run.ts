import type { DryRunPlan, DryRunSpec, PlanContext } from '../types.js';
import type { AttributionHubApi, ConversionsQuery } from './api.js';

// --dry-run for AttributionHub: its first page states total_records, so one call (one of the key's
// monthly quota) tells the rows and, at 50 conversions a page, the requests. With a session filter
// the offset counts sessions and a page holds what 200 of them hold, so only the sessions are known.

/** Conversions a direct-mode page holds (api-contracts/others.md §4). */
export const PAGE_SIZE = 50;

const LIMIT = "the key's monthly quota of calls (its size is stated only when it is used up)";

export interface PlanInput {
  filters: Record<string, string>;
  sessionMode: boolean;
}

/** `input` is what the export reads from --param (datasets.ts): the body's filters and the mode they select. */
export function attributionHubDryRun(input: (ctx: PlanContext) => PlanInput): DryRunSpec {
  return {
    knows: `the rows and requests (${PAGE_SIZE} conversions a page) from total_records in the first page, one call of the monthly quota; with a session filter only the sessions`,
    plan: (ctx) => planConversions(ctx, input(ctx)),
  };
}

async function planConversions(ctx: PlanContext, { filters, sessionMode }: PlanInput): Promise<DryRunPlan> {
  // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
  const [{ offsetIn }, { fetchConversions, isNoResults }] = await Promise.all([import('../../paginate/offset.js'), import('./api.js')]);
  const { options, client } = ctx;
  const api: AttributionHubApi = { client, baseUrl: options.baseUrl, apiKey: options.credentials.apiKey! };
  const query: ConversionsQuery = { from: options.from, to: options.to, filters };
  const page = await fetchConversions(api, query, offsetIn('body', 'offset')(0, undefined));
  const total = isNoResults(page.json) ? 0 : ((page.json as { pagination: { total_records: number } }).pagination.total_records);
  const windows = [{ from: options.from, to: options.to }];
  if (sessionMode) {
    return {
      basis: `a session filter pages sessions (200 scanned a call), and total_records counts them: ${total.toLocaleString('en-US')} sessions; one call of the monthly quota checked the key`,
      windows,
      concurrency: 1,
      quota: { limit: LIMIT, unit: 'requests', spentByDryRun: 1 },
      notes: [],
    };
  }
  const requests = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return {
    basis: `total_records in the first page (one call of the monthly quota), ${PAGE_SIZE} conversions a page`,
    windows: [{ ...windows[0]!, rows: total }],
    rows: total,
    requests: { count: requests, exact: true },
    concurrency: 1,
    quota: { limit: LIMIT, unit: 'requests', spend: requests, spentByDryRun: 1 },
    notes: [],
  };
}
