import type { Provider } from '../types.js';
import { MIXPANEL_DATASETS } from './datasets.js';
import { DEFAULT_BASE_URL } from './hosts.js';

export const mixpanelProvider: Provider = {
  name: 'mixpanel',
  title: 'Mixpanel Data API 2.0',
  defaultBaseUrl: DEFAULT_BASE_URL,
  baseUrlEnv: 'MIXPANEL_BASE_URL',
  datasets: MIXPANEL_DATASETS,
  dates: 'reports: unit/interval (whole periods overlapping --from..--to are kept); mixpanel:export: from_date/to_date',
  sandbox: async () => (await import('../../sandbox/mixpanel/mount.js')).sandboxProvider,
};
