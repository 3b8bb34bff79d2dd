import type { WindowRows } from '../../core/window-rows.js';
import type { CredentialSpec, DatasetDef, ExportContext } from '../types.js';
import { fetchPage, type MbuzzDataset } from './api.js';
import { mbuzzDryRun } from './dry-run.js';
import { dayTotal } from './count.js';
import { readRangeExactly } from './plan.js';
import { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } from './schemas.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'MBUZZ_API_KEY', profileKey: 'api_key', label: 'API key', secret: true, required: true, flag: 'apiKey' },
];

interface Traits {
  /** Every row carries one of the 12 channels, so per-channel queries partition a window. */
  partitionByChannel: boolean;
  /** The server ignores `funnel` here (conversions): the documented filter is applied by us. */
  funnelClientSide: boolean;
}

function mbuzzDataset(name: MbuzzDataset, summary: string, columns: DatasetDef['columns'], filters: DatasetDef['filters'], traits: Traits): DatasetDef {
  return {
    name,
    dateColumn: columns[0]!.name,
    // conversions and funnel: the UTC day of the row; spend: the ad platform's spend_date, the very
    // column the server filters on. Either way the day asked for (api-contracts/mbuzz.md §2).
    rowDate: { kind: 'day', column: columns[0]!.name },
    // The server ignores `funnel` on /conversions: the documented filter is ours, applied after the
    // window's rows were counted against total_count.
    keep: traits.funnelClientSide ? (o) => (o.funnel === undefined ? undefined : (r) => r.funnel === o.funnel) : undefined,
    provider: 'mbuzz',
    summary,
    columns,
    filters,
    credentials: CREDENTIALS,
    resumable: true,
    dayTotal: dayTotal(name, traits.funnelClientSide),
    run: (ctx) => exportMbuzz(ctx, name, traits),
    dryRun: mbuzzDryRun(name, traits),
  };
}

async function* exportMbuzz(ctx: ExportContext, dataset: MbuzzDataset, traits: Traits): AsyncGenerator<WindowRows> {
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
    },
    observer,
  );
}


export const MBUZZ_DATASETS: readonly DatasetDef[] = [
  mbuzzDataset('conversions', 'one row per attribution credit (conversion x model x touchpoint)', CONVERSIONS_COLUMNS, ['channel', 'funnel'], {
    partitionByChannel: true,
    funnelClientSide: true,
  }),
  mbuzzDataset('funnel', 'one row per visit, event or conversion, in time order', FUNNEL_COLUMNS, ['channel', 'funnel'], {
    partitionByChannel: false,
    funnelClientSide: false,
  }),
  mbuzzDataset('spend', 'one row per ad spend record from connected ad platforms', SPEND_COLUMNS, ['channel'], {
    partitionByChannel: true,
    funnelClientSide: false,
  }),
];
