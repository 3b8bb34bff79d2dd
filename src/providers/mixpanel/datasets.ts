import type { DatasetDef } from '../types.js';

// TODO(issue 5): mixpanel datasets.
export const MIXPANEL_DATASETS: readonly DatasetDef[] = [];
