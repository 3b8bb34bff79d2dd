import { IntegrityError } from '../core/errors.js';
import type { Row } from '../core/columns.js';
import { rowBytes } from '../json/parse.js';
import { stringifyExact } from '../json/stringify.js';

// Exact reading of an OFFSET-paged result whose order has ties the server may break differently
// on every query (mbuzz: credit rows share a timestamp; funnel sorts unstably). Rows have no ids.
//
// Every query returns *some* valid ordering, so the set of rows in each position's tie group is
// the same across queries; only which member sits where changes. Page k and page k+1 can
// therefore repeat or drop members of the group that straddles their edge e. We read a probe
// page (another page size) that holds e well inside it: one query, so consistent across e. Then
// we cut over from page k to the probe at a position p <= e, and back to page k+1 at q >= e,
// where the cut is exact: the rows before it form the same multiset in both queries.
//
// Finding such a cut without ids: let D(p) = multiset(A[s..p)) - multiset(B[s..p)) for two reads
// A, B of the same positions. At every tie-group boundary D(p) equals the same value (minus the
// unknown difference inherited at s), and a cut is exact exactly where D(p) takes that value.
// Inside a group D wanders through values that belong to that group only. So the value of D
// seen most often is the boundary value, provided the overlap spans several groups; when it does
// not we try another probe, and if none settles it we fail rather than guess.

export type PageReader = (page: number, size: number) => Promise<Row[]>;

export interface EdgeOptions {
  total: number;
  perPage: number;
  /** Largest page the server serves. */
  maxPageSize?: number;
  /** For messages: which window this is. */
  label: string;
  /**
   * Identifies a row's content. Default: the row's own bytes in its response (json/parse.ts),
   * so rows that differ only in a 17th digit differ; its exact JSON for a row without them.
   */
  rowKey?: (row: Row) => string;
}

const PROBES_PER_EDGE = 3;

/** Yields the window's rows exactly once each, in the server's order, page edges repaired. */
export async function* readAcrossUnstableEdges(read: PageReader, firstPage: Row[], opts: EdgeOptions): AsyncGenerator<Row[]> {
  const { total, perPage: P } = opts;
  const maxSize = opts.maxPageSize ?? 1000;
  const key: RowHash = opts.rowKey ? keyHash(opts.rowKey) : hashRow;
  const pages = Math.ceil(total / P);
  const expect = (k: number) => Math.min(P, total - (k - 1) * P);
  checkLength(firstPage, expect(1), `page 1 of ${opts.label}`);

  let cur = firstPage;
  let base = 0; // position of cur[0]
  let pos = 0; // positions before this have been yielded
  for (let k = 1; k < pages; k++) {
    const e = k * P;
    const candidates = probeCandidates(e, total, maxSize).slice(0, PROBES_PER_EDGE);
    const best = candidates[0];
    // A probe that runs to the end of the data makes page k+1 unnecessary; otherwise both are
    // needed, so ask for them together.
    const probeEnds = best !== undefined && best.page * best.size >= total;
    let [next, firstProbe] = await Promise.all([probeEnds ? undefined : read(k + 1, P), best ? read(best.page, best.size) : undefined]);
    if (next) checkLength(next, expect(k + 1), `page ${k + 1} of ${opts.label}`);
    let nextEnd = e + (next?.length ?? 0);
    let cut: { p: number; q: number; probe: Row[]; c0: number } | undefined;
    for (const [i, { size, page }] of candidates.entries()) {
      const c0 = (page - 1) * size;
      const probe = i === 0 && firstProbe ? firstProbe : await read(page, size);
      checkLength(probe, Math.min(size, total - c0), `probe page ${page}×${size} of ${opts.label}`);
      const c1 = c0 + probe.length;
      // a wider retry that stops short of the end needs page k+1 after all
      if (c1 < total && !next) {
        next = await read(k + 1, P);
        checkLength(next, expect(k + 1), `page ${k + 1} of ${opts.label}`);
        nextEnd = e + next.length;
      }
      const s = Math.max(c0, base);
      const p = leftCut(cur, base, probe, c0, s, e, pos, key);
      const q = c1 >= total ? total : next ? rightCut(probe, c0, next, e, Math.min(c1, nextEnd), key) : undefined;
      if (p !== undefined && q !== undefined) {
        cut = { p, q, probe, c0 };
        break;
      }
    }
    if (!cut) {
      throw new IntegrityError(
        `${opts.label}: cannot make the page edge at row ${e} exact: tied rows span more than the overlap a ${maxSize}-row probe gives (try a larger --per-page)`,
      );
    }
    yield cur.slice(pos - base, cut.p - base);
    yield cut.probe.slice(cut.p - cut.c0, cut.q - cut.c0);
    if (cut.q >= total) return; // the probe ran to the end of the data
    if (!next) throw new Error('unreachable: a probe that ends the data always ends the read');
    pos = cut.q;
    cur = next;
    base = e;
  }
  if (pos < base + cur.length) yield cur.slice(pos - base);
}

function checkLength(rows: Row[], expected: number, what: string): void {
  if (rows.length !== expected) {
    throw new IntegrityError(`${what}: expected ${expected} rows, got ${rows.length} (the data changed during the export, or the server miscounts)`);
  }
}

/** Rows of overlap on each side of an edge that make a first probe worth trying (several tie groups). */
export const PROBE_MARGIN = 100;

interface Probe {
  size: number;
  page: number;
  /** Rows on the tighter side of the edge (before it, for a probe that reaches the end). */
  margin: number;
  /** Rows it fetches. */
  rows: number;
  /** It reaches the end of the data, so page k+1 is not needed. */
  ends: boolean;
}

/**
 * Probe pages (size, page number) holding position e, in the order to try them: the cheapest
 * whose margins hold PROBE_MARGIN rows (one that reaches the end of the data first: it saves
 * page k+1), then the widest that reaches the end, the cheapest with four times the margin, and
 * the widest of all. Each retry costs a request, so wider probes are asked for only when the
 * ties proved wider than the first overlap.
 */
export function probeCandidates(e: number, total: number, maxSize: number): { size: number; page: number; margin: number }[] {
  const all: Probe[] = [];
  for (let size = 2; size <= maxSize; size++) {
    const r = e % size;
    const start = e - r;
    const ends = start + size >= total;
    // a probe that reaches the end of the data needs no cut back to page k+1
    const margin = ends ? r : Math.min(r, size - r);
    if (margin < 1) continue;
    all.push({ size, page: Math.floor(e / size) + 1, margin, rows: Math.min(size, total - start), ends });
  }
  const cheapest = (min: number) =>
    all.filter((c) => c.margin >= min).sort((a, b) => Number(b.ends) - Number(a.ends) || a.rows - b.rows || b.margin - a.margin)[0];
  const byMargin = (cs: Probe[]) => [...cs].sort((a, b) => b.margin - a.margin || b.size - a.size)[0];
  const first = cheapest(PROBE_MARGIN);
  // a retry only where it is clearly wider than what failed
  const widestEnd = byMargin(all.filter((c) => c.ends && c.margin >= 2 * (first?.margin ?? 0)));
  const order = [first, widestEnd, cheapest(4 * PROBE_MARGIN), byMargin(all)].filter((c): c is Probe => c !== undefined);
  const seen = new Set<string>();
  return order
    .filter((c) => !seen.has(`${c.size}:${c.page}`) && seen.add(`${c.size}:${c.page}`))
    .map(({ size, page, margin }) => ({ size, page, margin }));
}

/** A row's content as two 32-bit lanes, written to `out` (no allocation per row). */
type RowHash = (row: Row, out: Uint32Array) => void;

/**
 * Order-free hash of a multiset difference, kept incrementally in two 32-bit lanes; `value`
 * packs them into one number (53 bits) so the counts below need no string per position.
 */
class MultisetDelta {
  a = 0;
  b = 0;
  private readonly h = new Uint32Array(2);
  constructor(private readonly hash: RowHash) {}
  add(row: Row, sign: 1 | -1): void {
    this.hash(row, this.h);
    this.a = (this.a + sign * this.h[0]!) >>> 0;
    this.b = (this.b + sign * this.h[1]!) >>> 0;
  }
  get value(): number {
    return this.a * 2 ** 21 + (this.b >>> 11);
  }
}

/**
 * The row's bytes, four at a time: each step of each lane is a bijection of the lane, so rows
 * that differ anywhere (one digit of one number) always hash differently in both lanes, and
 * murmur3's finaliser spreads the result for the sums above.
 */
function hashRow(row: Row, out: Uint32Array): void {
  const own = rowBytes(row);
  if (!own) return hashText(stringifyExact(row)!, out);
  const { bytes: b, start, end } = own;
  let h1 = 0x811c9dc5 ^ (end - start);
  let h2 = 0x9747b28c;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  for (; i < end; i++) {
    h1 = Math.imul(h1 ^ b[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ b[i]!, 0x5bd1e995);
  }
  out[0] = fmix(h1);
  out[1] = fmix(h2);
}

function hashText(s: string, out: Uint32Array): void {
  let h1 = 0x811c9dc5 ^ s.length;
  let h2 = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  out[0] = fmix(h1);
  out[1] = fmix(h2);
}

function keyHash(key: (row: Row) => string): RowHash {
  return (row, out) => hashText(key(row), out);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The boundary value of D over a region, if it clearly dominates. */
function boundaryValue(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1]);
  const [best, second] = ranked;
  if (!best) return undefined;
  if (ranked.length === 1) return best[0];
  if (best[1] >= 3 && best[1] >= 2 * (second?.[1] ?? 0)) return best[0];
  return undefined;
}

/**
 * Positions p in [from, to] where reads `a` and `b` (holding positions aBase.. and bBase..) put
 * the same multiset of rows in [from, p), given whatever they inherited before `from`: the cuts
 * where switching from one read to the other loses and repeats nothing. Ascending; undefined when
 * no value of D clearly dominates (a tie group wider than the overlap).
 */
function exactCuts(a: Row[], aBase: number, b: Row[], bBase: number, from: number, to: number, key: RowHash): number[] | undefined {
  const d = new MultisetDelta(key);
  const values: number[] = [d.value];
  for (let i = from; i < to; i++) {
    d.add(a[i - aBase]!, 1);
    d.add(b[i - bBase]!, -1);
    values.push(d.value);
  }
  const boundary = boundaryValue(values);
  if (boundary === undefined) return undefined;
  const cuts: number[] = [];
  values.forEach((v, i) => v === boundary && cuts.push(from + i));
  return cuts;
}

/** Latest p in [max(pos, s), e] where switching from cur to the probe is exact. */
function leftCut(cur: Row[], base: number, probe: Row[], c0: number, s: number, e: number, pos: number, key: RowHash): number | undefined {
  return exactCuts(cur, base, probe, c0, s, e, key)?.findLast((p) => p >= Math.max(pos, s));
}

/** Earliest q in [e, t] where switching from the probe to page k+1 is exact. */
function rightCut(probe: Row[], c0: number, next: Row[], e: number, t: number, key: RowHash): number | undefined {
  return exactCuts(probe, c0, next, e, e, t, key)?.[0];
}
