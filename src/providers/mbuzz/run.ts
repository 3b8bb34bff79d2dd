import type { WindowRows } from '../../core/window-rows.js';
import type { ExportContext } from '../types.js';
import { fetchPage, type MbuzzDataset } from './api.js';
import { readRangeExactly } from './plan.js';

// How an mbuzz dataset is read; datasets.ts says what it is and loads this on the first export.

export interface Traits {
  /** Every row carries one of the 12 channels, so per-channel queries partition a window. */
  partitionByChannel: boolean;
  /** The server ignores `funnel` here (conversions): the documented filter is applied by us. */
  funnelClientSide: boolean;
}

export async function* exportMbuzz(ctx: ExportContext, dataset: MbuzzDataset, traits: Traits): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const apiKey = options.credentials.apiKey!;
  const fetch = (q: Parameters<typeof fetchPage>[3]) => fetchPage(client, options.baseUrl, apiKey, q);
  yield* readRangeExactly(
    fetch,
    {
      dataset,
      from: options.from,
      to: options.to,
      today: options.today,
      channels: options.channels,
      funnel: traits.funnelClientSide ? undefined : options.funnel,
      perPage: options.perPage,
      partitionByChannel: traits.partitionByChannel,
      concurrency: options.concurrency,
      skipped: ctx.resume?.skipped,
      dateColumn: options.dataset.dateColumn,
    },
    observer,
  );
}
