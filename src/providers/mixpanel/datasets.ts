import type { DatasetDef } from '../types.js';
import { EXPORT_DRY_RUN } from './dry-run.js';
import { HOSTS_NOTE } from './hosts.js';
import { LEGACY_DATASETS } from './legacy-datasets.js';
import { DAYS_PER_REQUEST, EXPORT_CREDENTIALS, EXPORT_EVENTS, WHERE } from './params.js';
import { EXPORT_COLUMNS } from './schemas.js';

/** The raw event export; how it is read is export.ts, loaded by the first export. */
const EXPORT_DATASET: DatasetDef = {
  name: 'mixpanel:export',
  provider: 'mixpanel',
  summary: 'raw events, one row per event (GET /api/2.0/export on the data host, JSONL)',
  columns: EXPORT_COLUMNS,
  filters: [],
  credentials: EXPORT_CREDENTIALS,
  params: [EXPORT_EVENTS, WHERE, DAYS_PER_REQUEST],
  // from_date/to_date are days in the project's time zone, which the API does not say: a UTC day
  // either side of the block is still the block (api-contracts/others.md §1).
  rowDate: { kind: 'instant', column: 'time', slackDays: 1 },
  notes: `--from/--to are from_date/to_date, both inclusive, in the project's time zone; the range is cut into blocks of days_per_request days, one request each (Mixpanel allows 60 an hour; a 429 the server asks to wait out for over 2 minutes ends the run with exit 4). Auth: a service account (MIXPANEL_SERVICE_ACCOUNT_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET, MIXPANEL_PROJECT_ID), else the project secret (MIXPANEL_API_SECRET). ${HOSTS_NOTE}`,
  run: async function* (ctx) {
    yield* (await import('./export.js')).runExport(ctx);
  },
};

// Mixpanel: the twelve signed Data API 2.0 endpoints (api_key + api_secret), and the raw event
// export (service account or project secret), which is how most users pull events today.
export const MIXPANEL_DATASETS: readonly DatasetDef[] = [...LEGACY_DATASETS, { ...EXPORT_DATASET, dryRun: EXPORT_DRY_RUN }];
