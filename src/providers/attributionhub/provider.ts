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
  sandbox: async () => (await import('../../sandbox/attributionhub/mount.js')).sandboxProvider,
};
