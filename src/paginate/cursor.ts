import { IntegrityError } from '../core/errors.js';
import { placeFields, type RequestParts, type TokenPlace } from './offset.js';
import type { Page, Paginator } from './types.js';

// Cursor paging: the server hands back an opaque token that names the next page. What the
// token is (read from the body) is kept apart from where it goes (one query parameter, or
// Atribu's `time|id` split into cursor_time and cursor_id). A token seen before means the server
// would serve a page it already served: that is an integrity failure, never a loop.

export interface CursorRequest extends RequestParts {
  /** The token this request carries; undefined for the first page. */
  cursor: string | undefined;
}

export interface CursorPaginatorOptions {
  /** What the next token is: read from the body; null, undefined or '' means no more pages. */
  readCursor: (json: unknown) => unknown;
  /** The server's "more pages" flag, if it has one: false ends paging whatever the token says. */
  readHasNext?: (json: unknown) => unknown;
  /** Where the token goes. */
  place: (cursor: string) => RequestParts;
  /** Names the thing being paged in messages ("atribu customers"). */
  what?: string;
}

/** The token whole, under one name. */
export function cursorIn(into: TokenPlace, field: string): (cursor: string) => RequestParts {
  return (cursor) => placeFields(into, { [field]: cursor });
}

/**
 * The token split at the FIRST `separator` into two fields: Atribu's `<time>|<id>` becomes
 * cursor_time and cursor_id. Splitting at the first one keeps an id that itself holds the
 * separator intact; a token without it cannot be placed and is refused.
 */
export function splitCursorIn(into: TokenPlace, fields: readonly [string, string], separator = '|'): (cursor: string) => RequestParts {
  return (cursor) => {
    const at = cursor.indexOf(separator);
    if (at < 0) throw new IntegrityError(`cursor ${JSON.stringify(cursor)} has no ${JSON.stringify(separator)} to split into ${fields.join(' and ')}`);
    return placeFields(into, { [fields[0]]: cursor.slice(0, at), [fields[1]]: cursor.slice(at + separator.length) });
  };
}

/** Stops on: has_next false, a null/empty token, an empty page. Refuses: a token seen before. */
export class CursorPaginator implements Paginator<CursorRequest> {
  private cursor: string | undefined;
  private done = false;
  private readonly seen = new Set<string>();
  private pages = 0;

  constructor(private readonly opts: CursorPaginatorOptions) {}

  next(): CursorRequest | undefined {
    if (this.done) return undefined;
    const parts = this.cursor === undefined ? { query: {}, body: {} } : this.opts.place(this.cursor);
    return { cursor: this.cursor, ...parts };
  }

  update(page: Page): void {
    this.pages++;
    const hasNext = this.opts.readHasNext?.(page.json);
    const token = this.opts.readCursor(page.json);
    if (page.rows.length === 0 || hasNext === false || token === null || token === undefined || token === '') {
      this.done = true;
      return;
    }
    const what = this.opts.what ?? 'cursor paging';
    if (typeof token !== 'string') throw new IntegrityError(`${what}: the cursor is ${JSON.stringify(token)}, not a string`);
    if (this.seen.has(token)) {
      throw new IntegrityError(`${what}: the server sent cursor ${JSON.stringify(token)} again after ${this.pages} pages, so it would serve pages already read; stopped instead of looping`);
    }
    this.seen.add(token);
    this.cursor = token;
  }
}
