// Expected rows for the Mixpanel e2e test, read off the body the sandbox computes for a request
// (its truthReport) and flattened here, by hand, from the response shapes in the Data API 2.0
// docs (see fixtures/mixpanel/docs). Nothing here comes from src/providers/mixpanel: a bug in
// the exporter's flatteners, its interval or its cut to --from..--to must show as a difference.
import type { Row } from '../../src/core/columns.js';
import { truthReport, type MixpanelTruthQuery } from '../../src/sandbox/mixpanel/truth.js';

export type Unit = 'day' | 'week' | 'month';

type Obj = Record<string, unknown>;
const obj = (v: unknown) => v as Obj;
const list = (v: unknown) => v as unknown[];

const DAY_MS = 86_400_000;
const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The first and last day of the period a label names (Monday-based weeks, calendar months). */
function periodSpan(unit: Unit, label: string): [string, string] {
  const first = label.slice(0, 10);
  if (unit === 'day') return [first, first];
  if (unit === 'week') return [first, iso(ms(first) + 6 * DAY_MS)];
  const d = new Date(ms(first));
  return [first, iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0))];
}

/** The label of the period holding `date`. */
function periodOf(unit: Unit, date: string): string {
  if (unit === 'day') return date;
  if (unit === 'month') return `${date.slice(0, 7)}-01`;
  const back = (new Date(ms(date)).getUTCDay() + 6) % 7; // Sunday is 0; Monday starts a week
  return iso(ms(date) - back * DAY_MS);
}

/** Rows whose period overlaps from..to: week and month rows are whole periods. */
export function cut(rows: Row[], unit: Unit, column: string, from: string, to: string): Row[] {
  return rows.filter((r) => {
    const [first, last] = periodSpan(unit, String(r[column]));
    return first <= to && last >= from;
  });
}

/**
 * The `interval` the docs' unit/interval scheme needs to reach back to --from from today: the
 * periods from the one holding --from to the current one, plus the one unit of slack for a
 * server clock ahead of ours that the dataset notes promise. Counted by walking the days.
 */
export function unitsBack(unit: Unit, from: string, today: string): number {
  const labels = new Set<string>();
  for (let t = ms(from); t <= ms(today); t += DAY_MS) labels.add(periodOf(unit, iso(t)));
  return labels.size + 1;
}

/** The body the sandbox answers for these wire parameters (lists as JSON text). */
export const body = (world: MixpanelTruthQuery, endpoint: string, wire: Record<string, string>) => truthReport(endpoint, { format: 'json', ...wire }, world);

/** events/ and events/properties/: {"data":{"series":[date…],"values":{key:{date:n}}}}; one row per key and date. */
export function seriesRows(json: unknown, make: (key: string, date: string, value: unknown) => Row): Row[] {
  const data = obj(obj(json).data);
  const series = list(data.series) as string[];
  return Object.entries(obj(data.values)).flatMap(([k, points]) => series.filter((d) => d in obj(points)).map((d) => make(k, d, obj(points)[d])));
}

/** events/top/: {"events":[{amount,event,percent_change}]}. */
export const eventsTopRows = (json: unknown): Row[] =>
  list(obj(json).events).map((e) => ({ event: obj(e).event, amount: obj(e).amount, percent_change: obj(e).percent_change }) as Row);

/** A ranked list of names (events/names/, events/properties/values/): rank 1 is the first. */
export const rankedRows = (json: unknown, make: (name: string, rank: number) => Row): Row[] => (list(json) as string[]).map((n, i) => make(n, i + 1));

/** retention/: {"data":{event:{"series":["1 weeks later",…],"values":{cohort:{label:ratio}}}}}; period = the label's number. */
export function retentionRows(json: unknown): Row[] {
  const rows: Row[] = [];
  for (const [event, one] of Object.entries(obj(obj(json).data))) {
    const series = list(obj(one).series) as string[];
    for (const [cohort_date, points] of Object.entries(obj(obj(one).values))) {
      for (const label of series.filter((l) => l in obj(points))) rows.push({ event, cohort_date, period: parseInt(label, 10), value: obj(points)[label] });
    }
  }
  return rows;
}

/** events/properties/top/: {property:{"count":n}}. */
export const propertiesTopRows = (json: unknown, event: string): Row[] => Object.entries(obj(json)).map(([property, v]) => ({ event, property, count: obj(v).count }) as Row);

/** funnels/: {funnel:{"data":{week:{"steps":[…]}},"meta":{"dates":[week…]}}}; steps numbered from 1 as the docs' UI shows them. */
export function funnelRows(json: unknown): Row[] {
  const rows: Row[] = [];
  for (const [funnel, one] of Object.entries(obj(json))) {
    for (const date of list(obj(obj(one).meta).dates) as string[]) {
      let step = 0;
      for (const s of list(obj(obj(obj(one).data)[date]).steps)) {
        const { goal, count, overall_conv_ratio, step_conv_ratio } = obj(s);
        rows.push({ funnel, date, step: ++step, goal, count, overall_conv_ratio, step_conv_ratio } as Row);
      }
    }
  }
  return rows;
}

/** funnels/dates/: {funnel:[week…]}. */
export const funnelDatesRows = (json: unknown): Row[] => Object.entries(obj(json)).flatMap(([funnel, weeks]) => (weeks as string[]).map((date) => ({ funnel, date })));

/**
 * funnels/properties/: {week:{"meta":{"values":[value…]},"values":{value:{start,end,steps:{"n":{count,best?}},total_visitors}}}};
 * one row per week, value (meta order) and step (by number); `best` false when the body leaves it out.
 */
export function funnelPropertyRows(json: unknown, funnel: string, property: string): Row[] {
  const rows: Row[] = [];
  for (const [date, week] of Object.entries(obj(json))) {
    for (const value of list(obj(obj(week).meta).values) as string[]) {
      const v = obj(obj(obj(week).values)[value]);
      const steps = Object.entries(obj(v.steps)).sort(([a], [b]) => Number(a) - Number(b));
      for (const [n, s] of steps) {
        rows.push({ funnel, property, date, property_value: value, step: Number(n), count: obj(s).count, best: obj(s).best === true, start: v.start, end: v.end, total_visitors: v.total_visitors } as Row);
      }
    }
  }
  return rows;
}

/** funnels/properties/names/: {funnel:{"names":[{count,name,property}]}}. */
export const funnelPropertyNameRows = (json: unknown): Row[] =>
  Object.entries(obj(json)).flatMap(([funnel, one]) => list(obj(one).names).map((n) => ({ funnel, property: obj(n).property, name: obj(n).name, count: obj(n).count }) as Row));
