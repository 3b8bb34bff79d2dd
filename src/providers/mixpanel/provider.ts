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
  times: "mixpanel:export's time is epoch seconds, stored as a UTC timestamp in CSV and Parquet, TIMESTAMPTZ in mbuzz schema --as sql (NDJSON keeps the number). Mixpanel counts it in UTC for projects created from 1 January 2023; for older projects it is the project's local time counted as if it were UTC, so those instants are off by the project's UTC offset (correct them with the project's time zone). Report datasets have no times: their dates and periods are in the project's time zone.",
  sandbox: async () => (await import('../../sandbox/mixpanel/mount.js')).sandboxProvider,
};
