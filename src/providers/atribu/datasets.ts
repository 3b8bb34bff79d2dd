import type { DatasetDef } from '../types.js';

// TODO(issue 5): atribu datasets.
export const ATRIBU_DATASETS: readonly DatasetDef[] = [];
