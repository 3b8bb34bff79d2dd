import type { DayTotal } from '../types.js';
import type { MbuzzDataset } from './api.js';

// A day's total_count: one request for one row of that day (start_date = end_date = the day),
// with the export's own filters, as the export itself would ask (api-contracts/mbuzz.md §3:
// total_count is counted apart from the page, so per_page=1 costs the server one COUNT).

export function dayTotal(dataset: MbuzzDataset, funnelClientSide: boolean): DayTotal {
  return {
    // /conversions ignores `funnel`: the export filters its rows itself, and no request counts them
    unavailable: (o) =>
      funnelClientSide && o.funnel !== undefined
        ? `the API does not filter ${dataset} by funnel (mbuzz does, after reading every row), so it has no count of --funnel ${o.funnel}'s rows per day; verify the unfiltered export, or re-export those days`
        : undefined,
    async count({ options, client }, day) {
      // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
      const { fetchPage } = await import('./api.js');
      const page = await fetchPage(client, options.baseUrl, options.credentials.apiKey!, {
        dataset,
        from: day,
        to: day,
        channels: options.channels,
        funnel: funnelClientSide ? undefined : options.funnel,
        page: 1,
        perPage: 1,
      });
      return page.meta.total_count;
    },
  };
}
