import { UsageError } from '../../core/errors.js';
import type { Column, Row } from '../../core/columns.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { DatasetDef, ExportContext, ExportOptions, ParamSpec } from '../types.js';
import { callLegacy } from './api.js';
import { flattenEventNames, flattenEventProperties, flattenEvents, flattenEventsTop, flattenPropertiesTop, flattenPropertyValues, flattenRetention } from './flatten-events.js';
import { flattenFunnelDates, flattenFunnelNames, flattenFunnelProperties, flattenFunnelPropertyNames, flattenFunnels } from './flatten-funnels.js';
import { ALL_EVENTS, ALL_FUNNELS, listAllNames, nameBatches, type AllNames } from './all-names.js';
import { EVENT, EVENTS, EVENTS_OR_ALL, FUNNEL, FUNNEL_UNIT, FUNNELS, FUNNELS_OR_ALL, LEGACY_CREDENTIALS, limit, NAME, Params, TYPE, UNIT, VALUES } from './params.js';
import * as S from './schemas.js';
import type { ParamValue } from './sign.js';
import { intervalFor, periodDays, periodInRange, type Unit } from './units.js';

// The twelve Data API 2.0 endpoints, one dataset each. Each is one signed request (the API has
// no pages; `limit` only caps lists), flattened to tidy rows.

/**
 * How --from/--to reach the endpoint:
 * - periods: interval back to --from; rows whose period overlaps --from..--to are kept;
 * - totals: interval back to --from, one total up to now, so --to must be today;
 * - dates: no interval parameter; the dates returned are kept when they overlap --from..--to;
 * - today: today against yesterday, dates do not apply.
 */
type DateUse = 'periods' | 'totals' | 'dates' | 'today';

interface Endpoint {
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
  /** Endpoint parameters other than interval, from --param. */
  request(p: Params): Record<string, ParamValue>;
  flatten(json: unknown, p: Params): Row[];
}

const NOTES: Record<DateUse, string> = {
  periods:
    'The API takes unit/interval, not dates: interval counts units back from the current one, so mbuzz asks for enough units to reach --from (plus one for clock skew) and keeps the periods that overlap --from..--to; week (Monday-based) and month rows are whole periods, so the first and last may reach outside the range.',
  totals: 'One total over the units from --from up to now (interval counts units back from the current one), so --to must be today or left out.',
  dates: 'No interval parameter: the API returns the most recent dates (up to limit); rows outside --from..--to are dropped.',
  today: "Today's top events against yesterday: --from/--to do not apply.",
};

const typed = (p: Params) => ({ type: p.one('type') });
const unitOf = (p: Params) => ({ unit: p.one('unit') });
const withLimit = (p: Params, max = 100_000): Record<string, string> => {
  const n = p.count('limit', max);
  return n === undefined ? {} : { limit: String(n) };
};

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'events',
    path: 'events/',
    summary: 'total, unique or average counts of events per period: one row per (event, period)',
    columns: S.EVENTS_COLUMNS,
    params: [EVENTS_OR_ALL, TYPE, UNIT],
    dates: 'periods',
    dateColumn: 'date',
    all: ALL_EVENTS,
    request: (p) => ({ event: p.list('event'), ...typed(p), ...unitOf(p) }),
    flatten: (json) => flattenEvents(json),
  },
  {
    name: 'events-top',
    path: 'events/top/',
    summary: "today's top events with their change from yesterday",
    columns: S.EVENTS_TOP_COLUMNS,
    params: [TYPE, limit(255)],
    dates: 'today',
    request: (p) => ({ ...typed(p), ...withLimit(p) }),
    flatten: (json) => flattenEventsTop(json),
  },
  {
    name: 'event-names',
    path: 'events/names/',
    summary: 'the most common event names over the range, by volume',
    columns: S.EVENT_NAMES_COLUMNS,
    params: [TYPE, UNIT, limit(255)],
    dates: 'totals',
    request: (p) => ({ ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenEventNames(json),
  },
  {
    name: 'retention',
    path: 'retention/',
    summary: 'retention of event cohorts: one row per (event, cohort, periods later)',
    columns: S.RETENTION_COLUMNS,
    params: [EVENTS, TYPE, UNIT],
    dates: 'periods',
    dateColumn: 'cohort_date',
    request: (p) => ({ event: p.list('event'), ...typed(p), ...unitOf(p) }),
    flatten: (json) => flattenRetention(json),
  },
  {
    name: 'event-properties',
    path: 'events/properties/',
    summary: "one event's counts per value of one property, per period",
    columns: S.EVENT_PROPERTIES_COLUMNS,
    params: [EVENT, NAME, VALUES, TYPE, UNIT, limit(255)],
    dates: 'periods',
    dateColumn: 'date',
    request: (p) => ({ event: p.one('event'), name: p.one('name'), ...(p.list('values').length ? { values: p.list('values') } : {}), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenEventProperties(json, { event: p.one('event'), name: p.one('name') }),
  },
  {
    name: 'event-properties-top',
    path: 'events/properties/top/',
    summary: "an event's most used property names over the range",
    columns: S.EVENT_PROPERTIES_TOP_COLUMNS,
    params: [EVENT, TYPE, UNIT, limit(10)],
    dates: 'totals',
    request: (p) => ({ event: p.one('event'), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenPropertiesTop(json, { event: p.one('event') }),
  },
  {
    name: 'event-property-values',
    path: 'events/properties/values/',
    summary: "the most common values of one event property over the range",
    columns: S.EVENT_PROPERTY_VALUES_COLUMNS,
    params: [EVENT, NAME, TYPE, UNIT, limit(255)],
    dates: 'totals',
    request: (p) => ({ event: p.one('event'), name: p.one('name'), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenPropertyValues(json, { event: p.one('event'), name: p.one('name') }),
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
    request: (p) => ({ funnel: p.list('funnel'), ...unitOf(p) }),
    flatten: (json) => flattenFunnels(json),
  },
  {
    name: 'funnel-names',
    path: 'funnels/names/',
    summary: 'the names of the funnels active over the range',
    columns: S.FUNNEL_NAMES_COLUMNS,
    params: [FUNNEL_UNIT],
    dates: 'totals',
    request: (p) => unitOf(p),
    flatten: (json) => flattenFunnelNames(json),
  },
  {
    name: 'funnel-dates',
    path: 'funnels/dates/',
    summary: 'the weeks in which each funnel has data',
    columns: S.FUNNEL_DATES_COLUMNS,
    params: [FUNNELS, FUNNEL_UNIT, limit(100)],
    dates: 'dates',
    dateColumn: 'date',
    request: (p) => ({ funnel: p.list('funnel'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenFunnelDates(json),
  },
  {
    name: 'funnel-properties',
    path: 'funnels/properties/',
    summary: "one funnel broken down by one property's values: one row per (week, value, step)",
    columns: S.FUNNEL_PROPERTIES_COLUMNS,
    params: [FUNNEL, NAME, FUNNEL_UNIT, limit(10)],
    dates: 'periods',
    dateColumn: 'date',
    request: (p) => ({ funnel: p.one('funnel'), name: p.one('name'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenFunnelProperties(json, { funnel: p.one('funnel'), name: p.one('name') }),
  },
  {
    name: 'funnel-property-names',
    path: 'funnels/properties/names/',
    summary: "a funnel's most used property names over the range",
    columns: S.FUNNEL_PROPERTY_NAMES_COLUMNS,
    params: [FUNNEL, FUNNEL_UNIT, limit(20)],
    dates: 'totals',
    request: (p) => ({ funnel: p.one('funnel'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenFunnelPropertyNames(json),
  },
];

/** The parameters to send (interval included) for the run's options; usage errors before any request. */
function legacyParams(e: Endpoint, p: Params, o: ExportContext['options']): Record<string, ParamValue> {
  const params = e.request(p);
  if (e.dates === 'totals' && o.to !== o.today) {
    throw new UsageError(`mixpanel:${e.name} is one total over the last units up to now: --to must be today (${o.today}, UTC) or left out`);
  }
  if (e.dates === 'periods' || e.dates === 'totals') params.interval = String(intervalFor(p.one('unit') as Unit, o.from, o.today));
  return params;
}

const unitOfOptions = (o: Pick<ExportOptions, 'params'>): Unit => (o.params.unit?.[0] ?? 'day') as Unit;

async function* runEndpoint(ctx: ExportContext, e: Endpoint): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const p = new Params(options.params);
  const params = legacyParams(e, p, options);
  const creds = { apiKey: options.credentials.apiKey!, apiSecret: options.credentials.apiSecret! };
  let requests = [params];
  if (e.all && p.list(e.all.param).length === 0) {
    const names = await listAllNames(e.all, { client, baseUrl: options.baseUrl, creds, now: ctx.clock.now, report: params });
    const batches = nameBatches(names);
    const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
    observer.note(`no --param ${e.all.param}: exporting all ${n(names.length, e.all.noun)} that ${e.all.path} lists (${n(batches.length, 'request')})`);
    requests = batches.map((batch) => ({ ...params, [e.all!.param]: batch }));
  }
  observer.plan(requests.length);
  const unit = unitOfOptions(options);
  const column = e.dateColumn;
  for (const request of requests) {
    const rows = await callLegacy(client, options.baseUrl, creds, { endpoint: e.path, params: request, flatten: (json) => e.flatten(json, p) }, ctx.clock.now);
    const kept = column === undefined ? rows : rows.filter((r) => periodInRange(unit, String(r[column]), options.from, options.to));
    observer.windowDone(`${options.from}..${options.to}`, kept.length);
    if (kept.length > 0) yield inWindow({ from: options.from, to: options.to }, kept);
  }
}

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
  run: (ctx) => runEndpoint(ctx, e),
}));
