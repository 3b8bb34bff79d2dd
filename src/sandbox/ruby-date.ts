// The server parses start_date/end_date with Ruby's lenient `Date.parse`, not a strict
// YYYY-MM-DD check, and the sandbox must accept and reject exactly what it does. Fragments come
// from ruby-date-fragments.ts; this is the second half, d_new_by_frags / rt_complete_frags /
// rt__valid_date_frags_p (ruby/date date_core.c): pick the reading with most fragments, complete
// it from "today", keep the first that is a real date (Julian before 1582-10-15, as Ruby).
// Checked against Ruby 3.1 on 30,000 generated strings; the only differences left are ISO
// week dates before 1582. test/sandbox/ruby-date.test.ts keeps the interesting cases.
import { daysInMonth, dayFromCivil, civilFromDay, weekday } from './calendar.js';
import { rubyDateFragments, type Hash, type Key } from './ruby-date-fragments.js';

/** Ruby 3.x refuses strings over 128 characters with an ArgumentError: the server answers 500. */
export const RUBY_DATE_LIMIT = 128;

export class DateInputTooLongError extends Error {
  constructor(length: number) {
    super(`string length (${length}) exceeds the limit ${RUBY_DATE_LIMIT}`);
  }
}

/** Ruby's Date.parse: the UTC day number, or null where Ruby raises Date::Error. */
export function rubyDateParse(input: string, today: number): number | null {
  if (input.length > RUBY_DATE_LIMIT) throw new DateInputTooLongError(input.length);
  const h = rubyDateFragments(input);
  if (h.yday === undefined && h.year !== undefined && h.mon !== undefined && h.mday !== undefined) return civil(h.year, h.mon, h.mday);
  complete(h, today);
  // rt__valid_date_frags_p: the first complete reading that is a real date.
  if (h.jd !== undefined) return h.jd;
  if (h.year !== undefined && h.yday !== undefined) {
    const day = ordinal(h.year, h.yday);
    if (day !== null) return day;
  }
  if (h.year !== undefined && h.mon !== undefined && h.mday !== undefined) {
    const day = civil(h.year, h.mon, h.mday);
    if (day !== null) return day;
  }
  const cwday = h.cwday ?? (h.wday === 0 ? 7 : h.wday);
  if (cwday !== undefined && h.cweek !== undefined && h.cwyear !== undefined) {
    const day = commercial(h.cwyear, h.cweek, cwday);
    if (day !== null) return day;
  }
  const wday = h.wday ?? (h.cwday === 7 ? 0 : h.cwday);
  if (wday !== undefined && h.wnum0 !== undefined && h.year !== undefined) return weeknum0(h.year, h.wnum0, wday);
  return null;
}

// rt_complete_frags' table: the pattern with the most fragments present wins (first on ties);
// unnamed patterns win without being completed.
const PATTERNS: Array<[string | null, Key[]]> = [
  ['time', ['hour', 'min', 'sec']],
  ['ordinal', ['year', 'yday', 'hour', 'min', 'sec']],
  ['civil', ['year', 'mon', 'mday', 'hour', 'min', 'sec']],
  ['commercial', ['cwyear', 'cweek', 'cwday', 'hour', 'min', 'sec']],
  ['wday', ['wday', 'hour', 'min', 'sec']],
  ['wnum0', ['year', 'wnum0', 'wday', 'hour', 'min', 'sec']],
  ['wnum1', ['year', 'wnum1', 'wday', 'hour', 'min', 'sec']],
  [null, ['cwyear', 'cweek', 'wday', 'hour', 'min', 'sec']],
  [null, ['year', 'wnum0', 'cwday', 'hour', 'min', 'sec']],
  [null, ['year', 'wnum1', 'cwday', 'hour', 'min', 'sec']],
];

function complete(h: Hash, today: number): void {
  let best: [string | null, Key[]] | null = null;
  let score = 0;
  for (const p of PATTERNS) {
    const n = p[1].filter((k) => h[k] !== undefined).length;
    if (n > score) [best, score] = [p, n];
  }
  if (best === null || best[0] === null || score === best[1].length) return;
  const now = civilFromDay(today);
  const cw = commercialOf(today);
  const fromToday: Partial<Record<Key, number>> = { year: now.year, mon: now.month, mday: now.day, cwyear: cw.year, cweek: cw.week, cwday: ((weekday(today) + 6) % 7) + 1 };
  const fillLeading = (keys: Key[]) => {
    for (const k of keys) {
      if (h[k] !== undefined) break;
      h[k] = fromToday[k];
    }
  };
  switch (best[0]) {
    case 'ordinal':
      h.year ??= now.year;
      h.yday ??= 1;
      break;
    case 'civil':
      fillLeading(best[1]);
      h.mon ??= 1;
      h.mday ??= 1;
      break;
    case 'commercial':
      fillLeading(best[1]);
      h.cweek ??= 1;
      h.cwday ??= 1;
      break;
    case 'wday':
      h.jd = today - weekday(today) + (h.wday as number);
      break;
    case 'wnum0':
      fillLeading(best[1]);
      h.wnum0 ??= 0;
      h.wday ??= 0;
      break;
  }
}

// Date.parse uses Date::ITALY: the Julian calendar before 1582-10-15, and no 5th-14th October 1582.
const isJulian = (year: number, mon: number, mday: number) => year < 1582 || (year === 1582 && (mon < 10 || (mon === 10 && mday < 15)));
const julianLeap = (year: number) => ((year % 4) + 4) % 4 === 0;

function julianDay(year: number, mon: number, mday: number): number {
  const a = Math.floor((14 - mon) / 12);
  const y = year + 4800 - a;
  const m = mon + 12 * a - 3;
  return mday + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - 32083 - 2440588;
}

/** Ruby's valid_civil?: negative month and day count from the end. */
function civil(year: number, mon0: number, mday0: number): number | null {
  const mon = mon0 < 0 ? mon0 + 13 : mon0;
  if (mon < 1 || mon > 12) return null;
  const julian = isJulian(year, mon, 1) && !(year === 1582 && mon === 10);
  const last = julian && mon === 2 ? (julianLeap(year) ? 29 : 28) : daysInMonth(year, mon);
  const mday = mday0 < 0 ? last + mday0 + 1 : mday0;
  if (mday < 1 || mday > last) return null;
  if (year === 1582 && mon === 10 && mday > 4 && mday < 15) return null;
  if (isJulian(year, mon, mday)) return julianDay(year, mon, mday);
  return dayFromCivil(year, mon, mday);
}

/** Week `week` (0 = the days before the first Sunday) of `year`, weekday `wday` (0 = Sunday). */
function weeknum0(year: number, week: number, wday0: number): number | null {
  const wday = wday0 < 0 ? wday0 + 7 : wday0;
  if (wday < 0 || wday > 6) return null;
  const jan1 = dayFromCivil(year, 1, 1);
  const day = jan1 - weekday(jan1) + 7 * week + wday;
  return civilFromDay(day).year === year ? day : null;
}

function ordinal(year: number, yday0: number): number | null {
  const julian = year < 1582;
  const len = (julian ? julianLeap(year) : daysInMonth(year, 2) === 29) ? 366 : 365;
  const yday = yday0 < 0 ? len + yday0 + 1 : yday0;
  if (yday < 1 || yday > len) return null;
  return (julian ? julianDay(year, 1, 1) : dayFromCivil(year, 1, 1)) + yday - 1;
}

/** Monday of ISO week 1: the week holding January 4th. */
function isoWeekOne(year: number): number {
  const jan4 = dayFromCivil(year, 1, 4);
  return jan4 - ((weekday(jan4) + 6) % 7);
}

function commercial(year: number, week: number, cwday0: number): number | null {
  const cwday = cwday0 < 0 ? cwday0 + 8 : cwday0;
  if (cwday < 1 || cwday > 7 || week < 1) return null;
  const day = isoWeekOne(year) + (week - 1) * 7 + cwday - 1;
  return day < isoWeekOne(year + 1) ? day : null;
}

function commercialOf(day: number): { year: number; week: number } {
  let year = civilFromDay(day).year + 1;
  while (isoWeekOne(year) > day) year--;
  return { year, week: Math.floor((day - isoWeekOne(year)) / 7) + 1 };
}
