import { IntegrityError } from '../../core/errors.js';
import type { Row } from '../../core/columns.js';
import { quotable } from '../../core/secrets.js';
import { drive } from '../../paginate/drive.js';
import { SkipLimitPaginator, type SkipLimitRequest } from '../../paginate/skip-limit.js';

// Reading every row of one window exactly when the API pages by skip/limit, reports no total,
// and does not promise a stable order.
//
// What can go wrong: each page is its own query. If the server breaks ties differently from one
// query to the next (the docs name no sort key; the sample is newest first, and many rows share a
// second), a row can move across a page edge between two requests: it is read twice and another
// row, displaced the other way, never. Rows carry a unique `_id`, which is what makes this fixable:
//
//  - Count check. For a fixed set of N rows the pages hold min(limit, N - skip) rows each whatever
//    the order, so one pass receives exactly N rows. d repeated `_id`s in a pass therefore mean
//    exactly d rows were missed, and a pass without repeats holds every row.
//  - Repair. After a pass with repeats we read the window again with another limit (page edges
//    elsewhere, and other queries, so other tie orders) and keep the union by `_id`, until the
//    union reaches N. The passes must agree on N: if it moves, the data changed under us.
//  - Order. Rows leave sorted by `_id` (ObjectIds start with their creation second), so two runs
//    over the same data give the same bytes whatever order the API served them in.
//
// A window whose first page is short was one query and is exact in one request.

export type SkipLimitFetch = (req: SkipLimitRequest) => Promise<Row[]>;

export interface ExactWindowOptions {
  /** The first pass's page size; later passes use others near it. */
  limit: number;
  /** For messages: "microconversions 2026-05-01". */
  label: string;
  /** Passes before giving up (default 6). */
  maxPasses?: number;
  /** Per pass: the last defence against a server that never sends a short page. */
  maxPages: number;
  /** Checks one row and gives it its output shape; throws IntegrityError on a bad row. */
  normalize?: (row: Row) => Row;
}

export interface ExactWindow {
  rows: Row[];
  passes: number;
  /** Rows the window holds (the count every pass received). */
  total: number;
}

const DEFAULT_MAX_PASSES = 6;
// Later passes shrink the page by these fractions: edges land far from the first pass's.
const PASS_SHRINK = [0, 0.13, 0.06, 0.19, 0.03, 0.09, 0.16, 0.11];

export function passLimits(limit: number, passes: number): number[] {
  return Array.from({ length: passes }, (_, p) => Math.max(1, limit - Math.round(limit * (PASS_SHRINK[p % PASS_SHRINK.length] ?? 0))));
}

export async function readWindowExactly(fetch: SkipLimitFetch, opts: ExactWindowOptions): Promise<ExactWindow> {
  const maxPasses = opts.maxPasses ?? DEFAULT_MAX_PASSES;
  const normalize = opts.normalize ?? ((r: Row) => r);
  const byId = new Map<string, Row>();
  let total: number | undefined;
  const limits = passLimits(opts.limit, maxPasses);
  for (let pass = 0; pass < maxPasses; pass++) {
    const limit = limits[pass] as number;
    const seen = new Set<string>();
    let received = 0;
    let repeats = 0;
    const paginator = new SkipLimitPaginator(limit, { label: opts.label, fingerprint: (rows) => rows.map(idOf).join(',') });
    const pages = drive(paginator, async (req) => ({ rows: await fetch(req), json: null }), {
      maxPages: opts.maxPages,
      what: `${opts.label} (skip/limit paging, limit=${limit})`,
    });
    for await (const page of pages) {
      const inPage = new Set<string>();
      for (const raw of page.rows) {
        const row = normalize(raw);
        const id = idOf(row);
        if (inPage.has(id)) throw new IntegrityError(`${opts.label}: one page holds _id ${id} twice`);
        inPage.add(id);
        received++;
        if (seen.has(id)) repeats++;
        else seen.add(id);
        if (!byId.has(id)) byId.set(id, row);
      }
    }
    if (total === undefined) total = received;
    else if (received !== total) {
      throw new IntegrityError(`${opts.label}: the window held ${total} rows on the first read and ${received} on read ${pass + 1}: the data changed during the export; re-run it`);
    }
    if (byId.size > total) {
      throw new IntegrityError(`${opts.label}: ${byId.size} distinct _ids over ${pass + 1} reads of a window holding ${total} rows: the data changed during the export; re-run it`);
    }
    if (repeats === 0 || byId.size === total) return { rows: sortById([...byId.values()]), passes: pass + 1, total };
  }
  const missing = (total ?? 0) - byId.size;
  throw new IntegrityError(
    `${opts.label}: the API's order changes between pages; after ${maxPasses} reads ${missing} of ${total} rows were never served; re-run the export`,
  );
}

function idOf(row: Row): string {
  const id = row._id;
  if (typeof id !== 'string' || id === '') throw new IntegrityError(`a row has no _id: ${quotable(JSON.stringify(row), 200)}`);
  return id;
}

function sortById(rows: Row[]): Row[] {
  return rows.sort((a, b) => {
    const x = a._id as string;
    const y = b._id as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
