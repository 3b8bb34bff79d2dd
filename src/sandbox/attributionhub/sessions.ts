// AttributionHub's data: sessions per UTC day, rebuilt from hash(seed, day, index), each with
// its traffic fields and 0-3 conversions. Records carry the session's start as their timestamp
// ("when the session started", S4), so conversions of one session tie on it.
import { DAY_MS } from '../calendar.js';
import { Rng, cdfOf, hash2, hash3 } from '../hash.js';
import { Lru } from '../lru.js';
import { dayFactor, randomTimeOfDay } from '../volume.js';

const SALT_SESSION = 0xa77b;
const CONVERSIONS_CDF = cdfOf([85, 11, 3, 1]);

/** [source, medium, campaign, content, term] a session may carry; sources are primary domains or utm_source. */
const TRAFFIC: ReadonlyArray<readonly [string, string, string | null, string | null, string | null]> = [
  ['google.com', 'organic', null, null, null],
  ['google.com', 'cpc', 'brand_exact', 'ad-a', 'attribution software'],
  ['google.com', 'cpc', 'Black Friday, 2025', 'ad-b "blue"', 'multi touch attribution'],
  ['facebook.com', 'social', null, null, null],
  ['facebook', 'paid_social', 'retargeting-30d', 'carousel', null],
  ['linkedin.com', 'paid_social', 'été_2025', 'video', null],
  ['example.com', '(none)', null, null, null],
  ['news.ycombinator.com', 'referral', null, null, null],
  ['newsletter', 'email', 'weekly_digest', 'footer link', null],
  ['bing.com', 'cpc', 'generic – broad', null, 'hubspot attribution'],
  ['chatgpt.com', 'referral', null, null, null],
];
const SITE = 'https://www.example.com';
const LANDING = ['/', '/pricing', '/blog/attribution-101', '/features?utm=a,b', '/café-menu', '/demo'];
const CONVERSION_POINTS: ReadonlyArray<readonly [string, string, string]> = [
  ['/request-a-demo/', 'html_form', 'request-a-demo-form'],
  ['/thankyou', 'hubspot_form', '3f1c2a9e-7b4d-4e21-9c0f-5a6b7c8d9e0f'],
  ['/purchase-complete', 'custom_event', 'purchase-complete'],
  ['/contact', 'html_form', 'contact-us, footer'],
  ['/newsletter', 'hubspot_form', 'newsletter "weekly"'],
];
const EMAILS = ['alex@example.com', 'zoë.obrien@example.ie', 'j.smith+promo@mail.example.org', 'ventas@ejemplo.cl', 'user_42@example.co.uk'];

export interface AhConversion {
  email: string | null;
  conversion_page: string;
  previous_page: string | null;
  conversion_meta: { type: string; id: string };
}

export interface AhSession {
  startMs: number;
  /** Position in the day, for a stable tie-break between sessions that start together. */
  index: number;
  source: string;
  medium: string;
  campaign: string | null;
  content: string | null;
  term: string | null;
  landing_page: string;
  conversions: AhConversion[];
}

export interface AhData {
  seed: number;
  scale: number;
  dataStartDay: number;
}

/** `YYYY-MM-DD HH:MM:SS`, the form the docs' sample uses (their text says ISO 8601 UTC). */
export const sampleTimestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function drawDay(d: AhData, day: number): AhSession[] {
  if (day < d.dataStartDay) return [];
  const base = hash3(d.seed ^ SALT_SESSION, day, 0);
  const count = Math.round(400 * d.scale * dayFactor(base, day));
  const out: AhSession[] = [];
  let previous = -1;
  for (let j = 0; j < count; j++) {
    const rng = new Rng(hash2(base, j));
    const second = previous >= 0 && rng.chance(0.1) ? previous : Math.floor(randomTimeOfDay(rng.float()) / 1_000_000);
    previous = second;
    const [source, medium, campaign, content, term] = rng.pick(TRAFFIC);
    const landing = `${SITE}${rng.pick(LANDING)}`;
    const conversions: AhConversion[] = [];
    for (let k = rng.weighted(CONVERSIONS_CDF); k > 0; k--) {
      const [page, type, id] = rng.pick(CONVERSION_POINTS);
      conversions.push({
        email: rng.chance(0.25) ? null : rng.pick(EMAILS),
        conversion_page: `${SITE}${page}`,
        previous_page: rng.chance(0.15) ? null : `${SITE}${rng.pick(LANDING)}`,
        conversion_meta: { type, id },
      });
    }
    out.push({ startMs: day * DAY_MS + second * 1000, index: j, source, medium, campaign, content, term, landing_page: landing, conversions });
  }
  // Newest first; sessions that start together keep a fixed order.
  return out.sort((a, b) => b.startMs - a.startMs || b.index - a.index);
}

export class AhSessions {
  private readonly days = new Lru<AhSession[]>(100_000, (v) => v.length + 1);

  constructor(readonly data: AhData) {}

  /** Sessions starting in [fromMs, toMs), newest first, day by day. */
  *walk(fromMs: number, toMs: number): Generator<AhSession> {
    const first = Math.max(Math.floor(fromMs / DAY_MS), this.data.dataStartDay);
    for (let day = Math.floor((toMs - 1) / DAY_MS); day >= first; day--) {
      let sessions = this.days.get(String(day));
      if (!sessions) {
        sessions = drawDay(this.data, day);
        this.days.set(String(day), sessions);
      }
      for (const s of sessions) if (s.startMs >= fromMs && s.startMs < toMs) yield s;
    }
  }
}

/** The record as the API sends it (S4's field order). */
export function recordOf(session: AhSession, c: AhConversion): Record<string, unknown> {
  return { email: c.email, timestamp: sampleTimestamp(session.startMs), conversion_page: c.conversion_page, previous_page: c.previous_page, conversion_meta: c.conversion_meta };
}
