// The first half of Ruby's Date.parse: date__parse (ruby/date ext/date/date_parse.c) finding
// year/month/day (and week, ordinal, time) fragments in free text. The same patterns in the
// same order; each match is blanked out of the string, and the first date pattern that matches
// ends the chain. ruby-date.ts turns the fragments into a day.

export type Key = 'year' | 'mon' | 'mday' | 'yday' | 'wday' | 'cwyear' | 'cweek' | 'cwday' | 'wnum0' | 'wnum1' | 'hour' | 'min' | 'sec';
export type Hash = Partial<Record<Key, number>> & { comp: boolean; bc: boolean; jd?: number };
type Match = RegExpExecArray;

const MON = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const BC = "c(?:e|\\.e\\.)|b(?:ce|\\.c\\.e\\.)|a(?:d|\\.d\\.)|b(?:c|\\.c\\.)";
const ERAS: Record<string, number> = { m: 1867, t: 1911, s: 1925, h: 1988, r: 2018 };

const re = (source: string, flags = 'iu') => new RegExp(source, flags);
const P = {
  day: re('\\b(sun|mon|tue|wed|thu|fri|sat)[^-/\\d\\s]*'),
  time: re(
    '((?:\\d+\\s*:\\s*\\d+(?:\\s*:\\s*\\d+(?:[,.]\\d*)?)?|\\d+\\s*h(?:\\s*\\d+m?(?:\\s*\\d+s?)?)?)(?:\\s*[ap](?:m\\b|\\.m\\.))?|\\d+\\s*[ap](?:m\\b|\\.m\\.))' +
      '(?:\\s*((?:gmt|utc?)?[-+]\\d+(?:[,.:]\\d+(?::\\d+)?)?|[\\p{L}.\\s]+(?:standard|daylight)\\stime\\b|\\p{L}+(?:\\sdst)?\\b))?',
  ),
  timeParts: re('^(\\d+)h?(?:\\s*:?\\s*(\\d+)m?(?:\\s*:?\\s*(\\d+)(?:[,.](\\d+))?s?)?)?(?:\\s*([ap])(?:m\\b|\\.m\\.))?'),
  eu: re(`('?\\d+)[^-\\d\\s]*\\s*(${MON})[^-\\d\\s']*(?:\\s*(${BC})?\\s*('?-?\\d+(?:(?:st|nd|rd|th)\\b)?))?`),
  us: re(`\\b(${MON})[^-\\d\\s']*\\s*('?\\d+)[^-\\d\\s']*(?:\\s*,?\\s*(${BC})?\\s*('?-?\\d+))?`),
  iso: re("('?[-+]?\\d+)-(\\d+)-('?-?\\d+)", 'u'),
  jis: re('\\b([mtshr])(\\d+)\\.(\\d+)\\.(\\d+)'),
  vms11: re(`('?-?\\d+)-(${MON})[^-/.]*-('?-?\\d+)`),
  vms12: re(`\\b(${MON})[^-/.]*-('?-?\\d+)(?:-('?-?\\d+))?`),
  sla: re("('?-?\\d+)/\\s*('?\\d+)(?:\\D\\s*('?-?\\d+))?"),
  dot: re("('?-?\\d+)\\.\\s*('?\\d+)\\.\\s*('?-?\\d+)"),
  iso21: re('\\b(\\d{2}|\\d{4})?-?w(\\d{2})(?:-?(\\d))?\\b'),
  iso22: re('-w-(\\d)\\b'),
  iso23: re('--(\\d{2})?-(\\d{2})\\b', 'u'),
  iso24: re('--(\\d{2})(\\d{2})?\\b', 'u'),
  iso25guard: re('[,.](\\d{2}|\\d{4})-\\d{3}\\b', 'u'),
  iso25: re('\\b(\\d{2}|\\d{4})-(\\d{3})\\b', 'u'),
  iso26guard: re('\\d-\\d{3}\\b', 'u'),
  iso26: re('\\b-(\\d{3})\\b', 'u'),
  year: re("'(\\d+)\\b", 'u'),
  mon: re(`\\b(${MON})\\S*`),
  mday: re('(\\d+)(st|nd|rd|th)\\b'),
  ddd: re('([-+]?)(\\d{2,14})(?:\\s*t?\\s*(\\d{2,6})?(?:[,.](\\d*))?)?(?:\\s*(z\\b|[-+]\\d{1,4}\\b|\\[[-+]?\\d[^\\]]*\\]))?'),
  bc: re('\\b(bc\\b|bce\\b|b\\.c\\.|b\\.c\\.e\\.)'),
  frag: re('^\\s*(\\d{1,2})\\s*$', 'u'),
};

const monthOf = (name: string) => MON.split('|').indexOf(name.slice(0, 3).toLowerCase()) + 1;
const isBc = (s: string | undefined) => s !== undefined && /^b/i.test(s);
const num = (s: string) => Number(/^[-+]?\d+/.exec(s)?.[0] ?? 'NaN');

/** Ruby's s3e: decide which of three loosely-labelled numbers is year, month and day. */
function s3e(h: Hash, y0: string | undefined, m0: string, d0: string | undefined, bc: boolean): void {
  let [y, m, d] = [y0, m0 as string | undefined, d0];
  if (y !== undefined && m !== undefined && d === undefined) [y, m, d] = [undefined, y, m];
  if (y === undefined) {
    if (d !== undefined && d.length > 2) [y, d] = [d, undefined];
    if (d !== undefined && d.startsWith("'")) [y, d] = [d, undefined];
  }
  if (y !== undefined) {
    const start = y.search(/[-+\d]/);
    if (start >= 0) {
      const run = /^[-+]?\d*/.exec(y.slice(start))?.[0] ?? '';
      if (start + run.length < y.length) [y, d] = [d, run];
    }
  }
  if (m !== undefined && (m.startsWith("'") || m.length > 2)) [y, m, d] = [m, d, y];
  if (d !== undefined && (d.startsWith("'") || d.length > 2)) [y, d] = [d, y];
  if (y !== undefined) {
    const start = y.search(/[-+\d]/);
    if (start >= 0) {
      const [, sign = '', digits = ''] = /^([-+]?)(\d*)/.exec(y.slice(start)) ?? [];
      if (sign !== '' || digits.length > 2) h.comp = false;
      h.year = (sign === '-' ? -1 : 1) * Number(digits || '0');
    }
  }
  if (bc) h.bc = true;
  const digits = (s: string | undefined) => (s === undefined ? undefined : /\d+/.exec(s)?.[0]);
  const mon = digits(m);
  if (mon !== undefined) h.mon = Number(mon);
  const mday = digits(d);
  if (mday !== undefined) h.mday = Number(mday);
}

/** Bare digit runs: 20240115, 240115, 0115, 15, 2024015, and their time-only readings. */
function ddd(m: Match, h: Hash): void {
  const neg = m[1] === '-';
  const s2 = m[2] as string;
  const [s3, s4] = [m[3], m[4]];
  const n = (from: number, len: number) => Number(s2.slice(from, from + len));
  const signed = (v: number) => (neg ? -v : v);
  let l = s2.length;
  // Ruby has no reading for 9, 11 or 13 digits (a time after them still counts).
  if (l === 9 || l === 11 || l === 13) l = 0;
  if (l === 0) {
    // no date or time in the run itself
  } else if (s3 === undefined && s4 !== undefined) {
    // A digit run followed by a fraction is a time, read from the right.
    h.sec = n(l - 2, 2);
    if (l === 3) h.min = n(0, 1);
    if (l >= 4) h.min = n(l - 4, 2);
    if (l === 5) h.hour = n(0, 1);
    if (l >= 6) h.hour = n(l - 6, 2);
    if (l === 7) h.mday = n(0, 1);
    if (l >= 8) h.mday = n(l - 8, 2);
    if (l >= 10) h.mon = n(l - 10, 2);
    if (l === 12) h.year = signed(n(0, 2));
    if (l === 14) [h.year, h.comp] = [signed(n(0, 4)), false];
  } else if (l === 2) h.mday = n(0, 2);
  else if (l === 4) [h.mon, h.mday] = [n(0, 2), n(2, 2)];
  else if (l === 6) [h.year, h.mon, h.mday] = [signed(n(0, 2)), n(2, 2), n(4, 2)];
  else if (l === 3) h.yday = n(0, 3);
  else if (l === 5) [h.year, h.yday] = [signed(n(0, 2)), n(2, 3)];
  else if (l === 7) [h.year, h.yday] = [signed(n(0, 4)), n(4, 3)];
  else if (l % 2 === 0) {
    [h.year, h.mon, h.mday] = [signed(n(0, 4)), n(4, 2), n(6, 2)];
    if (l >= 10) h.hour = n(8, 2);
    if (l >= 12) h.min = n(10, 2);
    if (l >= 14) h.sec = n(12, 2);
    h.comp = false;
  }
  if (s3 !== undefined && [2, 4, 6].includes(s3.length)) {
    const t = (from: number) => Number(s3.slice(from, from + 2));
    if (s4 !== undefined) {
      h.sec = t(s3.length - 2);
      if (s3.length >= 4) h.min = t(s3.length - 4);
      if (s3.length >= 6) h.hour = t(s3.length - 6);
    } else {
      h.hour = t(0);
      if (s3.length >= 4) h.min = t(2);
      if (s3.length >= 6) h.sec = t(4);
    }
  }
}

type Step = [pattern: RegExp, apply: (m: Match, h: Hash) => void, needs: string];

// The date patterns in Ruby's order; `needs` is the character classes Ruby checks first
// (a = letter, d = digit, - . / themselves).
const CHAIN: Step[] = [
  [P.eu, (m, h) => s3e(h, m[4], String(monthOf(m[2] as string)), m[1], isBc(m[3])), 'ad'],
  [P.us, (m, h) => s3e(h, m[4], String(monthOf(m[1] as string)), m[2], isBc(m[3])), 'ad'],
  [P.iso, (m, h) => s3e(h, m[1], m[2] as string, m[3], false), 'd-'],
  [P.jis, (m, h) => void Object.assign(h, { year: (ERAS[(m[1] as string).toLowerCase()] as number) + num(m[2] as string), mon: num(m[3] as string), mday: num(m[4] as string) }), 'd.'],
  [P.vms11, (m, h) => s3e(h, m[3], String(monthOf(m[2] as string)), m[1], false), 'ad-'],
  [P.vms12, (m, h) => s3e(h, m[3], String(monthOf(m[1] as string)), m[2], false), 'ad-'],
  [P.sla, (m, h) => s3e(h, m[1], m[2] as string, m[3], false), 'd/'],
  [P.dot, (m, h) => s3e(h, m[1], m[2] as string, m[3], false), 'd.'],
  [P.iso21, (m, h) => {
    if (m[1] !== undefined) h.cwyear = num(m[1]);
    h.cweek = num(m[2] as string);
    if (m[3] !== undefined) h.cwday = num(m[3]);
  }, 'd'],
  [P.iso22, (m, h) => void (h.cwday = num(m[1] as string)), 'd'],
  [P.iso23, (m, h) => {
    if (m[1] !== undefined) h.mon = num(m[1]);
    h.mday = num(m[2] as string);
  }, 'd'],
  [P.iso24, (m, h) => {
    h.mon = num(m[1] as string);
    if (m[2] !== undefined) h.mday = num(m[2]);
  }, 'd'],
  [P.iso25, (m, h) => void Object.assign(h, { year: num(m[1] as string), yday: num(m[2] as string) }), 'd'],
  [P.iso26, (m, h) => void (h.yday = num(m[1] as string)), 'd'],
  [P.year, (m, h) => void (h.year = num(m[1] as string)), 'd'],
  [P.mon, (m, h) => void (h.mon = monthOf(m[1] as string)), 'a'],
  [P.mday, (m, h) => void (h.mday = num(m[1] as string)), 'd'],
  [P.ddd, ddd, 'd'],
];

/** Ruby's check_class on the current (partly blanked) string. */
function has(s: string, needs: string): boolean {
  for (const c of needs) {
    if (c === 'a' ? !/[A-Za-z]/.test(s) : c === 'd' ? !/\d/.test(s) : !s.includes(c)) return false;
  }
  return true;
}

/** Ruby's Date._parse: the fragments found in the string. */
export function rubyDateFragments(input: string): Hash {
  const h: Hash = { comp: true, bc: false };
  let s = input.replace(/[^-+',./:@\p{L}\p{M}\p{Nd}[\]]+/gu, ' ');
  // subx: the matched text becomes one space, so later patterns cannot reuse it.
  const subx = (pattern: RegExp, apply: (m: Match, h: Hash) => void): boolean => {
    const m = pattern.exec(s);
    if (!m) return false;
    s = `${s.slice(0, m.index)} ${s.slice(m.index + m[0].length)}`;
    apply(m, h);
    return true;
  };
  if (has(s, 'a')) subx(P.day, (m) => void (h.wday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf((m[1] as string).toLowerCase())));
  if (has(s, 'd')) {
    subx(P.time, (m) => {
      const t = P.timeParts.exec(m[1] as string);
      if (!t) return;
      let hour = num(t[1] as string);
      if (t[5] !== undefined) hour = (hour % 12) + (/p/i.test(t[5]) ? 12 : 0);
      h.hour = hour;
      if (t[2] !== undefined) h.min = num(t[2]);
      if (t[3] !== undefined) h.sec = num(t[3]);
    });
  }
  for (const [pattern, apply, needs] of CHAIN) {
    if (!has(s, needs)) continue;
    if (pattern === P.iso25 && P.iso25guard.test(s)) continue;
    if (pattern === P.iso26 && P.iso26guard.test(s)) continue;
    if (subx(pattern, apply)) break;
  }
  if (has(s, 'a')) subx(P.bc, () => void (h.bc = true));
  if (has(s, 'd')) {
    subx(P.frag, (m) => {
      const n = num(m[1] as string);
      if (h.hour !== undefined && h.mday === undefined && n >= 1 && n <= 31) h.mday = n;
      if (h.mday !== undefined && h.hour === undefined && n >= 0 && n <= 24) h.hour = n;
    });
  }
  for (const k of ['cwyear', 'year'] as const) {
    if (h.bc && h[k] !== undefined) h[k] = 1 - (h[k] as number);
    const y = h[k];
    if (h.comp && y !== undefined && y >= 0 && y <= 99) h[k] = y + (y >= 69 ? 1900 : 2000);
  }
  return h;
}

