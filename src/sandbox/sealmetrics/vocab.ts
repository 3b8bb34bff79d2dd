// What the sandbox's Sealmetrics microconversions are made of: Sealmetrics' own UTM conventions
// (organic search is source "seo", medium "organic", campaign "seo-<engine>"), Google's matchtype
// ValueTrack letters, Spanish-first shops, and the awkward text exporters trip on (commas, quotes,
// accents, CJK, emoji, slashes that PHP escapes).
import { cdfOf } from '../hash.js';

export const SANDBOX_ACCOUNTS = {
  demo: '000000000000000000001234',
  second: '000000000000000000005678',
  /** Misbehaves on purpose: ignores `skip`, so every page is the first one. */
  ignoresSkip: '000000000000000000009001',
} as const;

export const ACCOUNT_NAMES: Record<string, string> = {
  [SANDBOX_ACCOUNTS.demo]: 'Demo Account',
  [SANDBOX_ACCOUNTS.second]: 'Tienda Ñandú, S.L.',
  [SANDBOX_ACCOUNTS.ignoresSkip]: 'Broken pager (ignores skip)',
};

/** Microconversions per day at scale 1, before the weekday and day-to-day swing. */
export const DAILY_BASE: Record<string, number> = {
  [SANDBOX_ACCOUNTS.demo]: 240,
  [SANDBOX_ACCOUNTS.second]: 70,
  [SANDBOX_ACCOUNTS.ignoresSkip]: 240,
};

export interface Channel {
  medium: string;
  sources: readonly string[];
  /** `{source}` is replaced by the source. */
  campaigns: readonly string[];
  /** undefined: the field is left out of the row; null: sent as null. */
  terms: ReadonlyArray<string | null | undefined>;
  matchtypes: ReadonlyArray<string | null>;
  weight: number;
}

export const CHANNELS: readonly Channel[] = [
  {
    medium: 'organic',
    sources: ['seo'],
    campaigns: ['seo-google', 'seo-bing', 'seo-yahoo', 'seo-duckduckgo', 'seo-ecosia'],
    terms: [undefined, undefined, 'https://tienda.example/blog/café-de-especialidad', 'https://tienda.example/guía/molinillos?ref=a,b'],
    matchtypes: [null],
    weight: 34,
  },
  {
    medium: 'cpc',
    sources: ['google', 'bing'],
    campaigns: ['619999662', '701234455', 'brand_exact', 'Black Friday, 2025', 'generic – broad', 'promo <50% off> & more'],
    terms: ['zapatillas "running" mujer', 'café en grano 1kg', 'cafetera italiana', 'Gshopping-194682000766', null],
    matchtypes: ['e', 'p', 'b', null],
    weight: 22,
  },
  {
    medium: 'paid-social',
    sources: ['facebook', 'instagram', 'tiktok'],
    campaigns: ['été_2025', '東京_launch', 'retargeting-30d', 'summer "hot" deals'],
    terms: [undefined, undefined, 'lookalike 1%', null],
    matchtypes: [null],
    weight: 12,
  },
  {
    medium: 'email',
    sources: ['newsletter', 'klaviyo'],
    campaigns: ['newsletter', 'welcome_series', 'winback, 90d', 'cart_abandon'],
    terms: [undefined],
    matchtypes: [null],
    weight: 11,
  },
  {
    medium: 'referral',
    sources: ['blog.example.org', 'news.ycombinator.com', 'chatgpt.com'],
    campaigns: ['referral'],
    terms: ['https://blog.example.org/2025/10/mejores-cafés/', 'https://news.ycombinator.com/item?id=4242', undefined],
    matchtypes: [null],
    weight: 7,
  },
  {
    medium: 'direct',
    sources: ['direct'],
    campaigns: ['direct'],
    terms: [undefined],
    matchtypes: [null],
    weight: 10,
  },
  {
    medium: 'affiliate',
    sources: ['awin', 'Partner, Ltd.'],
    campaigns: ['partner “Ofertas” ES', 'coupon_sites'],
    terms: ['publisher-12345', 'emoji 🚀 deals', undefined],
    matchtypes: [null],
    weight: 4,
  },
];
export const CHANNEL_CDF = cdfOf(CHANNELS.map((c) => c.weight));

export const LABELS = [
  'add-to-cart', 'begin-checkout', 'newsletter-signup', 'view-pricing', 'signup', 'descarga-catálogo',
  'contact-form', 'video-play', 'wishlist ♥', 'click-whatsapp', 'chat, opened',
];
export const LABEL_CDF = cdfOf([28, 12, 10, 10, 8, 5, 6, 8, 3, 6, 4]);

/** Lower-case ISO 3166-1 alpha-2, as the docs' `country=es`. */
export const COUNTRIES = ['es', 'mx', 'us', 'ar', 'co', 'fr', 'de', 'gb', 'pt', 'it', 'cl', 'jp', 'br'];
export const COUNTRY_CDF = cdfOf([35, 10, 12, 6, 5, 6, 5, 6, 4, 4, 3, 2, 2]);

/** When sessions start, by UTC hour: a Spanish shop's evening peak. */
export const HOUR_CDF = cdfOf([2, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 7, 7, 7, 8, 9, 10, 11, 10, 7, 4]);

/** Events per session: most sessions convert once, some a few times in a burst. */
export const SESSION_EVENTS_CDF = cdfOf([50, 25, 15, 10]);
