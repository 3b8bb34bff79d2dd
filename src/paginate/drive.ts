import { IntegrityError } from '../core/errors.js';
import type { Page, Paginator } from './types.js';

export const DEFAULT_MAX_PAGES = 1_000_000;

/**
 * The one loop over pages, for every style: ask the paginator, fetch, hand the page back.
 * The page cap is the last line of defence against a server that never says it is done.
 */
export async function* drive<Req>(
  paginator: Paginator<Req>,
  fetchPage: (req: Req) => Promise<Page>,
  options: { maxPages?: number; what?: string } = {},
): AsyncGenerator<Page> {
  const cap = options.maxPages ?? DEFAULT_MAX_PAGES;
  let pages = 0;
  for (let req = paginator.next(); req !== undefined; req = paginator.next()) {
    if (++pages > cap) {
      throw new IntegrityError(`${options.what ?? 'pagination'} went past ${cap} pages without the server saying it was done; stopped`);
    }
    const page = await fetchPage(req);
    paginator.update(page);
    yield page;
  }
}
