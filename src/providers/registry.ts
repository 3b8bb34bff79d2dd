import { UsageError } from '../cli/errors.js';
import type { DatasetDef } from './types.js';
import { MBUZZ_DATASETS } from './mbuzz/datasets.js';

export const DATASETS: readonly DatasetDef[] = [...MBUZZ_DATASETS];

export function findDataset(name: string): DatasetDef {
  const found = DATASETS.find((d) => d.name === name);
  if (!found) {
    throw new UsageError(`unknown dataset ${JSON.stringify(name)} (known: ${DATASETS.map((d) => d.name).join(', ')}; see mbuzz datasets)`);
  }
  return found;
}
