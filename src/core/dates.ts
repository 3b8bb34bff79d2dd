// Calendar dates as the API means them: UTC days written YYYY-MM-DD. Kept as strings so no
// time zone can slip in; arithmetic goes through epoch days.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The date if `text` is a real calendar day in strict YYYY-MM-DD form, else undefined. */
export function parseIsoDate(text: string): string | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return text;
}

export function toEpochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  return fromEpochDay(toEpochDay(date) + n);
}

export function utcToday(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Inclusive count of days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return toEpochDay(to) - toEpochDay(from) + 1;
}

export function* eachDay(from: string, to: string): Generator<string> {
  for (let d = toEpochDay(from); d <= toEpochDay(to); d++) yield fromEpochDay(d);
}

/** `today` and `yesterday`, accepted for --from/--to: UTC days that only the clock can name. */
export function isDayWord(value: string): value is 'today' | 'yesterday' {
  return value === 'today' || value === 'yesterday';
}
