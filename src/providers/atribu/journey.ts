import { IntegrityError } from '../../core/errors.js';
import { drive } from '../../paginate/drive.js';
import { CursorPaginator, splitCursorIn } from '../../paginate/cursor.js';
import { OffsetPaginator, offsetIn } from '../../paginate/offset.js';
import type { Row } from '../../core/columns.js';
import { fetchCustomers, fetchJourney, type AtribuApi, type CustomersQuery } from './api.js';

// The two walks: the customers list by cursor, and one customer's journey by offset.

/** Every customers row for the window, page by page, in the API's order. */
export async function* walkCustomers(api: AtribuApi, q: CustomersQuery): AsyncGenerator<Row[]> {
  const paginator = new CursorPaginator({
    readCursor: (j) => (j as { pagination: { cursor?: unknown } }).pagination.cursor,
    readHasNext: (j) => (j as { pagination: { has_next: unknown } }).pagination.has_next,
    place: splitCursorIn('query', ['cursor_time', 'cursor_id']),
    what: 'atribu customers',
  });
  for await (const page of drive(paginator, (req) => fetchCustomers(api, q, req), { what: 'atribu customers' })) {
    if (page.rows.length > 0) yield page.rows;
  }
}

/**
 * One customer's timeline as rows led by the customer id and the event's position. The count
 * must come out at the server's total_count: a journey that ends early (an empty page before the
 * total) fails rather than passing as complete. An unknown or foreign id is an empty journey:
 * Atribu answers both the same way on purpose (BOLA protection).
 */
export async function* walkJourney(api: AtribuApi, customerId: string, limit: number): AsyncGenerator<Row[]> {
  const what = `atribu journey of customer ${customerId}`;
  const paginator = new OffsetPaginator({
    limit,
    nextOffset: 'rows',
    readTotal: (j) => (j as { data: { total_count: unknown } }).data.total_count,
    place: offsetIn('query', 'offset', 'limit'),
    what,
  });
  let index = 0;
  for await (const page of drive(paginator, (req) => fetchJourney(api, customerId, req), { what })) {
    if (page.rows.length === 0) continue;
    yield page.rows.map((event) => ({ customer_profile_id: customerId, event_index: index++, ...event }));
  }
  const total = paginator.lastTotal ?? 0;
  if (index !== total) {
    throw new IntegrityError(`${what}: received ${index} events, but the server says it holds ${total} (paging ended at offset ${paginator.position})`);
  }
}

/** The distinct customer ids of a customers walk, in order of first appearance. */
export async function collectCustomerIds(rows: AsyncIterable<Row[]>): Promise<string[]> {
  const seen = new Set<string>();
  for await (const batch of rows) {
    for (const row of batch) {
      const id = row.customer_profile_id;
      if (typeof id !== 'string' || id === '') throw new IntegrityError(`atribu customers: a row has customer_profile_id ${JSON.stringify(id)}, not an id`);
      seen.add(id);
    }
  }
  return [...seen];
}
