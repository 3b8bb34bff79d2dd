// The event endpoints' bodies (events, top, names, properties, properties/top, properties/values),
// computed from the world's raw events so they agree with the raw export to the event.
import { EVENT_NAMES } from './vocab.js';
import { eventsBetween, lastPeriods, type Period, type Unit } from './periods.js';
import type { EventDay, MixpanelWorld } from './world.js';

export type Metric = 'general' | 'unique' | 'average';

export interface ReportContext {
  world: MixpanelWorld;
  /** The sandbox clock, unix seconds: the current period ends here. */
  nowS: number;
}

/** Events and distinct people: enough for every analysis type. */
class Tally {
  count = 0;
  readonly users = new Set<number>();

  add(user: number): void {
    this.count++;
    this.users.add(user);
  }

  value(type: Metric): number {
    if (type === 'general') return this.count;
    if (type === 'unique') return this.users.size;
    return this.users.size === 0 ? 0 : round4(this.count / this.users.size);
  }
}

export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Tallies per key per period, over the events `keyOf` does not skip (undefined = skip). */
function tallyPeriods(ctx: ReportContext, periods: readonly Period[], keyOf: (d: EventDay, i: number) => string | undefined): Map<string, Tally>[] {
  return periods.map((p) => {
    const tallies = new Map<string, Tally>();
    for (const { d, i } of eventsBetween(ctx.world, p.start, p.end, ctx.nowS)) {
      const k = keyOf(d, i);
      if (k === undefined) continue;
      let t = tallies.get(k);
      if (!t) tallies.set(k, (t = new Tally()));
      t.add(d.user[i] as number);
    }
    return tallies;
  });
}

/** One tally per key over the whole range. */
function tallyTotal(ctx: ReportContext, periods: readonly Period[], keyOf: (d: EventDay, i: number) => string | undefined): Map<string, Tally> {
  const first = periods[0];
  const last = periods[periods.length - 1];
  return first && last ? (tallyPeriods(ctx, [{ label: '', start: first.start, end: last.end }], keyOf)[0] as Map<string, Tally>) : new Map();
}

const nameOf = (d: EventDay, i: number) => EVENT_NAMES[d.event[i] as number] as string;

/** Keys by the type's value, descending, then by name: "ordered by volume". */
function byVolume(tallies: Map<string, Tally>, type: Metric): string[] {
  return [...tallies.entries()]
    .filter(([, t]) => t.count > 0)
    .sort(([a, x], [b, y]) => y.value(type) - x.value(type) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k]) => k);
}

function seriesBody(periods: readonly Period[], keys: readonly string[], perPeriod: Map<string, Tally>[], type: Metric) {
  const values: Record<string, Record<string, number>> = {};
  for (const k of keys) {
    const points: Record<string, number> = {};
    periods.forEach((p, n) => (points[p.label] = perPeriod[n]?.get(k)?.value(type) ?? 0));
    values[k] = points;
  }
  return { data: { series: periods.map((p) => p.label), values }, legend_size: keys.length };
}

/** events/: every requested event, every period (0 where nothing happened, unknown names too). */
export function eventsReport(ctx: ReportContext, q: { events: string[]; type: Metric; unit: Unit; interval: number }) {
  const periods = lastPeriods(q.unit, q.interval, ctx.nowS);
  const wanted = new Set(q.events);
  const perPeriod = tallyPeriods(ctx, periods, (d, i) => (wanted.has(nameOf(d, i)) ? nameOf(d, i) : undefined));
  return seriesBody(periods, [...wanted], perPeriod, q.type);
}

/** events/top/: today so far against yesterday up to the same time of day. */
export function topEventsReport(ctx: ReportContext, q: { type: Metric; limit: number }) {
  const [today] = lastPeriods('day', 1, ctx.nowS) as [Period];
  const sinceMidnight = ctx.nowS - today.start;
  const now = tallyPeriods(ctx, [today], nameOf)[0] as Map<string, Tally>;
  const before = tallyPeriods({ ...ctx, nowS: today.start - 86_400 + sinceMidnight }, [{ label: '', start: today.start - 86_400, end: today.start }], nameOf)[0] as Map<string, Tally>;
  const events = byVolume(now, q.type)
    .slice(0, q.limit)
    .map((event) => {
      const amount = now.get(event)!.value(q.type);
      const was = before.get(event)?.value(q.type) ?? 0;
      return { amount, event, percent_change: was === 0 ? 1 : (amount - was) / was };
    });
  return { events, type: q.type };
}

/** events/names/: names seen over the range, by volume. */
export function eventNamesReport(ctx: ReportContext, q: { type: Metric; unit: Unit; interval: number; limit: number }) {
  const total = tallyTotal(ctx, lastPeriods(q.unit, q.interval, ctx.nowS), nameOf);
  return byVolume(total, q.type).slice(0, q.limit);
}

/** A property's value as a breakdown key: Mixpanel's "undefined" when the event lacks it. */
export function propertyKey(value: unknown): string {
  if (value === undefined) return 'undefined';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function propertyOf(ctx: ReportContext, event: string, name: string) {
  return (d: EventDay, i: number) => (nameOf(d, i) === event ? propertyKey(ctx.world.eventJson(d, i).properties[name]) : undefined);
}

/** events/properties/: one event broken down by one property, per period. */
export function propertiesReport(ctx: ReportContext, q: { event: string; name: string; values?: string[]; type: Metric; unit: Unit; interval: number; limit: number }) {
  const periods = lastPeriods(q.unit, q.interval, ctx.nowS);
  const keyOf = propertyOf(ctx, q.event, q.name);
  const keys = q.values ? [...new Set(q.values)] : byVolume(tallyTotal(ctx, periods, keyOf), 'general').slice(0, q.limit);
  return seriesBody(periods, keys, tallyPeriods(ctx, periods, keyOf), q.type);
}

/** events/properties/top/: the event's properties by how many of its events carry them (a count whatever the type). */
export function propertiesTopReport(ctx: ReportContext, q: { event: string; type: Metric; unit: Unit; interval: number; limit: number }) {
  const periods = lastPeriods(q.unit, q.interval, ctx.nowS);
  const counts = new Map<string, Tally>();
  const first = periods[0]!;
  for (const { d, i } of eventsBetween(ctx.world, first.start, periods[periods.length - 1]!.end, ctx.nowS)) {
    if (nameOf(d, i) !== q.event) continue;
    for (const prop of Object.keys(ctx.world.eventJson(d, i).properties)) {
      if (prop === 'time' || prop === 'distinct_id' || prop === '$insert_id') continue;
      let t = counts.get(prop);
      if (!t) counts.set(prop, (t = new Tally()));
      t.add(d.user[i] as number);
    }
  }
  const out: Record<string, { count: number }> = {};
  for (const prop of byVolume(counts, 'general').slice(0, q.limit)) out[prop] = { count: counts.get(prop)!.count };
  return out;
}

/** events/properties/values/: the property's values seen on the event, by volume. */
export function propertyValuesReport(ctx: ReportContext, q: { event: string; name: string; type: Metric; unit: Unit; interval: number; limit: number }) {
  const keyOf = propertyOf(ctx, q.event, q.name);
  const total = tallyTotal(ctx, lastPeriods(q.unit, q.interval, ctx.nowS), (d, i) => {
    const k = keyOf(d, i);
    return k === 'undefined' ? undefined : k;
  });
  return byVolume(total, q.type).slice(0, q.limit);
}
