import { UsageError } from '../cli/errors.js';
import { suggest } from '../suggest.js';
import type { DatasetDef } from './types.js';
import { MBUZZ_DATASETS } from './mbuzz/datasets.js';
import { MIXPANEL_DATASETS } from './mixpanel/datasets.js';
import { SEALMETRICS_DATASETS } from './sealmetrics/datasets.js';
import { ATRIBU_DATASETS } from './atribu/datasets.js';
import { ATTRIBUTIONHUB_DATASETS } from './attributionhub/datasets.js';

export const DATASETS: readonly DatasetDef[] = [...MBUZZ_DATASETS, ...MIXPANEL_DATASETS, ...SEALMETRICS_DATASETS, ...ATRIBU_DATASETS, ...ATTRIBUTIONHUB_DATASETS];

export function findDataset(name: string): DatasetDef {
  const found = DATASETS.find((d) => d.name === name);
  if (!found) {
    const near = suggest(name, DATASETS.map((d) => d.name));
    if (near !== undefined) throw new UsageError(`unknown dataset ${JSON.stringify(name)} (did you mean ${near}?)`);
    throw new UsageError(`unknown dataset ${JSON.stringify(name)} (known: ${DATASETS.map((d) => d.name).join(', ')}; see mbuzz datasets)`);
  }
  return found;
}
