// Reading a microconversions query the way the (PHP) server does, and answering one page of it:
// newest first, with ties (rows created in the same second) broken as the sandbox's --tie-order
// says, so skip/limit paging shows what an unstable order does at page edges.
import { civilFromDay, dayFromCivil, daysInMonth, parseIsoDay, weekday } from '../calendar.js';
import { hashString, shuffle } from '../hash.js';
import type { TieOrder } from '../options.js';
import { dayRows, type Microconversion } from './generator.js';

export const MAX_LIMIT = 100;

/** date_range: `YYYYMMDD,YYYYMMDD` (inclusive) or a named period; null when unreadable. */
export function parseDateRange(raw: string, today: number): { from: number; to: number } | null {
  const v = raw.trim();
  const m = /^(\d{8}),(\d{8})$/.exec(v);
  if (m) {
    const from = compactDay(m[1]!);
    const to = compactDay(m[2]!);
    return from === null || to === null ? null : { from, to };
  }
  const lastDays = /^last_(7|14|30|60|90)_days$/.exec(v);
  if (lastDays) return { from: today - Number(lastDays[1]) + 1, to: today };
  const { year, month } = civilFromDay(today);
  switch (v) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: today - 1, to: today - 1 };
    case 'this_month':
      return { from: dayFromCivil(year, month, 1), to: today };
    case 'last_month': {
      const [y, mo] = month === 1 ? [year - 1, 12] : [year, month - 1];
      return { from: dayFromCivil(y, mo, 1), to: dayFromCivil(y, mo, daysInMonth(y, mo)) };
    }
    case 'this_week_monday_sunday': {
      const monday = today - ((weekday(today) + 6) % 7);
      return { from: monday, to: monday + 6 };
    }
    case 'this_week_sunday_saturday': {
      const sunday = today - weekday(today);
      return { from: sunday, to: sunday + 6 };
    }
    case 'this_year':
      return { from: dayFromCivil(year, 1, 1), to: today };
    case 'last_year':
      return { from: dayFromCivil(year - 1, 1, 1), to: dayFromCivil(year - 1, 12, 31) };
    default:
      return null;
  }
}

function compactDay(s: string): number | null {
  return parseIsoDay(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`);
}

/** PHP's (int) cast: leading digits (with a sign) or 0. */
export function phpInt(raw: string | null): number {
  const m = /^\s*([+-]?\d+)/.exec(raw ?? '');
  return m ? Math.max(Math.min(Number(m[1]), Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER) : 0;
}

/** limit: 100 when missing or blank, else clamped to 1..100 without a word. */
export function readLimit(raw: string | null): number {
  if (raw === null || raw.trim() === '') return MAX_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, phpInt(raw)));
}

export function readSkip(raw: string | null): number {
  return Math.max(0, phpInt(raw));
}

export interface DataScope {
  seed: number;
  scale: number;
  dataStartDay: number;
  nowMs: number;
}

export interface RowQuery {
  account: string;
  from: number;
  to: number;
  /** Lower-case ISO code, or undefined for every country. */
  country?: string;
}

/** Every row the query matches, newest first, ties in the stable order (_id descending). */
export function matchingRows(scope: DataScope, q: RowQuery): Microconversion[] {
  const today = Math.floor(scope.nowMs / 86_400_000);
  const nowSec = Math.floor(scope.nowMs / 1000);
  const out: Microconversion[] = [];
  for (let day = Math.min(q.to, today); day >= Math.max(q.from, scope.dataStartDay); day--) {
    const rows = dayRows(scope.seed, scope.scale, q.account, day);
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      // Today holds only what has happened by now.
      if (r.ts > nowSec) continue;
      if (q.country !== undefined && r.country !== q.country) continue;
      out.push(r);
    }
  }
  return out;
}

/**
 * rows[skip, skip+limit) after breaking the ties of the groups the page touches. stable keeps
 * _id order; per-query seeds each group's order from the query (so the same request repeats
 * byte for byte, while the next page, another query, may order the group straddling the edge
 * differently); random reshuffles on every request.
 */
export function pageOf(rows: readonly Microconversion[], skip: number, limit: number, tieOrder: TieOrder, querySeed: string, seed: number): Microconversion[] {
  if (skip >= rows.length) return [];
  const end = Math.min(rows.length, skip + limit);
  if (tieOrder === 'stable') return rows.slice(skip, end);
  let a = skip;
  while (a > 0 && rows[a - 1]!.ts === rows[skip]!.ts) a--;
  let b = end;
  while (b < rows.length && rows[b]!.ts === rows[end - 1]!.ts) b++;
  const segment = rows.slice(a, b);
  const base = tieOrder === 'random' ? (Math.random() * 0x100000000) >>> 0 : hashString(querySeed, seed);
  for (let g = 0; g < segment.length; ) {
    let h = g + 1;
    while (h < segment.length && segment[h]!.ts === segment[g]!.ts) h++;
    if (h - g > 1) {
      const group = segment.slice(g, h);
      shuffle(group, hashString(String(a + g), base));
      segment.splice(g, h - g, ...group);
    }
    g = h;
  }
  return segment.slice(skip - a, end - a);
}
