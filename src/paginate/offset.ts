import { IntegrityError } from '../core/errors.js';
import type { Page, Paginator } from './types.js';

// Offset paging, with Airbyte's split between "what the next token is" and "where it goes":
// the next offset is either offset + rows received (Atribu's journey) or a value the server
// hands back (AttributionHub's records_processed), and it travels in the query string or in a
// JSON body. dlt's rule applies: an offset paginator must have a way to stop, and one that would
// ask for the same offset twice is a server fault (exit 6), not a reason to loop.

/** The pieces of a request a paginator fills in; the dataset merges them into its own request. */
export interface RequestParts {
  /** Query-string parameters (already strings). */
  query: Record<string, string>;
  /** Top-level keys of a JSON body. */
  body: Record<string, unknown>;
}

/** Where a token goes: the query string or the JSON body. */
export type TokenPlace = 'query' | 'body';

/** Put `fields` in one place: query values become strings, body values keep their JSON type. */
export function placeFields(into: TokenPlace, fields: Record<string, string | number>): RequestParts {
  if (into === 'body') return { query: {}, body: { ...fields } };
  return { query: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])), body: {} };
}

/** `offset` (and `limit`, when the API takes one) under these names, in one place. */
export function offsetIn(into: TokenPlace, offsetField: string, limitField?: string): (offset: number, limit: number | undefined) => RequestParts {
  return (offset, limit) => placeFields(into, limitField !== undefined && limit !== undefined ? { [offsetField]: offset, [limitField]: limit } : { [offsetField]: offset });
}

export interface OffsetRequest extends RequestParts {
  offset: number;
}

export interface OffsetPaginatorOptions {
  /** First offset (default 0). */
  start?: number;
  /** Page size to ask for, if the API takes one. */
  limit?: number;
  /** What the next offset is: `rows` = offset + rows received, or a value read from the body. */
  nextOffset: 'rows' | ((json: unknown) => unknown);
  /** The server's total, if it gives one (undefined: not on this page): paging ends once the offset reaches it. */
  readTotal?: (json: unknown) => unknown;
  /** The server's "more pages" flag, if it has one: false ends paging. */
  readHasMore?: (json: unknown) => unknown;
  /** Where the offset goes. */
  place: (offset: number, limit: number | undefined) => RequestParts;
  /** Names the thing being paged in messages ("journey of c-1"). */
  what?: string;
}

/**
 * Stops on: an empty page, has_more false, offset >= total. Refuses (IntegrityError): a next
 * offset that is not an integer or does not move past the current one, a total that is not a count.
 */
export class OffsetPaginator implements Paginator<OffsetRequest> {
  private offset: number;
  private done = false;
  private total: number | undefined;

  constructor(private readonly opts: OffsetPaginatorOptions) {
    this.offset = opts.start ?? 0;
  }

  /** The offset the next request would use (after the last page: where paging ended). */
  get position(): number {
    return this.offset;
  }

  /** The server's last total, if it sends one. */
  get lastTotal(): number | undefined {
    return this.total;
  }

  next(): OffsetRequest | undefined {
    if (this.done) return undefined;
    return { offset: this.offset, ...this.opts.place(this.offset, this.opts.limit) };
  }

  update(page: Page): void {
    const what = this.opts.what ?? 'offset paging';
    const total = this.opts.readTotal?.(page.json);
    if (total !== undefined) this.total = readCount(total, `${what}: the total`);
    if (page.rows.length === 0) {
      this.done = true;
      return;
    }
    const next =
      this.opts.nextOffset === 'rows' ? this.offset + page.rows.length : readCount(this.opts.nextOffset(page.json), `${what}: the next offset`);
    if (next <= this.offset) {
      throw new IntegrityError(`${what}: the offset did not advance (asked for ${this.offset}, the server says continue from ${next}); stopped instead of asking again`);
    }
    this.offset = next;
    const hasMore = this.opts.readHasMore?.(page.json);
    if (hasMore === false) this.done = true;
    if (this.total !== undefined && this.offset >= this.total) this.done = true;
  }
}

function readCount(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new IntegrityError(`${label} is ${JSON.stringify(value) ?? 'missing'}, not a count`);
  }
  return value;
}
