import type { CredentialSpec, DatasetDef } from '../types.js';
import type { MbuzzDataset } from './api.js';
import type { Traits } from './run.js';
import { mbuzzDryRun } from './dry-run.js';
import { dayTotal } from './count.js';
import { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } from './schemas.js';

// What mbuzz's datasets are (help, `mbuzz datasets`, config, validation); how they are read is
// run.ts, loaded by the first export (so `mbuzz --version` and `--help` never load the pager).

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'MBUZZ_API_KEY', profileKey: 'api_key', label: 'API key', secret: true, required: true, flag: 'apiKey' },
];

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
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportMbuzz(ctx, name, traits);
    },
    dryRun: mbuzzDryRun(name, traits),
  };
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
