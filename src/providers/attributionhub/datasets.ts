import { IntegrityError, UsageError } from '../../core/errors.js';
import { drive } from '../../paginate/drive.js';
import { OffsetPaginator, offsetIn } from '../../paginate/offset.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { CredentialSpec, DatasetDef, ExportContext, ExportOptions, ParamSpec } from '../types.js';
import { attributionHubDryRun, type PlanInput } from './dry-run.js';
import { fetchConversions, isNoResults, type AttributionHubApi, type ConversionsQuery } from './api.js';
import { CONVERSIONS_COLUMNS, toRow } from './records.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'ATTRIBUTIONHUB_API_KEY', profileKey: 'api_key', label: 'AttributionHub API key', secret: true, required: true, flag: 'apiKey' },
];

/**
 * AttributionHub publishes paths but no host (api-contracts/others.md §4), so there is no real
 * default: this placeholder passes the URL checks and is refused before any request, with a
 * message naming the three ways to give the host. `.invalid` never resolves, so not even a typo
 * in this file could send the key anywhere.
 */
export const ATTRIBUTIONHUB_UNSET_BASE_URL = 'https://attributionhub-host-not-set.invalid';

/** Filters on the session; any of them switches the API to session mode. */
export const SESSION_FILTERS = ['source', 'medium', 'campaign', 'content', 'term', 'landing_page'] as const;
/** Filters on the conversion itself. */
export const CONVERSION_FILTERS = ['conversion_page', 'meta_type', 'meta_id'] as const;

const DESCRIPTIONS: Record<(typeof SESSION_FILTERS)[number] | (typeof CONVERSION_FILTERS)[number], string> = {
  source: 'session traffic source (primary domain, or utm_source); session mode',
  medium: 'session medium, e.g. cpc, organic; session mode',
  campaign: 'session utm_campaign; session mode',
  content: 'session utm_content; session mode',
  term: 'session utm_term; session mode',
  landing_page: 'session landing page URL; session mode',
  conversion_page: 'URL where the conversion fired',
  meta_type: 'conversion type, e.g. hubspot_form, html_form, custom_event',
  meta_id: 'conversion point id (form or event id)',
};

const PARAMS: readonly ParamSpec[] = [...CONVERSION_FILTERS, ...SESSION_FILTERS].map((name) => ({ name, description: `exact match: ${DESCRIPTIONS[name]}` }));

export const ATTRIBUTIONHUB_DATASETS: readonly DatasetDef[] = [
  {
    name: 'attributionhub:conversions',
    provider: 'attributionhub',
    summary: 'one row per conversion event, newest first, with its page, previous page and conversion point',
    columns: CONVERSIONS_COLUMNS,
    filters: [],
    params: PARAMS,
    credentials: CREDENTIALS,
    notes:
      'The API host is not published: give it with ATTRIBUTIONHUB_BASE_URL, a profile base_url or --base-url. ' +
      '--from/--to are sent as start_date/end_date (inclusive UTC days) in the POST body, with offset = the last records_processed. ' +
      'Without session filters the offset counts conversions (pages of 50) and the row count is checked against total_records; ' +
      'a session filter makes it count sessions (pages may hold more than 50). A monthly-quota 429 fails at once (exit 4).',
    run: (ctx) => exportConversions(ctx),
    dryRun: attributionHubDryRun((ctx) => conversionsInput(ctx.options)),
  },
];

/** The body's filters from --param, and the mode they select; a host never given is refused first. */
function conversionsInput(options: ExportOptions): PlanInput {
  if (options.baseUrl === ATTRIBUTIONHUB_UNSET_BASE_URL) {
    throw new UsageError("AttributionHub's API host is not published: set ATTRIBUTIONHUB_BASE_URL, a profile's base_url, or --base-url");
  }
  const filters: Record<string, string> = {};
  for (const name of [...CONVERSION_FILTERS, ...SESSION_FILTERS]) {
    const value = options.params[name]?.[0];
    if (value !== undefined) filters[name] = value;
  }
  return { filters, sessionMode: SESSION_FILTERS.some((name) => name in filters) };
}

async function* exportConversions(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const { filters, sessionMode } = conversionsInput(options);
  const api: AttributionHubApi = { client, baseUrl: options.baseUrl, apiKey: options.credentials.apiKey! };
  const query: ConversionsQuery = { from: options.from, to: options.to, filters };
  const what = `attributionhub conversions (${sessionMode ? 'session' : 'direct'} mode)`;
  const pagination = (j: unknown) => (isNoResults(j) ? undefined : (j as { pagination: Record<string, unknown> }).pagination);
  const paginator = new OffsetPaginator({
    nextOffset: (j) => pagination(j)?.records_processed,
    readTotal: (j) => pagination(j)?.total_records,
    readHasMore: (j) => pagination(j)?.has_more,
    place: offsetIn('body', 'offset'),
    what,
  });

  observer.plan(1);
  const window = { from: options.from, to: options.to, index: 0 };
  let firstTotal: number | undefined;
  let rows = 0;
  for await (const page of drive(paginator, (req) => fetchConversions(api, query, req), { what })) {
    const total = pagination(page.json)?.total_records as number | undefined;
    firstTotal ??= total;
    // Offsets index a list the server re-sorts on every call: if it grew or shrank, the pages
    // already read no longer line up with the ones to come.
    if (total !== undefined && total !== firstTotal) {
      throw new IntegrityError(`${what}: total_records changed from ${firstTotal} to ${total} while paging, so offsets no longer line up: the data moved during the export`);
    }
    if (page.rows.length === 0) continue;
    rows += page.rows.length;
    yield inWindow(window, page.rows.map(toRow));
  }
  if (!sessionMode && firstTotal !== undefined && rows !== firstTotal) {
    throw new IntegrityError(`${what}: received ${rows} conversions, but the server said ${firstTotal} match (paging ended at offset ${paginator.position})`);
  }
  // Direct mode counts conversions, so its total is a row count the pipeline checks again; session
  // mode counts sessions, which say nothing about rows.
  const info = !sessionMode && firstTotal !== undefined ? { ...window, received: firstTotal } : undefined;
  observer.windowDone(`${options.from}..${options.to}`, rows, info);
}
