import type { Provider } from '../types.js';
import { CHANNELS } from './channels.js';
import { MBUZZ_DATASETS } from './datasets.js';

// The sandbox serves mbuzz's own API at its root, so this record has no sandbox mount.
export const mbuzzProvider: Provider = {
  name: 'mbuzz',
  title: 'mbuzz Data Downloads',
  defaultBaseUrl: 'https://mbuzz.co',
  baseUrlEnv: 'MBUZZ_BASE_URL',
  datasets: MBUZZ_DATASETS,
  dates: 'start_date/end_date (inclusive UTC days)',
  // The server answers an unknown channel with nothing at all: refuse it before asking.
  checkFilter(filter, values) {
    if (filter !== 'channel') return undefined;
    const bad = values.filter((c) => !(CHANNELS as readonly string[]).includes(c));
    return bad.length ? `unknown channel ${bad.map((b) => JSON.stringify(b)).join(', ')} (valid: ${CHANNELS.join(', ')})` : undefined;
  },
};
