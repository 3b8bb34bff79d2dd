// retention/: for each event, the people who did it in a cohort period, and the share of them
// who did it again 1, 2, … periods later. Built from the same raw events as everything else.
import { EVENT_NAMES } from './vocab.js';
import { round4, type Metric, type ReportContext } from './event-reports.js';
import { eventsBetween, lastPeriods, type Unit } from './periods.js';

export function retentionReport(ctx: ReportContext, q: { events: string[]; type: Metric; unit: Unit; interval: number }) {
  const periods = lastPeriods(q.unit, q.interval, ctx.nowS);
  const wanted = new Set(q.events);
  // Who did each wanted event in each period.
  const people = periods.map((p) => {
    const byEvent = new Map<string, Set<number>>();
    for (const { d, i } of eventsBetween(ctx.world, p.start, p.end, ctx.nowS)) {
      const name = EVENT_NAMES[d.event[i] as number] as string;
      if (!wanted.has(name)) continue;
      let set = byEvent.get(name);
      if (!set) byEvent.set(name, (set = new Set()));
      set.add(d.user[i] as number);
    }
    return byEvent;
  });
  const label = (n: number) => `${n} ${q.unit}s later`;
  const series = periods.slice(1).map((_, n) => label(n + 1));
  const data: Record<string, unknown> = {};
  for (const event of wanted) {
    const values: Record<string, Record<string, number>> = {};
    const descriptions: Record<string, Record<string, string>> = {};
    periods.forEach((cohortPeriod, c) => {
      const cohort = people[c]?.get(event);
      // A cohort nobody joined has no row: dividing by zero people says nothing.
      if (!cohort || cohort.size === 0) return;
      const ratios: Record<string, number> = {};
      const dates: Record<string, string> = {};
      for (let n = 1; c + n < periods.length; n++) {
        const later = people[c + n]?.get(event);
        let back = 0;
        if (later) for (const u of cohort) if (later.has(u)) back++;
        ratios[label(n)] = round4(back / cohort.size);
        dates[label(n)] = (periods[c + n] as { label: string }).label;
      }
      values[cohortPeriod.label] = ratios;
      descriptions[cohortPeriod.label] = dates;
    });
    data[event] = { descriptions, series, values };
  }
  return { data, meta: { unit: q.unit } };
}
