// `--broken bad-times` (broken.ts): the last row of every Atribu and AttributionHub page carries a
// time that names no instant, 2026-13-45T99:00:00Z (month 13, day 45, hour 99), in the field's
// own spelling; counts and cursors stay right. CSV, Parquet and PostgreSQL store these times as
// instants, so an export has to stop (exit 6) naming the value rather than write a wrong or empty
// one. Written into the body's text, like the number modes, so the rest of the page is untouched.

/** The fields that hold a time, and the damaged value each gets (its API's own form). */
const FIELDS: ReadonlyArray<[field: string, bad: string]> = [
  ['conversion_time', '2026-13-45T99:00:00Z'], // atribu:customers
  ['event_time', '2026-13-45T99:00:00Z'], // atribu:journey(s)
  ['timestamp', '2026-13-45 99:00:00'], // attributionhub:conversions
];

/** The body with the last occurrence of each time field replaced; other bodies come back as they were. */
export function withBadTimes(body: string): string {
  let out = body;
  for (const [field, bad] of FIELDS) {
    const key = `"${field}":"`;
    const at = out.lastIndexOf(key);
    if (at < 0) continue;
    const start = at + key.length;
    const end = out.indexOf('"', start);
    if (end < 0) continue;
    out = `${out.slice(0, start)}${bad}${out.slice(end)}`;
  }
  return out;
}
