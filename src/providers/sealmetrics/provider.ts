import type { Provider } from '../types.js';
import { SEALMETRICS_DATASETS } from './datasets.js';

export const sealmetricsProvider: Provider = {
  name: 'sealmetrics',
  title: 'Sealmetrics',
  defaultBaseUrl: 'https://app.sealmetrics.com',
  baseUrlEnv: 'SEALMETRICS_BASE_URL',
  datasets: SEALMETRICS_DATASETS,
  dates: 'date_range=YYYYMMDD,YYYYMMDD',
  sandbox: async () => (await import('../../sandbox/sealmetrics/mount.js')).sandboxProvider,
};
