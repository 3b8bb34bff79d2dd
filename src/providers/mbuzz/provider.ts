import { didYouMean, suggest } from '../../core/suggest.js';
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
  times: "no time-of-day columns: date is the UTC day (the server runs in UTC); spend_date is the day the ad platform reports, in the advertiser's time zone.",
  // The server answers an unknown channel with nothing at all: refuse it before asking.
  checkFilter(filter, values) {
    if (filter !== 'channel') return undefined;
    const bad = values.filter((c) => !(CHANNELS as readonly string[]).includes(c));
    if (bad.length === 0) return undefined;
    // Every typo has its correction: that is the whole message. Otherwise list what is valid.
    const named = bad.map((b) => `${JSON.stringify(b)}${didYouMean(b, CHANNELS)}`);
    const valid = bad.every((b) => suggest(b, CHANNELS) !== undefined) ? '' : ` (valid: ${CHANNELS.join(', ')})`;
    return `unknown channel ${named.join(', ')}${valid}`;
  },
};
