// The sandbox's Sealmetrics microconversions, one UTC day at a time, from the seed alone: a day is
// rebuilt identically by the server and by the truth function, whatever else was asked before.
// Rows come in sessions: a visitor often converts two or three times within a second or two,
// which is what gives the server's newest-first order its ties.
import { dayString, DAY_MS, weekday } from '../calendar.js';
import { hash2, hash3, hashString, Rng, unit } from '../hash.js';
import { Lru } from '../lru.js';
import { CHANNEL_CDF, CHANNELS, COUNTRIES, COUNTRY_CDF, DAILY_BASE, HOUR_CDF, LABEL_CDF, LABELS, SESSION_EVENTS_CDF } from './vocab.js';

export interface Microconversion {
  /** Epoch seconds of the event: the ObjectId's first 4 bytes. */
  ts: number;
  id: string;
  /** Not in the row (the endpoint does not return it), but `country=` filters on it. */
  country: string;
  /** The row as the server writes it. */
  json: string;
}

const cache = new Lru<Microconversion[]>(600_000, (rows) => rows.length + 1);

/** Every microconversion of `day` (days since 1970) for the account, oldest first. */
export function dayRows(seed: number, scale: number, account: string, day: number): Microconversion[] {
  return cache.getOrCreate(`${seed}|${scale}|${account}|${day}`, () => generateDay(seed, scale, account, day));
}

function dailyCount(seed: number, scale: number, account: string, day: number): number {
  const base = DAILY_BASE[account] ?? 100;
  const weekend = weekday(day) === 0 || weekday(day) === 6 ? 0.7 : 1;
  const swing = 0.75 + 0.5 * unit(hash3(seed, hashString(account), day ^ 0x5ea1));
  return Math.round(scale * base * weekend * swing);
}

function generateDay(seed: number, scale: number, account: string, day: number): Microconversion[] {
  const n = dailyCount(seed, scale, account, day);
  const rng = new Rng(hash3(seed, hashString(account), day));
  const date = dayString(day);
  const dayStart = (day * DAY_MS) / 1000;
  const events: Array<{ sec: number; body: string; country: string }> = [];
  while (events.length < n) {
    const k = Math.min(n - events.length, rng.weighted(SESSION_EVENTS_CDF) + 1);
    const channel = CHANNELS[rng.weighted(CHANNEL_CDF)]!;
    const source = rng.pick(channel.sources);
    const campaign = rng.pick(channel.campaigns);
    const term = rng.pick(channel.terms);
    const matchtype = rng.pick(channel.matchtypes);
    const country = COUNTRIES[rng.weighted(COUNTRY_CDF)]!;
    const utm =
      `"utm_matchtype":${phpNullable(matchtype)},"utm_campaign":${phpString(campaign)},"utm_source":${phpString(source)},` +
      `"utm_medium":${phpString(channel.medium)}${term === undefined ? '' : `,"utm_term":${phpNullable(term)}`}`;
    let sec = rng.weighted(HOUR_CDF) * 3600 + rng.int(3600);
    for (let j = 0; j < k; j++) {
      // A third of follow-up events land in the same second as the one before: a tie.
      if (j > 0 && !rng.chance(0.35)) sec = Math.min(86_399, sec + rng.range(1, 90));
      const label = LABELS[rng.weighted(LABEL_CDF)]!;
      events.push({ sec, body: `${utm},"label":${phpString(label)}`, country });
    }
  }
  events.sort((a, b) => a.sec - b.sec);
  // ObjectId: 4-byte seconds, 5 bytes fixed per "server", 3-byte counter.
  const machine = hex(hash2(seed, hashString(account)), 8) + hex(hash2(seed, 77) & 0xff, 2);
  const counterBase = hash3(seed, hashString(account), day) & 0xffffff;
  return events.map((e, i) => {
    const ts = dayStart + e.sec;
    const id = hex(ts, 8) + machine + hex((counterBase + i) & 0xffffff, 6);
    return { ts, id, country: e.country, json: `{"_id":"${id}","date":"${date}",${e.body}}` };
  });
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/**
 * A string as PHP's json_encode writes it with Laravel's default options (none): "/" becomes
 * "\/" and everything past ASCII becomes \uXXXX (surrogate pairs as two escapes).
 */
export function phpString(s: string): string {
  return JSON.stringify(s)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function phpNullable(s: string | null): string {
  return s === null ? 'null' : phpString(s);
}
