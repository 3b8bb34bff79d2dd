// The names of the broken modes and what each does: read by the flag parser and the banner, so
// they load without the code that breaks answers (broken.ts).

export const BROKEN_MODES = [
  'html-500',
  'html-200',
  'missing-meta',
  'missing-data',
  'count-more',
  'count-fewer',
  'pages-lie',
  'oversize-page',
  'row-outside-window',
  'row-bad-date',
  'redirect-offhost',
  'huge-body',
  'gzip-bomb',
  'stall',
  'stall-headers',
  'trickle',
  'endless',
  'deep-json',
  'big-numbers',
  'huge-numbers',
  'bad-times',
] as const;
export type BrokenMode = (typeof BROKEN_MODES)[number];

export const TRICKLE_MS = 250;
export const ENDLESS_MS = 50;
export const ENDLESS_CHUNK = ' '.repeat(16);
export const DEEP_LEVELS = 10_000;

export const BROKEN_DESCRIPTIONS: Record<BrokenMode, string> = {
  'html-500': "status 500 with a proxy's HTML error page",
  'html-200': 'status 200 with an HTML page (a login or captive portal) instead of JSON',
  'missing-meta': 'the envelope has no "meta"',
  'missing-data': 'the envelope has no "data"',
  'count-more': 'meta.total_count promises more rows than the API serves',
  'count-fewer': 'meta.total_count promises fewer rows than the API serves',
  'pages-lie': 'meta.total_pages disagrees with total_count and per_page',
  'oversize-page': 'a page holds more rows than per_page',
  'row-outside-window': "a page's last row is dated the day before start_date (counts stay right)",
  'row-bad-date': "a page's last row is dated 2026-13-45, no calendar day (counts stay right)",
  'redirect-offhost': 'a 302 to http://mbuzz.invalid/... (another host)',
  'huge-body': 'a 300 MB body, streamed (more than any client should buffer)',
  'gzip-bomb': 'a 1 MB gzip body that inflates to 1 GB',
  stall: 'headers and half the body, then silence (the connection stays open)',
  'stall-headers': 'the request is read, then nothing is ever sent',
  trickle: `the real answer, one byte every ${TRICKLE_MS} ms (never idle long enough for an idle timeout)`,
  // Grouped by hand: toLocaleString loads ICU's locale data, ~20-100 ms that every `mbuzz --version` paid.
  'deep-json': `the first row carries a value nested ${String(DEEP_LEVELS).replace(/\B(?=(\d{3})+$)/g, ',')} levels deep (valid JSON)`,
  endless: `a 200 whose chunked body never ends (${ENDLESS_CHUNK.length} bytes every ${ENDLESS_MS} ms, far below any size cap)`,
  'big-numbers': 'rows carry numbers JavaScript would change: ids past 2^60, 0.50, 2.0, nested 12345678901234567890, -0, 1e400',
  'huge-numbers': "conversions' credit is 1e400, which no Parquet column type holds",
  'bad-times': "Atribu and AttributionHub pages' last row has the time 2026-13-45T99:00:00Z (no instant; counts stay right)",
};

export function isBrokenMode(s: string): s is BrokenMode {
  return (BROKEN_MODES as readonly string[]).includes(s);
}
