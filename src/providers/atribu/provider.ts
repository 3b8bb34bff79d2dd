import type { Provider } from '../types.js';
import { ATRIBU_DATASETS } from './datasets.js';

export const atribuProvider: Provider = {
  name: 'atribu',
  title: 'Atribu',
  defaultBaseUrl: 'https://www.atribu.app',
  baseUrlEnv: 'ATRIBU_BASE_URL',
  datasets: ATRIBU_DATASETS,
  dates: 'date_from/date_to (inclusive UTC days)',
  times: "conversion_time and event_time are instants: the API sends ISO 8601 with a zone (its docs show Z; cursors carry +00:00). CSV and Parquet store them as UTC timestamps (mbuzz schema --as sql types them TIMESTAMPTZ), NDJSON keeps the API's text; a time without a zone or no real date-time stops the run (exit 6).",
  sandbox: async () => (await import('../../sandbox/atribu/mount.js')).sandboxProvider,
};
