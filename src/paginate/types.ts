import type { Row } from '../core/columns.js';

/** One page as a paginator sees it: the rows the record selector found and the whole body. */
export interface Page {
  rows: Row[];
  json: unknown;
}

/**
 * One pagination style (dlt's shape): `next()` says what to ask for, or undefined when done;
 * `update()` reads the page that came back. Every paginator must be able to prove it stops:
 * `update()` throws IntegrityError when the server's answer would not move it forward.
 */
export interface Paginator<Req> {
  next(): Req | undefined;
  update(page: Page): void;
}
