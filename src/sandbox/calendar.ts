// UTC calendar arithmetic on day numbers (days since 1970-01-01). The server has no time zone
// (config.time_zone unset), so "today", day boundaries and every `date` field are UTC.
// Pure integer maths (Howard Hinnant's algorithms) so absurd years from a lenient date parser
// still compute instead of turning into NaN like Date.UTC would.

export const DAY_MS = 86_400_000;
export const DAY_MICROS = 86_400_000_000;

export function dayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDay(n: number): { year: number; month: number; day: number } {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 0 = Sunday, like Ruby's Date#wday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** YYYY-MM-DD, as Ruby's Date#to_s prints it. */
export function dayString(n: number): string {
  const { year, month, day } = civilFromDay(n);
  const y = year >= 0 && year < 10000 ? String(year).padStart(4, '0') : year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year);
  return `${y}-${pad2(month)}-${pad2(day)}`;
}

/** Strict YYYY-MM-DD (for our own flags and truth queries, not for the server's lenient parsing). */
export function parseIsoDay(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return dayFromCivil(y, mo, d);
}

export function dayOfInstant(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
