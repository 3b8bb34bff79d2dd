import type { CredentialSpec, DatasetDef, ParamSpec } from '../types.js';
import { attributionHubDryRun } from './dry-run.js';
import { conversionsInput, CONVERSION_FILTERS, SESSION_FILTERS } from './filters.js';
import { CONVERSIONS_COLUMNS } from './schemas.js';

// What AttributionHub's dataset is; how it is read is run.ts, loaded by the first export.

export { ATTRIBUTIONHUB_UNSET_BASE_URL } from './filters.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'ATTRIBUTIONHUB_API_KEY', profileKey: 'api_key', label: 'AttributionHub API key', secret: true, required: true, flag: 'apiKey' },
];

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
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportConversions(ctx);
    },
    dryRun: attributionHubDryRun((ctx) => conversionsInput(ctx.options)),
  },
];
