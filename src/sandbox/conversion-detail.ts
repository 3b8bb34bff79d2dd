// One conversion, rebuilt from hash(environment, day, index) alone: its journey, its credits
// under the eight models, and the JSON fragments of its rows. Both /conversions (one row per
// credit) and /funnel (one row per conversion) read conversions from here.
import { Rng, hash3, unit } from './hash.js';
import { jsonString, rubyFloat, JsonbShape } from './ruby-json.js';
import {
  CONVERSION_TYPES, CONVERSION_TYPE_CDF, CONVERSION_NAME_JSON, CURRENCIES, FIRST_TOUCH_CDF, FUNNEL_JSON,
  JOURNEY_LENGTH_CDF, LATER_TOUCH_CDF, NOTES_JSON, PLANS_JSON, PATHS_JSON, UTM_JSON_BY_CHANNEL, UTM_NULL_JSON,
} from './vocab.js';
import { dayString } from './calendar.js';
import { orderedTimeOfDay, type VolumeContext } from './volume.js';

export const MAX_JOURNEY = 6;
const SALT_SHAPE = 0x51a9e;
const SALT_TIME = 0x7143;
const SALT_DETAIL = 0xde7a11;
const SALT_TYPE = 0x7e9e;

const scratch = new Rng(0);

/** Journey length and touchpoint channels: all the per-day index needs, drawn first and cheaply. */
export function drawShape(ctx: VolumeContext, day: number, i: number, chans: Uint8Array, at: number): number {
  const rng = scratch.reseed(hash3(ctx.envSeed ^ SALT_SHAPE, day, i));
  const length = rng.weighted(JOURNEY_LENGTH_CDF) + 1;
  chans[at] = rng.weighted(FIRST_TOUCH_CDF);
  for (let k = 1; k < length; k++) chans[at + k] = rng.weighted(LATER_TOUCH_CDF);
  return length;
}

/** converted_at as microseconds into the day: increasing in i, so the day's order is by index. */
export function conversionTime(ctx: VolumeContext, day: number, i: number, n: number): number {
  return orderedTimeOfDay(i, n, unit(hash3(ctx.envSeed ^ SALT_TIME, day, i)));
}

/** The conversion type, drawn on its own so the funnel index can read it without the rest. */
export function conversionType(ctx: VolumeContext, day: number, i: number): number {
  return scratch.reseed(hash3(ctx.envSeed ^ SALT_TYPE, day, i)).weighted(CONVERSION_TYPE_CDF);
}

/** Conversion-level flags the funnel index needs: no session (5%), created from an event (60%). */
export function conversionFlags(ctx: VolumeContext, day: number, i: number): { sessionless: boolean; fromEvent: boolean } {
  const h = hash3(ctx.envSeed ^ SALT_TYPE, day, ~i);
  const sessionless = unit(h) < 0.05;
  return { sessionless, fromEvent: !sessionless && (h & 0xff) < 154 };
}

export interface ConversionDetail {
  length: number;
  chans: Uint8Array;
  typeIndex: number;
  funnel: number;
  sessionless: boolean;
  /** Days from each touchpoint's session start to the conversion. */
  daysBefore: number[];
  /** `{"date":…,"funnel":…,"attribution_model":` */
  head: string;
  revenueJson: string;
  currencyJson: string;
  isAcquisition: boolean;
  propertiesJson: string;
  /** `,"utm_source":…` per touchpoint. */
  utm: string[];
  /** `"journey_position":…,"touchpoint_index":…,"journey_length":…,"days_to_conversion":…}` per touchpoint (contract §4 order). */
  tails: string[];
  /** Credit per model per touchpoint (first/last touch only at their touchpoint). */
  credits: number[][];
  revenue: number | null;
  /** For the funnel's session_id: which earlier session converted. */
  sessionPick: number;
}

const PURCHASE = new JsonbShape(['order_id', 'items', 'coupon', 'gift_note', 'sku', 'score']);
const SIGNUP = new JsonbShape(['plan', 'referrer', 'landing_path']);
const LEAD = new JsonbShape(['form', 'company', 'employees', 'message']);
const OTHER = new JsonbShape(['source', 'note']);
const EXOTIC = [rubyFloat(1e-6), rubyFloat(1e16), rubyFloat(0.00012), rubyFloat(2.0), '7'];

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

function properties(rng: Rng, typeIndex: number): string {
  if (rng.chance(0.18)) return '{}';
  const note = () => (rng.chance(0.25) ? (rng.pick(NOTES_JSON)) : undefined);
  const type = CONVERSION_TYPES[typeIndex] as (typeof CONVERSION_TYPES)[number];
  if (type.funnel === 1) {
    return PURCHASE.render([
      jsonString(`ord_${rng.range(100000, 999999)}`), String(rng.range(1, 5)), rng.chance(0.2) ? '"SPRING10"' : 'null',
      note(), rng.chance(0.5) ? jsonString(`SKU-${rng.range(1000, 9999)}`) : undefined, rng.chance(0.03) ? rng.pick(EXOTIC) : undefined,
    ]);
  }
  if (type.funnel === 2) return SIGNUP.render([rng.pick(PLANS_JSON), rng.chance(0.5) ? 'null' : '"https://example.com/?a=1&b=2"', rng.pick(PATHS_JSON)]);
  if (type.funnel === 3) return LEAD.render(['"contact"', rng.chance(0.6) ? rng.pick(NOTES_JSON) : 'null', String(rng.range(1, 5000)), note()]);
  return OTHER.render([rng.chance(0.5) ? '"ios"' : '"web"', note()]);
}

/** Credits by model, in ALGORITHMS order; decimal(5,4) on the server, so four places. */
function creditsFor(rng: Rng, length: number, daysBefore: number[]): number[][] {
  const even = round(1 / length, 4);
  const normalised = (weights: number[]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    return weights.map((w) => round(w / total, 4));
  };
  const u = length === 1 ? [1] : length === 2 ? [0.5, 0.5] : daysBefore.map((_, k) => (k === 0 || k === length - 1 ? 0.4 : round(0.2 / (length - 2), 4)));
  return [
    [1],
    [1],
    daysBefore.map(() => even),
    normalised(daysBefore.map((d) => 2 ** (-d / 7))),
    u,
    daysBefore.map(() => 1),
    normalised(daysBefore.map(() => 0.2 + rng.float())),
    normalised(daysBefore.map(() => 0.2 + rng.float())),
  ];
}

export function conversionDetail(ctx: VolumeContext, day: number, i: number): ConversionDetail {
  const chans = new Uint8Array(MAX_JOURNEY);
  const length = drawShape(ctx, day, i, chans, 0);
  const typeIndex = conversionType(ctx, day, i);
  const { sessionless } = conversionFlags(ctx, day, i);
  const type = CONVERSION_TYPES[typeIndex] as (typeof CONVERSION_TYPES)[number];
  const rng = new Rng(hash3(ctx.envSeed ^ SALT_DETAIL, day, i));

  // Touchpoint ages: the first touch is the oldest, later ones no older than the one before.
  const daysBefore: number[] = [];
  let age = length === 1 ? Math.floor(rng.float() ** 3 * 20) : Math.floor(rng.float() ** 2 * 45);
  for (let k = 0; k < length; k++) {
    daysBefore.push(age);
    age = Math.floor(age * rng.float() ** 0.7);
  }

  const currency = type.revenue === null && rng.chance(0.8) ? null : rng.pick(CURRENCIES);
  let revenue: number | null = null;
  if (type.revenue !== null) {
    const amount = type.revenue * Math.exp((rng.float() - 0.5) * 1.6) * (currency === 'JPY' ? 150 : 1);
    revenue = currency === 'JPY' || rng.chance(0.15) ? Math.round(amount) : round(amount, 2);
  }
  const isAcquisition = rng.chance(0.35);
  const propertiesJson = properties(rng, typeIndex);

  // Sessions missing from journey_session_ids get no index; deleted sessions no day count.
  const emptyJourney = rng.chance(0.01);
  const inJourney = daysBefore.map(() => !emptyJourney && !rng.chance(0.03));
  const journeyLength = inJourney.filter(Boolean).length;
  const lengthJson = journeyLength > 0 ? String(journeyLength) : 'null';
  let position = 0;
  const tails = daysBefore.map((d, k) => {
    const gone = rng.chance(0.02);
    const index = inJourney[k] ? position++ : null;
    const where = index === null ? 'null' : index === 0 ? '"first_touch"' : index === journeyLength - 1 ? '"last_touch"' : '"assisted"';
    return `"journey_position":${where},"touchpoint_index":${index ?? 'null'},"journey_length":${lengthJson},"days_to_conversion":${gone ? 'null' : d}}`;
  });
  const utm = daysBefore.map((_, k) => {
    const options = UTM_JSON_BY_CHANNEL[chans[k] as number] as string[];
    return rng.chance(0.1) ? UTM_NULL_JSON : (options[rng.int(options.length)] as string);
  });

  return {
    length, chans, typeIndex, funnel: type.funnel, sessionless, daysBefore, revenue,
    head: `{"date":"${dayString(day)}","type":"conversion","name":${CONVERSION_NAME_JSON[typeIndex]},"funnel":${FUNNEL_JSON[type.funnel]},"attribution_model":`,
    revenueJson: revenue === null ? 'null' : rubyFloat(revenue),
    currencyJson: currency === null ? 'null' : `"${currency}"`,
    isAcquisition,
    propertiesJson,
    utm,
    tails,
    credits: creditsFor(rng, length, daysBefore),
    sessionPick: rng.next(),
  };
}
