// Atribu's customers list: per goal and UTC day, conversions rebuilt from hash(seed, day, goal,
// index), sorted the way the server pages them (conversion_time desc, conversion_id desc), and
// walked day by day from a keyset cursor so a long window never sits in memory.
import { DAY_MS } from '../calendar.js';
import { Rng, hash2, hash3 } from '../hash.js';
import { Lru } from '../lru.js';
import { dayFactor, randomTimeOfDay } from '../volume.js';
import { COUNTRIES, DEVICES, customer, customerCount, uuidFrom } from './people.js';

export const GOALS = ['payment_received', 'lead_created', 'appointment_booked', 'closed_won'] as const;
const DAILY_MEAN = [18, 30, 9, 4];
const SALT_CONVERSION = 0xa7b1;

export const CHANNELS = ['Paid Social', 'Paid Search', 'Organic Search', 'Organic Social', 'Direct', 'Email', 'Referral', 'Affiliate, Partners'];
const SOURCES: Record<string, string[]> = {
  'Paid Social': ['ig', 'fb', 'tiktok'],
  'Paid Search': ['google', 'bing'],
  'Organic Search': ['google', 'duckduckgo'],
  'Organic Social': ['ig', 'linkedin', 'x.com'],
  Direct: ['(direct)'],
  Email: ['newsletter', 'klaviyo'],
  Referral: ['news.ycombinator.com', 'blog.example.org'],
  'Affiliate, Partners': ['Partner, Ltd.', 'impact'],
};

/** One conversion: the API's row, plus what the pager sorts and filters on. */
export interface Conversion {
  timeMs: number;
  id: string;
  /** name and email, lower-cased, for `search`. */
  haystack: string;
  row: Record<string, unknown>;
}

export interface AtribuData {
  seed: number;
  scale: number;
  dataStartDay: number;
}

/** ISO 8601 at whole seconds, as the rows carry it. */
export const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function drawDay(d: AtribuData, day: number, goal: number): Conversion[] {
  if (day < d.dataStartDay) return [];
  const base = hash3(d.seed ^ SALT_CONVERSION, day, goal);
  const count = Math.round((DAILY_MEAN[goal] ?? 1) * d.scale * dayFactor(base, day));
  const pool = customerCount(d.scale);
  const out: Conversion[] = [];
  let previousSecond = -1;
  for (let j = 0; j < count; j++) {
    const rng = new Rng(hash2(base, j));
    // One conversion in eight shares its second with the one before: keyset paging must
    // break the tie on conversion_id or a page edge there repeats or skips a row.
    const second = previousSecond >= 0 && rng.chance(0.125) ? previousSecond : Math.floor(randomTimeOfDay(rng.float()) / 1_000_000);
    previousSecond = second;
    const timeMs = day * DAY_MS + second * 1000;
    const who = customer(d.seed, rng.int(pool));
    const channel = rng.pick(CHANNELS);
    const touches = rng.range(1, 8);
    const touchChannels = [...new Set([channel, ...Array.from({ length: touches - 1 }, () => rng.pick(CHANNELS))])];
    const revenue = goal === 0 ? rng.pick([49, 99, 299, 599.5, 1200, 19.99]) : goal === 3 ? rng.pick([1500, 4800, 12_000]) : null;
    const id = uuidFrom(hash2(base, j + 0x10000), hash3(base, j, 7), (day & 0xfffff) * 4096 + goal * 1024 + (j & 1023));
    const row = {
      conversion_id: id,
      customer_profile_id: who.id,
      name: who.name,
      email: who.email,
      country: rng.chance(0.05) ? null : rng.chance(0.85) ? who.country : rng.pick(COUNTRIES),
      device: rng.pick(DEVICES),
      channel,
      source: rng.pick(SOURCES[channel] ?? ['(direct)']),
      revenue,
      revenue_type: goal === 0 ? 'cash' : goal === 3 ? 'pipeline' : null,
      conversion_time: isoSeconds(timeMs),
      time_to_complete_seconds: touches === 1 && rng.chance(0.5) ? 0 : rng.range(60, 45 * 86_400),
      touch_count: touches,
      touch_channels: touchChannels,
      conversion_count: who.conversionCount,
      total_revenue: revenue === null ? who.lifetimeRevenue : Math.round((who.lifetimeRevenue + revenue) * 100) / 100,
    };
    out.push({ timeMs, id, haystack: `${who.name ?? ''}\n${who.email ?? ''}`.toLowerCase(), row });
  }
  return out.sort(compareDesc);
}

/** The server's order: newest first, ties by conversion_id descending. */
export function compareDesc(a: { timeMs: number; id: string }, b: { timeMs: number; id: string }): number {
  return b.timeMs - a.timeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export interface CustomersQuery {
  fromDay: number;
  toDay: number;
  goal: number;
  /** Lower-cased; '' = none. */
  search: string;
  /** Rows strictly after this position in the server's order. */
  after?: { timeMs: number; id: string };
  nowMs: number;
}

export class AtribuConversions {
  private readonly days = new Lru<Conversion[]>(20_000, (v) => v.length + 1);

  constructor(readonly data: AtribuData) {}

  private day(day: number, goal: number): Conversion[] {
    const key = `${day}|${goal}`;
    let rows = this.days.get(key);
    if (!rows) {
      rows = drawDay(this.data, day, goal);
      this.days.set(key, rows);
    }
    return rows;
  }

  /** The matching conversions in the server's order, from the cursor on, newest day first. */
  *walk(q: CustomersQuery): Generator<Conversion> {
    const nowDay = Math.floor(q.nowMs / DAY_MS);
    let top = Math.min(q.toDay, nowDay);
    if (q.after) top = Math.min(top, Math.floor(q.after.timeMs / DAY_MS));
    for (let day = top; day >= Math.max(q.fromDay, this.data.dataStartDay); day--) {
      for (const c of this.day(day, q.goal)) {
        if (c.timeMs > q.nowMs) continue;
        if (q.after && compareDesc(q.after, c) >= 0) continue;
        if (q.search !== '' && !c.haystack.includes(q.search)) continue;
        yield c;
      }
    }
  }
}
