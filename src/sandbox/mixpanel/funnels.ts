// The funnel endpoints' bodies. A person enters a funnel at their first step-1 event of the
// week and moves on at each next step's event after that, in time order, within the week.
import { dayString, weekday } from '../calendar.js';
import { ApiError } from './query.js';
import { DISPLAY_NAMES, EVENT_NAMES, FUNNELS, type FunnelDef } from './vocab.js';
import { propertyKey, type ReportContext } from './event-reports.js';
import { eventsBetween, lastPeriods, type Period } from './periods.js';
import { DAY_S, type EventDay } from './world.js';

interface Entry {
  /** Steps reached, 1..n. */
  furthest: number;
  /** The step-1 event: its properties are the person's for breakdowns. */
  d: EventDay;
  i: number;
}

export function funnelDef(name: string): FunnelDef {
  const def = FUNNELS.find((f) => f.name === name);
  // ASSUMED: the contract does not say what an unknown funnel name gets.
  if (!def) throw new ApiError('Invalid parameter: funnel');
  return def;
}

function entries(ctx: ReportContext, def: FunnelDef, p: Period): Map<number, Entry> {
  const people = new Map<number, Entry>();
  for (const { d, i } of eventsBetween(ctx.world, p.start, p.end, ctx.nowS)) {
    const user = d.user[i] as number;
    const e = d.event[i] as number;
    const entry = people.get(user);
    if (!entry) {
      if (e === def.steps[0]) people.set(user, { furthest: 1, d, i });
    } else if (entry.furthest < def.steps.length && e === def.steps[entry.furthest]) {
      entry.furthest++;
    }
  }
  return people;
}

function stepCounts(def: FunnelDef, people: Map<number, Entry>): number[] {
  const counts = def.steps.map(() => 0);
  for (const { furthest } of people.values()) for (let s = 0; s < furthest; s++) counts[s]!++;
  return counts;
}

/** funnels/: weeks with anyone in the funnel, each with its steps and conversion ratios. */
export function funnelsReport(ctx: ReportContext, q: { funnels: string[]; unit: 'week'; interval: number }) {
  const periods = lastPeriods('week', q.interval, ctx.nowS);
  const body: Record<string, unknown> = {};
  for (const name of new Set(q.funnels)) {
    const def = funnelDef(name);
    const data: Record<string, unknown> = {};
    for (const p of periods) {
      const counts = stepCounts(def, entries(ctx, def, p));
      const first = counts[0] as number;
      if (first === 0) continue;
      const steps = counts.map((count, s) => ({
        count,
        goal: EVENT_NAMES[def.steps[s] as number],
        overall_conv_ratio: count / first,
        step_conv_ratio: s === 0 ? 1 : (counts[s - 1] as number) === 0 ? 0 : count / (counts[s - 1] as number),
      }));
      let worst = 2;
      steps.forEach((st, s) => {
        if (s > 0 && st.step_conv_ratio < (steps[worst - 1] as { step_conv_ratio: number }).step_conv_ratio) worst = s + 1;
      });
      const last = counts[counts.length - 1] as number;
      data[p.label] = { analysis: { completion: last / first, starting_amount: first, steps: steps.length, worst }, steps };
    }
    body[name] = { data, meta: { dates: Object.keys(data) } };
  }
  return body;
}

/** funnels/names/: every funnel the project defines (unit and interval are checked, not used). */
export function funnelNamesReport(_q: { unit: 'week'; interval: number }): string[] {
  return FUNNELS.map((f) => f.name);
}

/** funnels/dates/: the most recent `limit` weeks (oldest first) in which anyone entered. */
export function funnelDatesReport(ctx: ReportContext, q: { funnels: string[]; unit: 'week'; limit: number }) {
  const first = ctx.world.options.dataStartDay;
  const startDay = first - ((weekday(first) + 6) % 7);
  const body: Record<string, string[]> = {};
  for (const name of new Set(q.funnels)) {
    const def = funnelDef(name);
    const weeks: string[] = [];
    for (let monday = startDay; monday * DAY_S <= ctx.nowS; monday += 7) {
      for (const { d, i } of eventsBetween(ctx.world, monday * DAY_S, (monday + 7) * DAY_S, ctx.nowS)) {
        if (d.event[i] === def.steps[0]) {
          weeks.push(dayString(monday));
          break;
        }
      }
    }
    body[name] = weeks.slice(-q.limit);
  }
  return body;
}

/** funnels/properties/: per week, people by the value the property had on their step-1 event. */
export function funnelPropertiesReport(ctx: ReportContext, q: { funnel: string; name: string; unit: 'week'; interval: number; limit: number }) {
  const def = funnelDef(q.funnel);
  const body: Record<string, unknown> = {};
  for (const p of lastPeriods('week', q.interval, ctx.nowS)) {
    const byValue = new Map<string, number[]>();
    for (const entry of entries(ctx, def, p).values()) {
      const key = propertyKey(ctx.world.eventJson(entry.d, entry.i).properties[q.name]);
      let furthest = byValue.get(key);
      if (!furthest) byValue.set(key, (furthest = []));
      furthest.push(entry.furthest);
    }
    if (byValue.size === 0) continue;
    const keys = [...byValue.keys()].sort((a, b) => byValue.get(b)!.length - byValue.get(a)!.length || (a < b ? -1 : 1)).slice(0, q.limit);
    const values: Record<string, unknown> = {};
    for (const key of keys) {
      const furthest = byValue.get(key)!;
      const steps: Record<string, { count: number; best?: boolean }> = {};
      for (const f of [...furthest].sort((a, b) => a - b)) steps[String(f)] = { count: (steps[String(f)]?.count ?? 0) + 1 };
      const full = steps[String(def.steps.length)];
      if (full) full.best = true;
      values[key] = { end: Math.max(...furthest), start: Math.min(...furthest), steps, total_visitors: furthest.length };
    }
    body[p.label] = { meta: { name: q.name, steps: def.steps.length, values: keys }, values };
  }
  return body;
}

/** funnels/properties/names/: the properties people carried into the funnel, most common first. */
export function funnelPropertyNamesReport(ctx: ReportContext, q: { funnel: string; unit: 'week'; interval: number; limit: number }) {
  const def = funnelDef(q.funnel);
  const counts = new Map<string, number>();
  for (const p of lastPeriods('week', q.interval, ctx.nowS)) {
    for (const entry of entries(ctx, def, p).values()) {
      for (const prop of Object.keys(ctx.world.eventJson(entry.d, entry.i).properties)) {
        if (prop === 'time' || prop === 'distinct_id' || prop === '$insert_id') continue;
        counts.set(prop, (counts.get(prop) ?? 0) + 1);
      }
    }
  }
  const names = [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, q.limit)
    .map(([property, count]) => ({ count, name: DISPLAY_NAMES[property] ?? property, property }));
  const at = new Date(Math.floor(ctx.nowS / 3600) * 3600 * 1000).toISOString();
  return { [def.name]: { meta: { date: `${at.slice(0, 10)} ${at.slice(11, 19)}` }, names } };
}
