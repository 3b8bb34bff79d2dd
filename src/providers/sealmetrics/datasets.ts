import type { DatasetDef } from '../types.js';

// TODO(issue 5): sealmetrics datasets.
export const SEALMETRICS_DATASETS: readonly DatasetDef[] = [];
