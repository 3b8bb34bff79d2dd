// One customer's timeline: page views, touches, leads, bookings and payments, oldest first,
// rebuilt from hash(seed, customer). Most journeys fit one page; some run past 100 events so the
// offset paging is exercised at the API's largest page too.
import { Rng, cdfOf, hash3 } from '../hash.js';
import { COUNTRIES, DEVICES, customer } from './people.js';
import { CHANNELS, isoSeconds } from './conversions.js';

const SALT_JOURNEY = 0x70a2;
const LENGTH_CDF = cdfOf([70, 22, 8]);

const PAGES = ['/', '/pricing', '/blog/how-we-attribute', '/docs?q=a,b', '/checkout', '/café', '/book-a-call', '/thank-you'];
const CAMPAIGNS = ['Spring Sale', 'Black Friday, 2025', 'summer "hot" deals', 'Lanzamiento – Chile', '東京_launch', null];
const BROWSERS = [
  ['Safari', 'iOS'],
  ['Chrome', 'Android'],
  ['Chrome', 'Windows'],
  ['Firefox', 'Linux'],
  ['Edge', 'Windows'],
  ['Safari', 'macOS'],
] as const;
const CITIES = ['New York', 'Santiago', 'Ciudad de México', 'Madrid', 'London', 'München', 'São Paulo', 'Toronto', '東京', 'Buenos Aires', null];
const MEDIUM_BY_CHANNEL: Record<string, string | null> = {
  'Paid Social': 'paid',
  'Paid Search': 'cpc',
  'Organic Search': 'organic',
  'Organic Social': 'social',
  Direct: null,
  Email: 'email',
  Referral: 'referral',
  'Affiliate, Partners': 'affiliate',
};

type Kind = 'page_view' | 'form_submitted' | 'lead_created' | 'appointment_booked' | 'payment_received' | 'closed_won';
const KINDS: readonly Kind[] = ['page_view', 'form_submitted', 'lead_created', 'appointment_booked', 'payment_received', 'closed_won'];
const KIND_CDF = cdfOf([64, 9, 10, 6, 9, 2]);
const NAMES: Record<Kind, readonly string[]> = {
  page_view: ['page_view'],
  form_submitted: ['Demo request – "Pro" plan', 'contact, footer', 'newsletter'],
  lead_created: ['lead_created', 'Meta lead form'],
  appointment_booked: ['appointment_booked', 'Discovery call (30 min)'],
  payment_received: ['payment_received'],
  closed_won: ['closed_won'],
};

export type JourneyEvent = Record<string, unknown>;

/** The whole journey of pool customer `index`: from `startMs` on, ending by about `endMs`. */
export function journeyOf(seed: number, index: number, startMs: number, endMs: number): JourneyEvent[] {
  const rng = new Rng(hash3(seed ^ SALT_JOURNEY, index, 1));
  const band = rng.weighted(LENGTH_CDF);
  const count = band === 0 ? rng.range(1, 20) : band === 1 ? rng.range(21, 60) : rng.range(61, 160);
  const who = customer(seed, index);
  // Customers stay active: a timeline ends within three weeks of the sandbox's today.
  const end = Math.max(startMs, endMs - rng.int(21 * 86_400) * 1000);
  const gaps = Array.from({ length: count }, () => rng.range(20, rng.chance(0.2) ? 3 * 86_400 : 1_800) * 1000);
  let t = Math.max(startMs, end - gaps.reduce((a, b) => a + b, 0));
  const [browser, os] = rng.pick(BROWSERS);
  const device = rng.pick(DEVICES);
  const city = rng.pick(CITIES);
  const events: JourneyEvent[] = [];
  for (let k = 0; k < count; k++) {
    t += gaps[k]!;
    const kind = KINDS[rng.weighted(KIND_CDF)]!;
    const name = rng.pick(NAMES[kind]);
    const channel = rng.pick(CHANNELS);
    const synthetic = kind === 'lead_created' && rng.chance(0.4);
    const offsite = kind === 'payment_received' || kind === 'closed_won' || synthetic;
    const path = offsite ? null : rng.pick(PAGES);
    const value = kind === 'payment_received' ? rng.pick([49, 99, 299, 599.5, 19.99]) : kind === 'closed_won' ? rng.pick([1500, 4800]) : null;
    events.push({
      event_type: kind,
      event_name: name,
      event_time: isoSeconds(t),
      url: path === null ? null : `https://example.com${path}`,
      path,
      channel: offsite && !synthetic ? null : channel,
      source: kind === 'payment_received' ? 'stripe' : kind === 'closed_won' ? 'gohighlevel' : synthetic ? 'ig' : rng.pick(['ig', 'fb', 'google', '(direct)', 'newsletter']),
      medium: offsite && !synthetic ? null : MEDIUM_BY_CHANNEL[channel] ?? null,
      campaign: offsite && !synthetic ? null : rng.pick(CAMPAIGNS),
      value_amount: value,
      currency: value === null ? null : rng.pick(['USD', 'USD', 'CLP', 'EUR']),
      device: offsite ? null : device,
      browser: offsite ? null : browser,
      os: offsite ? null : os,
      country: offsite ? null : rng.chance(0.9) ? who.country : rng.pick(COUNTRIES),
      city: offsite ? null : city,
      is_synthetic: synthetic,
    });
  }
  return events;
}
