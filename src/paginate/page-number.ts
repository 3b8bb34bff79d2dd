import { IntegrityError } from '../cli/errors.js';
import type { Page, Paginator } from './types.js';

export interface PageNumberRequest {
  page: number;
  perPage: number;
}

/**
 * page=1,2,… until page > total_pages, where total_pages comes from the first page. A later
 * page that reports another total means the data moved under us: that is an integrity failure,
 * not something to page around.
 */
export class PageNumberPaginator implements Paginator<PageNumberRequest> {
  private page: number;
  private totalPages: number | undefined;

  constructor(
    private readonly perPage: number,
    private readonly readTotalPages: (json: unknown) => number,
    options: { startPage?: number; totalPages?: number } = {},
  ) {
    this.page = options.startPage ?? 1;
    this.totalPages = options.totalPages;
  }

  next(): PageNumberRequest | undefined {
    if (this.totalPages !== undefined && this.page > this.totalPages) return undefined;
    return { page: this.page, perPage: this.perPage };
  }

  update(page: Page): void {
    const total = this.readTotalPages(page.json);
    if (!Number.isInteger(total) || total < 0) throw new IntegrityError(`total_pages ${String(total)} is not a page count`);
    if (this.totalPages === undefined) this.totalPages = total;
    else if (total !== this.totalPages) {
      throw new IntegrityError(`total_pages changed from ${this.totalPages} to ${total} while paging: the data moved during the export`);
    }
    this.page += 1;
  }
}
