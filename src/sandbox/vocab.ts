// The words the generated data is made of. Deliberately awkward in places (commas, quotes,
// newlines, HTML characters, non-Latin scripts, emoji, U+2028) because exporters break on exactly
// those, and realistic enough that a demo reads like a real account.
import { cdfOf } from './hash.js';
import { jsonString, jsonNullableString } from './ruby-json.js';

// The server's own vocabulary (app/constants/channels.rb and the attribution models), kept here
// and not borrowed from the client: the sandbox plays the server, and a test checks that the
// client's list (providers/mbuzz/channels.ts) still matches it.
export const CHANNELS = [
  'paid_search',
  'organic_search',
  'paid_social',
  'organic_social',
  'email',
  'display',
  'affiliate',
  'referral',
  'video',
  'ai',
  'direct',
  'other',
] as const;

export const ALGORITHMS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'u_shaped', 'participation', 'markov_chain', 'shapley_value'] as const;

export const NULL_CHANNEL = 255;

/** Funnel codes: 0 is a NULL funnel. */
export const FUNNELS = [null, 'sales', 'onboarding', 'lead gen'] as const;
export const FUNNEL_JSON = FUNNELS.map(jsonNullableString);

export const CHANNEL_JSON = CHANNELS.map(jsonString);

// First touches lean on search and social; later touches on direct and email.
export const FIRST_TOUCH_CDF = cdfOf([24, 20, 14, 6, 5, 5, 3, 6, 3, 4, 8, 2]);
export const LATER_TOUCH_CDF = cdfOf([16, 12, 9, 5, 14, 3, 3, 4, 3, 3, 26, 2]);
export const SESSION_CHANNEL_CDF = cdfOf([18, 22, 11, 6, 8, 4, 2, 6, 3, 3, 15, 2]);
export const JOURNEY_LENGTH_CDF = cdfOf([35, 25, 17, 11, 7, 5]);

export interface ConversionType {
  name: string;
  funnel: number;
  weight: number;
  /** Typical revenue, or null when this type carries none. */
  revenue: number | null;
}

export const CONVERSION_TYPES: readonly ConversionType[] = [
  { name: 'purchase', funnel: 1, weight: 30, revenue: 89 },
  { name: 'subscription_renewal', funnel: 1, weight: 8, revenue: 49 },
  { name: 'signup', funnel: 2, weight: 20, revenue: null },
  { name: 'trial_started', funnel: 2, weight: 10, revenue: null },
  { name: 'lead', funnel: 3, weight: 12, revenue: null },
  { name: 'demo_booked', funnel: 3, weight: 6, revenue: 250 },
  { name: 'Lead – Form (EU)', funnel: 3, weight: 3, revenue: null },
  { name: 'newsletter_signup', funnel: 0, weight: 7, revenue: null },
  { name: 'phone call, inbound', funnel: 0, weight: 2, revenue: 120 },
  { name: 'app_install "beta"', funnel: 0, weight: 2, revenue: null },
];
export const CONVERSION_TYPE_CDF = cdfOf(CONVERSION_TYPES.map((t) => t.weight));
export const CONVERSION_NAME_JSON = CONVERSION_TYPES.map((t) => jsonString(t.name));

export interface EventType {
  name: string;
  funnel: number;
  weight: number;
}

export const EVENT_TYPES: readonly EventType[] = [
  { name: 'page_view', funnel: 0, weight: 30 },
  { name: 'add_to_cart', funnel: 1, weight: 12 },
  { name: 'checkout_started', funnel: 1, weight: 6 },
  { name: 'pricing_viewed', funnel: 1, weight: 6 },
  { name: 'form_submit', funnel: 3, weight: 8 },
  { name: 'onboarding_step', funnel: 2, weight: 8 },
  { name: 'video_play', funnel: 0, weight: 5 },
  { name: 'search', funnel: 0, weight: 4 },
  { name: 'Newsletter → Click', funnel: 0, weight: 2 },
];
export const EVENT_TYPE_CDF = cdfOf(EVENT_TYPES.map((t) => t.weight));
export const EVENT_NAME_JSON = EVENT_TYPES.map((t) => jsonString(t.name));

/** The account's attribution models: user-chosen names over the eight algorithms. */
export const MODEL_NAMES = ['First Touch', 'Last Touch', 'Linear', 'Time Decay (7d)', 'U-Shaped', 'Participation', 'Markov Chain', 'Shapley Value'];
/** `"<model>","algorithm":"<label>","channel":` — the fixed middle of a conversions row. */
export const MODEL_PART = MODEL_NAMES.map((name, m) => `${jsonString(name)},"algorithm":${jsonString(ALGORITHMS[m] as string)},"channel":`);

export const CURRENCIES = ['USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'AUD', 'JPY'];

export const PAID_CAMPAIGNS = [
  'spring_sale', 'brand_exact', 'Black Friday, 2025', 'summer "hot" deals', 'été_2025', 'retargeting-30d',
  'q4_push', 'generic – broad', '東京_launch', 'promo <50% off> & more', 'launch\nweek', 'always_on',
];
export const EMAIL_CAMPAIGNS = ['weekly_digest', 'welcome_series', 'winback, 90d', 'product_update', 'cart_abandon'];

type Utm = readonly [string | null, string | null, string | null];

/** Where each channel's sessions say they came from: [sources, mediums, campaigns or null]. */
const UTM_BY_CHANNEL: ReadonlyArray<readonly [string[], string[], string[] | null]> = [
  [['google', 'bing'], ['cpc', 'ppc'], PAID_CAMPAIGNS],
  [['google', 'bing', 'duckduckgo'], ['organic'], null],
  [['facebook', 'instagram', 'linkedin', 'tiktok'], ['paid_social', 'cpc'], PAID_CAMPAIGNS],
  [['twitter', 'linkedin', 'reddit', 'facebook'], ['social'], null],
  [['newsletter', 'klaviyo', 'mailchimp'], ['email'], EMAIL_CAMPAIGNS],
  [['google', 'criteo'], ['display', 'cpm'], PAID_CAMPAIGNS],
  [['rakuten', 'impact', 'Partner, Ltd.'], ['affiliate'], ['summer_partners', 'coupon_sites']],
  [['news.ycombinator.com', 'producthunt.com', 'blog.example.org'], ['referral'], null],
  [['youtube', 'vimeo'], ['video'], PAID_CAMPAIGNS],
  [['chatgpt.com', 'perplexity.ai', 'claude.ai'], ['referral', 'ai'], null],
  [[], [], null],
  [['qr-code', 'podcast', 'print "flyer"'], ['offline', 'other'], ['spring_print', 'conference_booth']],
];

/** Precomputed `,"utm_source":…,"utm_medium":…,"utm_campaign":…` fragments per channel. */
export const UTM_JSON_BY_CHANNEL: string[][] = UTM_BY_CHANNEL.map(([sources, mediums, campaigns]) => {
  const out: string[] = [];
  for (const s of sources) for (const m of mediums) for (const c of campaigns ?? [null]) out.push(utmJson([s, m, c]));
  return out.length > 0 ? out : [utmJson([null, null, null])];
});
export const UTM_NULL_JSON = utmJson([null, null, null]);

function utmJson([s, m, c]: Utm): string {
  return `,"utm_source":${jsonNullableString(s)},"utm_medium":${jsonNullableString(m)},"utm_campaign":${jsonNullableString(c)}`;
}

/** Free text users put in properties. */
export const NOTES = [
  'Café, crème brûlée', 'He said "hi"', 'line one\nline two', 'tab\tseparated', '東京スカイツリー', 'emoji 🚀✨',
  '<b>bold</b> & more', 'comma, separated, values', 'back\\slash', "Zoë O'Brien", 'null', '', 'para\u2028sep',
  'Ελληνικά', 'مرحبا', '   padded   ', 'semi;colon|pipe',
];
export const NOTES_JSON = NOTES.map(jsonString);

export const PLANS_JSON = ['free', 'pro', 'team', 'enterprise'].map(jsonString);
export const PATHS_JSON = ['/', '/pricing', '/blog/how-we-attribute', '/docs?q=a,b', '/checkout', '/café'].map(jsonString);
