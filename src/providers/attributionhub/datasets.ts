import type { DatasetDef } from '../types.js';

// TODO(issue 5): attributionhub datasets.
export const ATTRIBUTIONHUB_DATASETS: readonly DatasetDef[] = [];
