import { IntegrityError } from '../core/errors.js';
import { addDays, toEpochDay } from '../core/dates.js';
import type { Page, Paginator } from './types.js';

/** An inclusive run of UTC days. */
export interface DateBlock {
  from: string;
  to: string;
}

/**
 * For APIs with no cursor at all (Mixpanel's raw export): the range is cut into blocks of
 * `daysPerBlock` days, one request each, in date order. It stops because every update moves
 * the start one block on and the range has an end; an update with no block asked for is a bug
 * in the caller's loop, refused rather than skipped over.
 */
export class DateBlockPaginator implements Paginator<DateBlock> {
  private start: string;
  private pending: DateBlock | undefined;

  constructor(
    from: string,
    private readonly to: string,
    private readonly daysPerBlock: number,
  ) {
    if (!Number.isInteger(daysPerBlock) || daysPerBlock < 1) throw new RangeError(`days per block must be a whole number from 1, got ${daysPerBlock}`);
    this.start = from;
  }

  /** How many requests the range takes. */
  get blocks(): number {
    const days = toEpochDay(this.to) - toEpochDay(this.start) + 1;
    return days <= 0 ? 0 : Math.ceil(days / this.daysPerBlock);
  }

  next(): DateBlock | undefined {
    if (this.start > this.to) return undefined;
    const end = addDays(this.start, this.daysPerBlock - 1);
    this.pending = { from: this.start, to: end < this.to ? end : this.to };
    return this.pending;
  }

  update(_page: Page): void {
    if (this.pending === undefined) throw new IntegrityError('date blocks: a page arrived for no block asked for');
    this.start = addDays(this.pending.to, 1);
    this.pending = undefined;
  }
}
