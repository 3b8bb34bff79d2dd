// What the sandbox's Mixpanel project tracks: event names, how a session moves between them,
// the funnels defined on them, and the people behind the distinct_ids. Awkward on purpose in
// places (quotes, commas, non-Latin scripts, emoji) because exporters break on exactly those.
import { cdfOf } from '../hash.js';

export const EVENT_NAMES = [
  'Viewed Page',
  'Searched',
  'Added to Cart',
  'Checkout Started',
  'Purchased',
  'Signed Up',
  'Played Video',
  'Clicked "Buy", then left',
  'Café ☕ visited',
  '登录',
] as const;

export const E = Object.fromEntries(EVENT_NAMES.map((n, i) => [n, i])) as Record<(typeof EVENT_NAMES)[number], number>;

/** Next event after each event (index into EVENT_NAMES), the last weight being "session ends". */
const NEXT_WEIGHTS: readonly (readonly number[])[] = [
  /* Viewed Page */ [35, 12, 15, 0, 0, 8, 8, 4, 3, 0, 15],
  /* Searched */ [50, 0, 20, 0, 0, 0, 0, 0, 0, 0, 30],
  /* Added to Cart */ [30, 0, 0, 45, 0, 0, 0, 0, 0, 0, 25],
  /* Checkout Started */ [0, 0, 0, 0, 55, 0, 0, 0, 0, 0, 45],
  /* Purchased */ [30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 70],
  /* Signed Up */ [20, 0, 0, 0, 0, 0, 30, 0, 0, 30, 20],
  /* Played Video */ [40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60],
  /* Clicked "Buy", then left */ [30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 70],
  /* Café ☕ visited */ [30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 70],
  /* 登录 */ [60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40],
];
export const NEXT_CDF = NEXT_WEIGHTS.map(cdfOf);
export const SESSION_END = EVENT_NAMES.length;
export const MAX_SESSION_EVENTS = 12;

export interface FunnelDef {
  name: string;
  steps: readonly number[];
}

export const FUNNELS: readonly FunnelDef[] = [
  { name: 'Signup flow', steps: [E['Viewed Page'], E['Signed Up'], E['Played Video']] },
  { name: 'Purchase funnel', steps: [E['Viewed Page'], E['Added to Cart'], E['Checkout Started'], E.Purchased] },
  { name: 'Search → Buy, "fast"', steps: [E.Searched, E['Added to Cart'], E.Purchased] },
];

// People: user-level properties every event of theirs carries ($-prefixed ones are Mixpanel's).
export const BROWSERS = ['Chrome', 'Chrome', 'Chrome', 'Safari', 'Safari', 'Firefox', 'Microsoft Edge', 'Samsung Internet'];
export const OSES = ['Windows', 'Windows', 'Mac OS X', 'iOS', 'iOS', 'Android', 'Android', 'Linux'];
export const CITIES: readonly (readonly [string | null, string])[] = [
  ['San Francisco', 'US'],
  ['New York, NY', 'US'],
  ['São Paulo', 'BR'],
  ['Zürich', 'CH'],
  ['東京', 'JP'],
  ['London', 'GB'],
  ['Berlin', 'DE'],
  [null, 'US'],
];
export const PLANS = ['free', 'free', 'free', 'pro', 'pro', 'enterprise'];
export const UTM_SOURCES = [null, null, 'google', 'google', 'newsletter', 'partner, inc.', 'twitter'];
export const SEARCH_TERMS = ['running shoes', 'chaussures d’été', '"waterproof" jacket', 'mochila, 20L', '靴', 'gift card 🎁', 'size 42\\43'];
export const PAGES = ['/', '/pricing', '/p/trail-runner?color=red,blue', '/blog/10-tips-"fast"', '/café', '/docs#setup'];
export const CURRENCIES = ['USD', 'USD', 'EUR', 'BRL', 'JPY'];

/** Display names the funnel property breakdown uses for Mixpanel's own properties. */
export const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  $browser: 'Browser',
  $os: 'Operating System',
  $city: 'City',
  mp_country_code: 'Country',
};
