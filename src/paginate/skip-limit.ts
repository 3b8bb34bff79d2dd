import { IntegrityError } from '../core/errors.js';
import type { Row } from '../core/columns.js';
import type { Page, Paginator } from './types.js';

export interface SkipLimitRequest {
  skip: number;
  limit: number;
}

export interface SkipLimitOptions {
  /** First `skip` (default 0). */
  startSkip?: number;
  /**
   * What makes two pages "the same page" (default: their JSON). A full page equal to the one
   * before it means the server ignored `skip`: walking on would loop, so it is an integrity error.
   */
  fingerprint?: (rows: readonly Row[]) => string;
  /** For messages: which window this is. */
  label?: string;
}

/**
 * skip = 0, limit, 2·limit, … for an API that never says how much it holds (no total, no
 * has_more). The only end signal is a page shorter than `limit`, or an empty one (a total that is
 * a multiple of `limit` costs one extra request answering []).
 *
 * Why this stops: every full page moves `skip` forward by `limit` >= 1, and a full page that
 * repeats the previous one (a server ignoring skip) throws instead of moving on. A server that
 * invents fresh full pages forever is caught by drive()'s page cap. A page longer than `limit`
 * throws too: the server is not honouring limit, so skipping by it would drop rows.
 */
export class SkipLimitPaginator implements Paginator<SkipLimitRequest> {
  private skip: number;
  private done = false;
  private previous: { skip: number; fingerprint: string } | undefined;
  private readonly fingerprint: (rows: readonly Row[]) => string;
  private readonly label: string;

  constructor(
    private readonly limit: number,
    options: SkipLimitOptions = {},
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.skip = options.startSkip ?? 0;
    this.fingerprint = options.fingerprint ?? ((rows) => JSON.stringify(rows));
    this.label = options.label ? `${options.label}: ` : '';
  }

  next(): SkipLimitRequest | undefined {
    return this.done ? undefined : { skip: this.skip, limit: this.limit };
  }

  /** Rows received so far (what `skip` has moved past). */
  get position(): number {
    return this.skip;
  }

  update(page: Page): void {
    const n = page.rows.length;
    if (n > this.limit) {
      throw new IntegrityError(`${this.label}skip=${this.skip} returned ${n} rows, more than limit=${this.limit}: the server is not honouring limit, so paging by it would skip rows`);
    }
    if (n < this.limit) {
      // Short or empty: the server has nothing after these.
      this.skip += n;
      this.done = true;
      return;
    }
    const fingerprint = this.fingerprint(page.rows);
    if (this.previous && this.previous.fingerprint === fingerprint) {
      throw new IntegrityError(
        `${this.label}skip=${this.skip} returned the same ${n} rows as skip=${this.previous.skip}: the server is ignoring skip; stopped instead of looping`,
      );
    }
    this.previous = { skip: this.skip, fingerprint };
    this.skip += n;
  }
}
