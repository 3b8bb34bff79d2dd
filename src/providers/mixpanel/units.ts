import { addDays, daysBetween, fromEpochDay, parseIsoDate, toEpochDay } from '../../core/dates.js';

// The Data API 2.0 has no dates: `interval` counts `unit`s back from the server's current one
// (1 = this hour/day/week/month). --from/--to become an interval reaching back to the unit
// that holds --from, plus one unit of slack for a server clock (or time zone) ahead of ours;
// periods the API returns outside --from..--to are then dropped, so asking a little too far
// back is harmless while asking too little would lose rows.

export const UNITS = ['hour', 'day', 'week', 'month'] as const;
export type Unit = (typeof UNITS)[number];

/** Monday of the week holding `date`: Mixpanel's weeks start on Monday (2010-05-24 in S1). */
export function weekStart(date: string): string {
  const day = toEpochDay(date);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is days since Monday.
  return fromEpochDay(day - (((day + 3) % 7) + 7) % 7);
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** Units from the one holding `from` to the one holding `today`, inclusive, plus one of slack. */
export function intervalFor(unit: Unit, from: string, today: string): number {
  switch (unit) {
    case 'hour':
      // Every hour of every day from --from through today: the current hour is in there.
      return daysBetween(from, today) * 24 + 1;
    case 'day':
      return daysBetween(from, today) + 1;
    case 'week':
      return (toEpochDay(weekStart(today)) - toEpochDay(weekStart(from))) / 7 + 2;
    case 'month': {
      const months = (Number(today.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(today.slice(5, 7)) - Number(from.slice(5, 7));
      return months + 2;
    }
  }
}

/** The first and last day a period label covers ('2026-05-18' for a week, '2026-05-20 13:00:00' for an hour). */
export function periodDays(unit: Unit, label: string): { first: string; last: string } | undefined {
  const day = label.slice(0, 10);
  if (parseIsoDate(day) === undefined) return undefined;
  switch (unit) {
    case 'hour':
    case 'day':
      return { first: day, last: day };
    case 'week':
      return { first: day, last: addDays(day, 6) };
    case 'month': {
      const next = Number(day.slice(5, 7)) === 12 ? `${Number(day.slice(0, 4)) + 1}-01-01` : `${day.slice(0, 5)}${String(Number(day.slice(5, 7)) + 1).padStart(2, '0')}-01`;
      return { first: day, last: addDays(next, -1) };
    }
  }
}

/** Does the period overlap --from..--to? Week and month rows are whole periods, so edges may reach outside. */
export function periodInRange(unit: Unit, label: string, from: string, to: string): boolean {
  const p = periodDays(unit, label);
  return p !== undefined && p.first <= to && p.last >= from;
}

