import type { Column } from '../../core/columns.js';
import type { ExportOptions, ParamSpec } from '../types.js';
import type { Unit } from './units.js';
import type { AllNames } from './all-names-spec.js';

// One Data API 2.0 endpoint as its dataset describes it; shared by the description
// (legacy-datasets.ts) and the reader (legacy-run.ts, loaded by the first export).

/**
 * How --from/--to reach the endpoint:
 * - periods: interval back to --from; rows whose period overlaps --from..--to are kept;
 * - totals: interval back to --from, one total up to now, so --to must be today;
 * - dates: no interval parameter; the dates returned are kept when they overlap --from..--to;
 * - today: today against yesterday, dates do not apply.
 */
export type DateUse = 'periods' | 'totals' | 'dates' | 'today';

export interface LegacyEndpoint {
  name: string;
  path: string;
  summary: string;
  columns: readonly Column[];
  params: readonly ParamSpec[];
  dates: DateUse;
  /** The column that holds the period label (periods, dates). */
  dateColumn?: string;
  /** With none of this list parameter given, every name the names endpoint lists (all-names.ts). */
  all?: AllNames;
}

export const unitOfOptions = (o: Pick<ExportOptions, 'params'>): Unit => (o.params.unit?.[0] ?? 'day') as Unit;
