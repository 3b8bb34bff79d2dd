import type { DatasetDef, ExportOptions } from '../types.js';
import { ALL_EVENTS, ALL_FUNNELS } from './all-names-spec.js';
import { EVENT, EVENTS, EVENTS_OR_ALL, FUNNEL, FUNNEL_UNIT, FUNNELS, FUNNELS_OR_ALL, LEGACY_CREDENTIALS, limit, NAME, TYPE, UNIT, VALUES } from './params.js';
import * as S from './schemas.js';
import { periodDays } from './units.js';
import { unitOfOptions, type DateUse, type LegacyEndpoint } from './legacy-endpoint.js';
import { reportDryRun } from './dry-run.js';

// The twelve Data API 2.0 endpoints, one dataset each. Each is one signed request (the API has
// no pages; `limit` only caps lists), flattened to tidy rows: how is legacy-run.ts, loaded by
// the first export.

const NOTES: Record<DateUse, string> = {
  periods:
    'The API takes unit/interval, not dates: interval counts units back from the current one, so mbuzz asks for enough units to reach --from (plus one for clock skew) and keeps the periods that overlap --from..--to; week (Monday-based) and month rows are whole periods, so the first and last may reach outside the range.',
  totals: 'One total over the units from --from up to now (interval counts units back from the current one), so --to must be today or left out.',
  dates: 'No interval parameter: the API returns the most recent dates (up to limit); rows outside --from..--to are dropped.',
  today: "Today's top events against yesterday: --from/--to do not apply.",
};

const ENDPOINTS: readonly LegacyEndpoint[] = [
  {
    name: 'events',
    path: 'events/',
    summary: 'total, unique or average counts of events per period: one row per (event, period)',
    columns: S.EVENTS_COLUMNS,
    params: [EVENTS_OR_ALL, TYPE, UNIT],
    dates: 'periods',
    dateColumn: 'date',
    all: ALL_EVENTS,
  },
  {
    name: 'events-top',
    path: 'events/top/',
    summary: "today's top events with their change from yesterday",
    columns: S.EVENTS_TOP_COLUMNS,
    params: [TYPE, limit(255)],
    dates: 'today',
  },
  {
    name: 'event-names',
    path: 'events/names/',
    summary: 'the most common event names over the range, by volume',
    columns: S.EVENT_NAMES_COLUMNS,
    params: [TYPE, UNIT, limit(255)],
    dates: 'totals',
  },
  {
    name: 'retention',
    path: 'retention/',
    summary: 'retention of event cohorts: one row per (event, cohort, periods later)',
    columns: S.RETENTION_COLUMNS,
    params: [EVENTS, TYPE, UNIT],
    dates: 'periods',
    dateColumn: 'cohort_date',
  },
  {
    name: 'event-properties',
    path: 'events/properties/',
    summary: "one event's counts per value of one property, per period",
    columns: S.EVENT_PROPERTIES_COLUMNS,
    params: [EVENT, NAME, VALUES, TYPE, UNIT, limit(255)],
    dates: 'periods',
    dateColumn: 'date',
  },
  {
    name: 'event-properties-top',
    path: 'events/properties/top/',
    summary: "an event's most used property names over the range",
    columns: S.EVENT_PROPERTIES_TOP_COLUMNS,
    params: [EVENT, TYPE, UNIT, limit(10)],
    dates: 'totals',
  },
  {
    name: 'event-property-values',
    path: 'events/properties/values/',
    summary: "the most common values of one event property over the range",
    columns: S.EVENT_PROPERTY_VALUES_COLUMNS,
    params: [EVENT, NAME, TYPE, UNIT, limit(255)],
    dates: 'totals',
  },
  {
    name: 'funnels',
    path: 'funnels/',
    summary: 'funnel steps per week: one row per (funnel, week, step)',
    columns: S.FUNNELS_COLUMNS,
    params: [FUNNELS_OR_ALL, FUNNEL_UNIT],
    dates: 'periods',
    dateColumn: 'date',
    all: ALL_FUNNELS,
  },
  {
    name: 'funnel-names',
    path: 'funnels/names/',
    summary: 'the names of the funnels active over the range',
    columns: S.FUNNEL_NAMES_COLUMNS,
    params: [FUNNEL_UNIT],
    dates: 'totals',
  },
  {
    name: 'funnel-dates',
    path: 'funnels/dates/',
    summary: 'the weeks in which each funnel has data',
    columns: S.FUNNEL_DATES_COLUMNS,
    params: [FUNNELS, FUNNEL_UNIT, limit(100)],
    dates: 'dates',
    dateColumn: 'date',
  },
  {
    name: 'funnel-properties',
    path: 'funnels/properties/',
    summary: "one funnel broken down by one property's values: one row per (week, value, step)",
    columns: S.FUNNEL_PROPERTIES_COLUMNS,
    params: [FUNNEL, NAME, FUNNEL_UNIT, limit(10)],
    dates: 'periods',
    dateColumn: 'date',
  },
  {
    name: 'funnel-property-names',
    path: 'funnels/properties/names/',
    summary: "a funnel's most used property names over the range",
    columns: S.FUNNEL_PROPERTY_NAMES_COLUMNS,
    params: [FUNNEL, FUNNEL_UNIT, limit(20)],
    dates: 'totals',
  },
];

export const LEGACY_DATASETS: readonly DatasetDef[] = ENDPOINTS.map((e) => ({
  name: `mixpanel:${e.name}`,
  provider: 'mixpanel',
  summary: `${e.summary} (GET /api/2.0/${e.path})`,
  columns: e.columns,
  filters: [],
  credentials: LEGACY_CREDENTIALS,
  params: e.params,
  notes: e.all ? `${NOTES[e.dates]} ${e.all.note}` : NOTES[e.dates],
  endsNow: e.dates === 'totals' ? true : undefined,
  // A period label (in the project's time zone, as --from/--to are read) whose days overlap the
  // range: week and month rows are whole periods. Totals and today's top events carry no date.
  rowDate: e.dateColumn === undefined ? undefined : { kind: 'period' as const, column: e.dateColumn, days: (label: string, o: ExportOptions) => periodDays(unitOfOptions(o), label) },
  run: async function* (ctx) {
    yield* (await import('./legacy-run.js')).runEndpoint(ctx, e);
  },
  dryRun: reportDryRun(e),
}));
