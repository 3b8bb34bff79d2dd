// The server side of unit/interval: the `interval` periods ending with the one that holds "now"
// (1 = just the current hour/day/week/month), their labels as the API prints them, and which
// events of the world fall in each. The project's time zone is UTC.
import { civilFromDay, dayFromCivil, dayString, weekday } from '../calendar.js';
import { DAY_S, type EventDay, type MixpanelWorld } from './world.js';

export type Unit = 'hour' | 'day' | 'week' | 'month';

export interface Period {
  /** '2026-05-18' (day/week/month start) or '2026-05-20 13:00:00' (hour). */
  label: string;
  /** Unix seconds, end exclusive. */
  start: number;
  end: number;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function periodAt(unit: Unit, second: number): Period {
  const day = Math.floor(second / DAY_S);
  switch (unit) {
    case 'hour': {
      const start = Math.floor(second / 3600) * 3600;
      return { label: `${dayString(day)} ${pad2((start % DAY_S) / 3600)}:00:00`, start, end: start + 3600 };
    }
    case 'day':
      return { label: dayString(day), start: day * DAY_S, end: (day + 1) * DAY_S };
    case 'week': {
      const monday = day - ((weekday(day) + 6) % 7);
      return { label: dayString(monday), start: monday * DAY_S, end: (monday + 7) * DAY_S };
    }
    case 'month': {
      const { year, month } = civilFromDay(day);
      const first = dayFromCivil(year, month, 1);
      const next = month === 12 ? dayFromCivil(year + 1, 1, 1) : dayFromCivil(year, month + 1, 1);
      return { label: dayString(first), start: first * DAY_S, end: next * DAY_S };
    }
  }
}

/** The last `interval` periods up to and including the current one, oldest first. */
export function lastPeriods(unit: Unit, interval: number, nowS: number): Period[] {
  const out: Period[] = [];
  let p = periodAt(unit, nowS);
  for (let i = 0; i < interval; i++) {
    out.push(p);
    p = periodAt(unit, p.start - 1);
  }
  return out.reverse();
}

/** The period `n` units after `p`. */
export function periodAfter(unit: Unit, p: Period, n: number): Period {
  let q = p;
  for (let i = 0; i < n; i++) q = periodAt(unit, q.end);
  return q;
}

/** Every event in [start, end) that happened by `nowS`, in time order. */
export function* eventsBetween(world: MixpanelWorld, start: number, end: number, nowS: number): Generator<{ d: EventDay; i: number }> {
  const stop = Math.min(end, nowS + 1);
  for (let day = Math.max(Math.floor(start / DAY_S), world.options.dataStartDay); day * DAY_S < stop; day++) {
    const d = world.day(day);
    const base = day * DAY_S;
    for (let i = 0; i < d.count; i++) {
      const t = base + (d.second[i] as number);
      if (t < start) continue;
      if (t >= stop) break;
      yield { d, i };
    }
  }
}
