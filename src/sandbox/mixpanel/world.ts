// The sandbox project's raw events, generated per UTC day from the seed: sessions of people
// moving through the site (vocab.ts), so funnels convert, cohorts come back and property
// breakdowns have a shape. Every report the mount serves (events, retention, funnels, the raw
// export) is computed from these same events, and truth.ts reads them too.
import { weekday } from '../calendar.js';
import { fmix32, hash2, hash3, Rng, unit } from '../hash.js';
import { Lru, bytesOf } from '../lru.js';
import { BROWSERS, CITIES, CURRENCIES, E, EVENT_NAMES, MAX_SESSION_EVENTS, NEXT_CDF, OSES, PAGES, PLANS, SEARCH_TERMS, SESSION_END, UTM_SOURCES } from './vocab.js';

export const DAY_S = 86_400;

export interface WorldOptions {
  seed: number;
  scale: number;
  /** First day (days since 1970-01-01) that holds events. */
  dataStartDay: number;
}

/** One day's events in time order, as parallel arrays. */
export interface EventDay {
  day: number;
  count: number;
  event: Uint8Array;
  /** Seconds since the day's midnight UTC. */
  second: Int32Array;
  user: Int32Array;
  /** Per-event hash: its $insert_id and its own property draws. */
  key: Uint32Array;
}

export interface Person {
  distinctId: string;
  props: Record<string, string>;
}

const SESSIONS_PER_DAY = 220;
const WEEKDAY = [0.8, 1.08, 1.12, 1.1, 1.06, 0.98, 0.78];
const NAMES = ['zoë', 'jürgen', 'ana.maría', 'o\u2019brien', 'li.wei', 'sam+test'];

export class MixpanelWorld {
  readonly people: number;
  private readonly projectSeed: number;
  private readonly days = new Lru<EventDay>(64 * 1024 * 1024, (d) => bytesOf(d.event, d.second, d.user, d.key));
  private readonly personCache = new Map<number, Person>();

  constructor(readonly options: WorldOptions) {
    this.projectSeed = hash2(options.seed, 0x3a1e5);
    this.people = Math.max(40, Math.round(4000 * options.scale));
  }

  /** The whole day (no clock cut): callers drop what happened after "now". */
  day(day: number): EventDay {
    return this.days.getOrCreate(String(day), () => this.generate(day));
  }

  private generate(day: number): EventDay {
    const empty: EventDay = { day, count: 0, event: new Uint8Array(0), second: new Int32Array(0), user: new Int32Array(0), key: new Uint32Array(0) };
    if (day < this.options.dataStartDay) return empty;
    const busy = (WEEKDAY[weekday(day)] as number) * (0.9 + 0.2 * unit(hash3(this.projectSeed, day, 0xb05)));
    const sessions = Math.round(SESSIONS_PER_DAY * this.options.scale * busy);
    const ev: number[] = [];
    const sec: number[] = [];
    const usr: number[] = [];
    const keys: number[] = [];
    const rng = new Rng(0);
    for (let s = 0; s < sessions; s++) {
      const h = hash3(this.projectSeed, day, s);
      rng.reseed(h);
      // Squared draw: a few people come back often, which is what gives retention a shape.
      const person = Math.floor(this.people * rng.float() ** 2);
      let t = rng.int(DAY_S - 60);
      let e = rng.chance(0.15) ? E.Searched : E['Viewed Page'];
      for (let k = 0; k < MAX_SESSION_EVENTS && t < DAY_S; k++) {
        ev.push(e);
        sec.push(t);
        usr.push(person);
        keys.push(hash3(h, k, 0x1d));
        const next = rng.weighted(NEXT_CDF[e] as Float64Array);
        if (next === SESSION_END) break;
        e = next;
        t += rng.range(5, 600);
      }
    }
    const order = ev.map((_, i) => i).sort((a, b) => (sec[a] as number) - (sec[b] as number) || a - b);
    return {
      day,
      count: order.length,
      event: Uint8Array.from(order, (i) => ev[i] as number),
      second: Int32Array.from(order, (i) => sec[i] as number),
      user: Int32Array.from(order, (i) => usr[i] as number),
      key: Uint32Array.from(order, (i) => keys[i] as number),
    };
  }

  person(index: number): Person {
    let p = this.personCache.get(index);
    if (p) return p;
    const h = hash2(this.projectSeed, index ^ 0x5eed);
    const rng = new Rng(h);
    const kind = rng.int(10);
    const hex = (n: number) => fmix32(h + n).toString(16).padStart(8, '0');
    const distinctId =
      kind < 5 ? `u_${index}` : kind < 8 ? `$device:${hex(1)}-${hex(2).slice(0, 4)}-${hex(3)}` : kind < 9 ? `${rng.pick(NAMES)}.${index}@example.com` : String(100_000 + index);
    const [city, country] = rng.pick(CITIES);
    const props: Record<string, string> = { $browser: rng.pick(BROWSERS), $os: rng.pick(OSES) };
    if (city !== null) props.$city = city;
    props.mp_country_code = country;
    props.plan = rng.pick(PLANS);
    const utm = rng.pick(UTM_SOURCES);
    if (utm !== null) props.utm_source = utm;
    p = { distinctId, props };
    if (this.personCache.size > 200_000) this.personCache.clear();
    this.personCache.set(index, p);
    return p;
  }

  /** Event `i` of `d` as the export writes it: {"event","properties":{time,distinct_id,$insert_id,…}}. */
  eventJson(d: EventDay, i: number): { event: string; properties: Record<string, unknown> } {
    const e = d.event[i] as number;
    const key = d.key[i] as number;
    const person = this.person(d.user[i] as number);
    const rng = new Rng(key);
    const insertId = [key, fmix32(key ^ 0xa5a5), fmix32(key + 0x77), fmix32(key ^ 0x1234567)].map((x) => x.toString(16).padStart(8, '0')).join('');
    const properties: Record<string, unknown> = {
      time: d.day * DAY_S + (d.second[i] as number),
      distinct_id: person.distinctId,
      $insert_id: insertId,
      ...person.props,
      mp_lib: 'web',
    };
    if (e === E['Viewed Page']) properties.$current_url = `https://shop.example.com${rng.pick(PAGES)}`;
    if (e === E.Searched) properties.search_term = rng.pick(SEARCH_TERMS);
    if (e === E['Added to Cart']) properties.item_count = rng.range(1, 5);
    if (e === E.Purchased) {
      properties.amount = Math.round(rng.range(500, 25_000) + rng.float() * 100) / 100;
      properties.currency = rng.pick(CURRENCIES);
    }
    if (e === E['Played Video']) properties.video_seconds = rng.range(3, 900);
    if (rng.chance(0.05)) properties.referrer = null;
    return { event: EVENT_NAMES[e] as string, properties };
  }
}
