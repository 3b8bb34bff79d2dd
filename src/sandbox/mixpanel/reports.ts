// The Data API 2.0 endpoints by path under /api/2.0/: each reads and checks its parameters
// (the API's messages) and computes its body from the world. The mount serves them; truth.ts
// calls the same table so tests compare an export with exactly what the server holds.
import { eventNamesReport, eventsReport, propertiesReport, propertiesTopReport, propertyValuesReport, topEventsReport, type Metric, type ReportContext } from './event-reports.js';
import { funnelDatesReport, funnelNamesReport, funnelPropertiesReport, funnelPropertyNamesReport, funnelsReport } from './funnels.js';
import type { Unit } from './periods.js';
import type { Params } from './query.js';
import { retentionReport } from './retention.js';

const TYPES: readonly Metric[] = ['general', 'unique', 'average'];
const UNITS: readonly Unit[] = ['hour', 'day', 'week', 'month'];
/** ASSUMED cap: the docs give none; it keeps one request from asking for centuries of hours. */
const MAX_INTERVAL = 10_000;

export type Report = (ctx: ReportContext, p: Params) => unknown;

const type = (p: Params) => p.choice('type', TYPES);
const unit = (p: Params) => p.choice('unit', UNITS);
const weeks = (p: Params) => p.choice('unit', ['week'] as const);
const interval = (p: Params) => p.count('interval', MAX_INTERVAL);
const limit = (p: Params, fallback: number) => p.count('limit', 100_000, fallback);

/** Endpoints by path under /api/2.0/, with their required and optional parameters. */
export const REPORTS: Readonly<Record<string, Report>> = {
  events: (c, p) => eventsReport(c, { events: p.list('event')!, type: type(p), unit: unit(p), interval: interval(p) }),
  'events/top': (c, p) => topEventsReport(c, { type: type(p), limit: limit(p, 255) }),
  'events/names': (c, p) => eventNamesReport(c, { type: type(p), unit: unit(p), interval: interval(p), limit: limit(p, 255) }),
  retention: (c, p) => retentionReport(c, { events: p.list('event')!, type: type(p), unit: unit(p), interval: interval(p) }),
  'events/properties': (c, p) =>
    propertiesReport(c, { event: p.required('event'), name: p.required('name'), values: p.list('values', false), type: type(p), unit: unit(p), interval: interval(p), limit: limit(p, 255) }),
  'events/properties/top': (c, p) => propertiesTopReport(c, { event: p.required('event'), type: type(p), unit: unit(p), interval: interval(p), limit: limit(p, 10) }),
  'events/properties/values': (c, p) => propertyValuesReport(c, { event: p.required('event'), name: p.required('name'), type: type(p), unit: unit(p), interval: interval(p), limit: limit(p, 255) }),
  funnels: (c, p) => funnelsReport(c, { funnels: p.list('funnel')!, unit: weeks(p), interval: interval(p) }),
  'funnels/names': (_c, p) => funnelNamesReport({ unit: weeks(p), interval: interval(p) }),
  'funnels/dates': (c, p) => funnelDatesReport(c, { funnels: p.list('funnel')!, unit: weeks(p), limit: limit(p, 100) }),
  'funnels/properties': (c, p) => funnelPropertiesReport(c, { funnel: p.required('funnel'), name: p.required('name'), unit: weeks(p), interval: interval(p), limit: limit(p, 10) }),
  'funnels/properties/names': (c, p) => funnelPropertyNamesReport(c, { funnel: p.required('funnel'), unit: weeks(p), interval: interval(p), limit: limit(p, 20) }),
};
// S1's retention example URL is a copy of events/names'; later clients call retention/. Both work.
export const ALIASES: Readonly<Record<string, string>> = { 'events/retention': 'retention' };
