import { IntegrityError } from '../../core/errors.js';
import { drive } from '../../paginate/drive.js';
import { OffsetPaginator, offsetIn } from '../../paginate/offset.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { ExportContext } from '../types.js';
import { fetchConversions, isNoResults, type AttributionHubApi, type ConversionsQuery } from './api.js';
import { conversionsInput } from './filters.js';
import { toRow } from './records.js';

// How AttributionHub's conversions are read; datasets.ts says what they are and loads this on the first export.

export async function* exportConversions(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const { filters, sessionMode } = conversionsInput(options);
  const api: AttributionHubApi = { client, baseUrl: options.baseUrl, apiKey: options.credentials.apiKey! };
  const query: ConversionsQuery = { from: options.from, to: options.to, filters };
  const what = `attributionhub conversions (${sessionMode ? 'session' : 'direct'} mode)`;
  const pagination = (j: unknown) => (isNoResults(j) ? undefined : (j as { pagination: Record<string, unknown> }).pagination);
  const paginator = new OffsetPaginator({
    nextOffset: (j) => pagination(j)?.records_processed,
    readTotal: (j) => pagination(j)?.total_records,
    readHasMore: (j) => pagination(j)?.has_more,
    place: offsetIn('body', 'offset'),
    what,
  });

  observer.plan(1);
  const window = { from: options.from, to: options.to, index: 0 };
  let firstTotal: number | undefined;
  let rows = 0;
  for await (const page of drive(paginator, (req) => fetchConversions(api, query, req), { what })) {
    const total = pagination(page.json)?.total_records as number | undefined;
    firstTotal ??= total;
    // Offsets index a list the server re-sorts on every call: if it grew or shrank, the pages
    // already read no longer line up with the ones to come.
    if (total !== undefined && total !== firstTotal) {
      throw new IntegrityError(`${what}: total_records changed from ${firstTotal} to ${total} while paging, so offsets no longer line up: the data moved during the export`);
    }
    if (page.rows.length === 0) continue;
    rows += page.rows.length;
    yield inWindow(window, page.rows.map(toRow));
  }
  if (!sessionMode && firstTotal !== undefined && rows !== firstTotal) {
    throw new IntegrityError(`${what}: received ${rows} conversions, but the server said ${firstTotal} match (paging ended at offset ${paginator.position})`);
  }
  // Direct mode counts conversions, so its total is a row count the pipeline checks again; session
  // mode counts sessions, which say nothing about rows.
  const info = !sessionMode && firstTotal !== undefined ? { ...window, received: firstTotal } : undefined;
  observer.windowDone(`${options.from}..${options.to}`, rows, info);
}
