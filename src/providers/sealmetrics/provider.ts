import type { Provider } from '../types.js';
import { SEALMETRICS_DATASETS } from './datasets.js';

export const sealmetricsProvider: Provider = {
  name: 'sealmetrics',
  title: 'Sealmetrics',
  defaultBaseUrl: 'https://app.sealmetrics.com',
  baseUrlEnv: 'SEALMETRICS_BASE_URL',
  datasets: SEALMETRICS_DATASETS,
  dates: 'date_range=YYYYMMDD,YYYYMMDD',
  times: 'no time-of-day columns: date is the day as Sealmetrics reports it (the API does not state its time zone).',
  sandbox: async () => (await import('../../sandbox/sealmetrics/mount.js')).sandboxProvider,
};
