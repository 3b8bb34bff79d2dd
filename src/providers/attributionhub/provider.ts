import type { Provider } from '../types.js';
import { ATTRIBUTIONHUB_DATASETS, ATTRIBUTIONHUB_UNSET_BASE_URL } from './datasets.js';

export const attributionhubProvider: Provider = {
  name: 'attributionhub',
  title: 'AttributionHub',
  // no published host: a placeholder refused before any request (see datasets.ts)
  defaultBaseUrl: ATTRIBUTIONHUB_UNSET_BASE_URL,
  baseUrlEnv: 'ATTRIBUTIONHUB_BASE_URL',
  datasets: ATTRIBUTIONHUB_DATASETS,
  dates: 'start_date/end_date in the POST body',
  times: 'timestamp is an instant: the docs say ISO 8601 UTC and their sample is YYYY-MM-DD HH:MM:SS with no zone, so a time without a zone is read as UTC (one with an offset is converted). Every format, NDJSON included, gets RFC 3339 UTC (2025-03-05T15:14:00Z); CSV and Parquet store it as a UTC timestamp (mbuzz schema --as sql types it TIMESTAMPTZ).',
  sandbox: async () => (await import('../../sandbox/attributionhub/mount.js')).sandboxProvider,
};
