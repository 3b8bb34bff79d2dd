import type { Provider } from '../types.js';
import { ATRIBU_DATASETS } from './datasets.js';

export const atribuProvider: Provider = {
  name: 'atribu',
  title: 'Atribu',
  defaultBaseUrl: 'https://www.atribu.app',
  baseUrlEnv: 'ATRIBU_BASE_URL',
  datasets: ATRIBU_DATASETS,
  dates: 'date_from/date_to (inclusive UTC days)',
  sandbox: async () => (await import('../../sandbox/atribu/mount.js')).sandboxProvider,
};
