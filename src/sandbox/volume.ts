// How much data each day holds. Scale 1 is the contract's UAT volume for a live key over 30
// days (~207k conversion rows, ~102k funnel rows, ~3.8k spend rows); test keys see a tenth.
// Days vary by weekday and by a per-day noise drawn from the day's own hash.
import { hash3, unit } from './hash.js';
import { weekday, DAY_MICROS } from './calendar.js';
import type { SandboxEnvironment } from './keys.js';

/**
 * Live, scale 1, per average day. A conversion yields 2 + 6 x journey length credit rows
 * (first/last touch one each, six models one per touchpoint): mean journey 2.45, so ~16.7 rows,
 * and 413 conversions make ~6.9k rows. Funnel: 413 conversions + ~235 event twins + 1500
 * sessions (96% shown as visits) + ~1320 session events = ~3.4k rows.
 */
export const LIVE_PER_DAY = {
  conversions: 413,
  sessions: 1500,
  spendRows: 127,
} as const;

const ENV_SHARE: Record<SandboxEnvironment, number> = { live: 1, test: 0.1 };

// Sunday first (Ruby's wday); they average to 1 over a week.
const WEEKDAY = [0.84, 1.08, 1.12, 1.1, 1.06, 0.98, 0.82];

/** Upper bound of weekday x noise: sizes id ranges that must never collide. */
export const MAX_DAY_FACTOR = 1.12 * 1.1;

export interface VolumeContext {
  envSeed: number;
  scale: number;
  environment: SandboxEnvironment;
}

/** The day's busyness around 1: weekday rhythm times +-10% noise. */
export function dayFactor(envSeed: number, day: number): number {
  return (WEEKDAY[weekday(day)] as number) * (0.9 + 0.2 * unit(hash3(envSeed, day, 0x5ca1ab1e)));
}

export function dailyCount(ctx: VolumeContext, perDay: number, day: number): number {
  return Math.max(0, Math.round(perDay * ctx.scale * ENV_SHARE[ctx.environment] * dayFactor(ctx.envSeed, day)));
}

export function envShare(environment: SandboxEnvironment): number {
  return ENV_SHARE[environment];
}

/**
 * Time of day for the i-th of n ordered events, in microseconds: strictly increasing in i, busier
 * around midday than at night. Monotone, so "what exists by time t" is a prefix of the order.
 */
export function orderedTimeOfDay(i: number, n: number, jitter: number): number {
  const x = (i + jitter) / n;
  // x + a sin(2 pi x) / 2 pi stays monotone for a < 1 and bunches values near x = 0.5 (noon).
  const warped = x + (0.6 * Math.sin(2 * Math.PI * x)) / (2 * Math.PI);
  return Math.min(DAY_MICROS - 1, Math.floor(warped * DAY_MICROS));
}

/** An unordered time of day with the same midday bulge (sessions, spend hours). */
export function randomTimeOfDay(u: number): number {
  return orderedTimeOfDay(0, 1, u);
}
