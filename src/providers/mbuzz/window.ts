import { IntegrityError } from '../../core/errors.js';
import type { Row } from '../../core/columns.js';
import { readAcrossUnstableEdges } from '../../paginate/unstable-edges.js';
import type { MbuzzPage, MbuzzQuery } from './api.js';

// Reading one query's rows exactly: one page is one query and exact; more pages go through the
// page-edge repair. Every page is checked against the total the query reported first.

export type PageFetcher = (q: MbuzzQuery) => Promise<MbuzzPage>;
export type QueryShape = Omit<MbuzzQuery, 'page' | 'perPage'>;

export function windowLabel(dataset: string, from: string, to: string, channels?: readonly string[]): string {
  const days = from === to ? from : `${from}..${to}`;
  return `${dataset} ${days}${channels ? ` channels=${channels.join(',')}` : ''}`;
}

export async function* readQuery(fetch: PageFetcher, q: QueryShape, first: MbuzzPage, perPage: number, label: string): AsyncGenerator<Row[]> {
  const total = first.meta.total_count;
  if (total <= perPage) {
    yield checkSinglePage(first, label, perPage);
    return;
  }
  const read = async (page: number, size: number): Promise<Row[]> => {
    const p = await fetch({ ...q, page, perPage: size });
    if (p.meta.total_count !== total) {
      throw new IntegrityError(`${label}: total_count changed from ${total} to ${p.meta.total_count} while paging (the data changed during the export; re-run it)`);
    }
    if (p.rows.length > size) throw new IntegrityError(`${label}: page ${page} has ${p.rows.length} rows, more than per_page ${size}`);
    return p.rows;
  };
  yield* readAcrossUnstableEdges(read, first.rows, { total, perPage, label });
}

export function checkSinglePage(page: MbuzzPage, label: string, perPage: number): Row[] {
  const { rows, meta } = page;
  if (rows.length > perPage) throw new IntegrityError(`${label}: page 1 has ${rows.length} rows, more than per_page ${perPage}`);
  if (rows.length !== meta.total_count) {
    throw new IntegrityError(`${label}: the API said ${meta.total_count} rows and sent ${rows.length}`);
  }
  return rows;
}
