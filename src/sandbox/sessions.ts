// Sessions and their events, rebuilt from hash(environment, day, index). Funnel visits and
// events come from here; conversions point at sessions by id.
import { Rng, cdfOf, hash2, hash3 } from './hash.js';
import { jsonString, rubyFloat, JsonbShape } from './ruby-json.js';
import { dayFromCivil, DAY_MICROS } from './calendar.js';
import { dailyCount, randomTimeOfDay, LIVE_PER_DAY, MAX_DAY_FACTOR, type VolumeContext } from './volume.js';
import { EVENT_TYPES, EVENT_TYPE_CDF, NOTES_JSON, NULL_CHANNEL, PATHS_JSON, SESSION_CHANNEL_CDF, UTM_JSON_BY_CHANNEL, UTM_NULL_JSON } from './vocab.js';

const SALT_SESSION = 0x5e55;
const EVENTS_PER_SESSION_CDF = cdfOf([55, 20, 12, 8, 5]);
const ID_EPOCH = dayFromCivil(2000, 1, 1);
export const MAX_EVENTS = 8;

export interface SessionEvent {
  /** Microseconds into the day (clamped to the session's day). */
  ts: number;
  type: number;
  propertiesJson: string;
}

export interface Session {
  start: number;
  /** NULL_CHANNEL when the session has no channel. */
  channel: number;
  /** `,"utm_source":…` from initial_utm. */
  utm: string;
  /** Suspect sessions are not visits, but their events still show. */
  suspect: boolean;
  events: SessionEvent[];
}

const PAGE = new JsonbShape(['path', 'referrer']);
const CART = new JsonbShape(['sku', 'price', 'qty', 'note']);
const FORM = new JsonbShape(['form', 'fields', 'company']);

function eventProperties(rng: Rng, type: number): string {
  switch (EVENT_TYPES[type]?.name) {
    case 'page_view':
      return PAGE.render([rng.pick(PATHS_JSON), rng.chance(0.6) ? 'null' : '"https://news.ycombinator.com/item?id=1"']);
    case 'add_to_cart':
      return CART.render([
        jsonString(`SKU-${rng.range(1000, 9999)}`), rubyFloat(Math.round((5 + rng.float() * 200) * 100) / 100),
        String(rng.range(1, 3)), rng.chance(0.2) ? rng.pick(NOTES_JSON) : undefined,
      ]);
    case 'form_submit':
      return FORM.render(['"contact"', String(rng.range(2, 9)), rng.chance(0.5) ? rng.pick(NOTES_JSON) : 'null']);
    default:
      return '{}';
  }
}

export function sessionsOn(ctx: VolumeContext, day: number): number {
  return dailyCount(ctx, LIVE_PER_DAY.sessions, day);
}

/** `withProperties` false skips the events' property text (the funnel index needs none). */
export function drawSession(ctx: VolumeContext, day: number, j: number, withProperties = true): Session {
  const seed = hash3(ctx.envSeed ^ SALT_SESSION, day, j);
  const rng = new Rng(seed);
  const start = randomTimeOfDay(rng.float());
  const channel = rng.chance(0.03) ? NULL_CHANNEL : rng.weighted(SESSION_CHANNEL_CDF);
  const options = channel === NULL_CHANNEL ? [UTM_NULL_JSON] : (UTM_JSON_BY_CHANNEL[channel] as string[]);
  const utm = rng.chance(0.12) ? UTM_NULL_JSON : (options[rng.int(options.length)] as string);
  const suspect = rng.chance(0.04);
  const count = rng.weighted(EVENTS_PER_SESSION_CDF);
  const events: SessionEvent[] = [];
  let ts = start;
  for (let k = 0; k < count; k++) {
    ts = Math.min(DAY_MICROS - 1, ts + rng.range(5, 900) * 1_000_000 + rng.int(1_000_000));
    const type = rng.weighted(EVENT_TYPE_CDF);
    // Each event's properties have their own seed, so skipping them changes no other draw.
    events.push({ ts, type, propertiesJson: withProperties ? eventProperties(new Rng(hash2(seed, k + 1)), type) : '' });
  }
  return { start, channel, utm, suspect, events };
}

/**
 * sessions.id: increasing with time like a database sequence, disjoint between test and live
 * (both live in one table), and never colliding because each day gets more ids than it can use.
 */
export function sessionId(ctx: VolumeContext, day: number, j: number): number {
  const stride = Math.ceil(LIVE_PER_DAY.sessions * ctx.scale * MAX_DAY_FACTOR) + 1;
  return 100_000 + ((day - ID_EPOCH) * stride + j) * 2 + (ctx.environment === 'live' ? 0 : 1);
}
