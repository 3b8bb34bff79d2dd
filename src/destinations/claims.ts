// Who may write which days of a partition directory. One lock for the whole directory would make
// N sharded workers (each writing its own days into one directory or prefix) queue behind each
// other; no lock at all would let two runs of the SAME days interleave their part files and
// records. So a run claims the days it reads (it may write or remove any of their partitions),
// or every day with --replace-export (which removes another export's partitions anywhere), and a
// claim overlapping a live one is refused (exit 75), naming the run that holds it.
//
// A claim is a small file or object beside the partitions, `.mbuzz-claim.<from>..<to>.<id>`,
// holding its holder (pid, host, start: core/lock.ts's LockHolder). The days are in the name, so
// the claims that matter are found from a listing alone. Spark, Hive and DuckDB skip names
// starting with `.`, as they skip `_mbuzz.json`. How a claim is made exclusive depends on the
// store: local-partitions.ts checks and writes under a short directory lock; on S3, which has no
// lock, s3/claims.ts writes first and then looks (see there).

export interface DayRange {
  from: string;
  to: string;
}

/** Every day: what a --replace-export run claims. */
export const EVERY_DAY: DayRange = { from: '0000-01-01', to: '9999-12-31' };

export const CLAIM_PREFIX = '.mbuzz-claim.';
const CLAIM_NAME = /^\.mbuzz-claim\.(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})\.([0-9a-f]{6,32})(?:\.lock|\.json)$/;

export function claimName(days: DayRange, id: string, ext: 'lock' | 'json'): string {
  return `${CLAIM_PREFIX}${days.from}..${days.to}.${id}.${ext}`;
}

/** The days and id a claim's name records, or undefined for any other name. */
export function parseClaimName(name: string): { days: DayRange; id: string } | undefined {
  const m = CLAIM_NAME.exec(name);
  return m ? { days: { from: m[1]!, to: m[2]! }, id: m[3]! } : undefined;
}

export function overlaps(a: DayRange, b: DayRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** As messages say it: `2026-03-01..2026-03-04`, `2026-03-01`, or `every day`. */
export function describeDays(days: DayRange): string {
  if (days.from === EVERY_DAY.from && days.to === EVERY_DAY.to) return 'every day (--replace-export)';
  return days.from === days.to ? days.from : `${days.from}..${days.to}`;
}
