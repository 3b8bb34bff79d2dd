import type { DatasetDef } from '../types.js';
import { EXPORT_DRY_RUN, REPORT_DRY_RUN } from './dry-run.js';
import { EXPORT_DATASET } from './export.js';
import { LEGACY_DATASETS } from './legacy-datasets.js';

// Mixpanel: the twelve signed Data API 2.0 endpoints (api_key + api_secret), and the raw event
// export (service account or project secret), which is how most users pull events today.
export const MIXPANEL_DATASETS: readonly DatasetDef[] = [...LEGACY_DATASETS.map((d) => ({ ...d, dryRun: REPORT_DRY_RUN })), { ...EXPORT_DATASET, dryRun: EXPORT_DRY_RUN }];
