import { UsageError } from '../../core/errors.js';
import type { Row } from '../../core/columns.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { ExportContext } from '../types.js';
import { callLegacy } from './api.js';
import { listAllNames, nameBatches } from './all-names.js';
import { flattenEventNames, flattenEventProperties, flattenEvents, flattenEventsTop, flattenPropertiesTop, flattenPropertyValues, flattenRetention } from './flatten-events.js';
import { flattenFunnelDates, flattenFunnelNames, flattenFunnelProperties, flattenFunnelPropertyNames, flattenFunnels } from './flatten-funnels.js';
import { Params } from './params.js';
import type { ParamValue } from './sign.js';
import { intervalFor, periodInRange, type Unit } from './units.js';
import { unitOfOptions, type LegacyEndpoint } from './legacy-endpoint.js';

// How a Data API 2.0 endpoint is read: its parameters from --param, one signed request, the
// answer flattened; legacy-datasets.ts says what each endpoint is and loads this on the first export.

interface Call {
  /** Endpoint parameters other than interval, from --param. */
  request(p: Params): Record<string, ParamValue>;
  flatten(json: unknown, p: Params): Row[];
}

const typed = (p: Params) => ({ type: p.one('type') });
const unitOf = (p: Params) => ({ unit: p.one('unit') });
const withLimit = (p: Params, max = 100_000): Record<string, string> => {
  const n = p.count('limit', max);
  return n === undefined ? {} : { limit: String(n) };
};

const CALLS: Record<string, Call> = {
  events: {
    request: (p) => ({ event: p.list('event'), ...typed(p), ...unitOf(p) }),
    flatten: (json) => flattenEvents(json),
  },
  'events-top': {
    request: (p) => ({ ...typed(p), ...withLimit(p) }),
    flatten: (json) => flattenEventsTop(json),
  },
  'event-names': {
    request: (p) => ({ ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenEventNames(json),
  },
  retention: {
    request: (p) => ({ event: p.list('event'), ...typed(p), ...unitOf(p) }),
    flatten: (json) => flattenRetention(json),
  },
  'event-properties': {
    request: (p) => ({ event: p.one('event'), name: p.one('name'), ...(p.list('values').length ? { values: p.list('values') } : {}), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenEventProperties(json, { event: p.one('event'), name: p.one('name') }),
  },
  'event-properties-top': {
    request: (p) => ({ event: p.one('event'), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenPropertiesTop(json, { event: p.one('event') }),
  },
  'event-property-values': {
    request: (p) => ({ event: p.one('event'), name: p.one('name'), ...typed(p), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenPropertyValues(json, { event: p.one('event'), name: p.one('name') }),
  },
  funnels: {
    request: (p) => ({ funnel: p.list('funnel'), ...unitOf(p) }),
    flatten: (json) => flattenFunnels(json),
  },
  'funnel-names': {
    request: (p) => unitOf(p),
    flatten: (json) => flattenFunnelNames(json),
  },
  'funnel-dates': {
    request: (p) => ({ funnel: p.list('funnel'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenFunnelDates(json),
  },
  'funnel-properties': {
    request: (p) => ({ funnel: p.one('funnel'), name: p.one('name'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json, p) => flattenFunnelProperties(json, { funnel: p.one('funnel'), name: p.one('name') }),
  },
  'funnel-property-names': {
    request: (p) => ({ funnel: p.one('funnel'), ...unitOf(p), ...withLimit(p) }),
    flatten: (json) => flattenFunnelPropertyNames(json),
  },
};

/** The parameters to send (interval included) for the run's options; usage errors before any request. */
function legacyParams(e: LegacyEndpoint, p: Params, o: ExportContext['options']): Record<string, ParamValue> {
  const params = CALLS[e.name]!.request(p);
  if (e.dates === 'totals' && o.to !== o.today) {
    throw new UsageError(`mixpanel:${e.name} is one total over the last units up to now: --to must be today (${o.today}, UTC) or left out`);
  }
  if (e.dates === 'periods' || e.dates === 'totals') params.interval = String(intervalFor(p.one('unit') as Unit, o.from, o.today));
  return params;
}

/** The run's checks of its options (--to for totals, --param values), for a dry run to make too. */
export function checkLegacyParams(e: LegacyEndpoint, o: ExportContext['options']): void {
  legacyParams(e, new Params(o.params), o);
}

export async function* runEndpoint(ctx: ExportContext, e: LegacyEndpoint): AsyncGenerator<WindowRows> {
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
    const rows = await callLegacy(client, options.baseUrl, creds, { endpoint: e.path, params: request, flatten: (json) => CALLS[e.name]!.flatten(json, p) }, ctx.clock.now);
    const kept = column === undefined ? rows : rows.filter((r) => periodInRange(unit, String(r[column]), options.from, options.to));
    observer.windowDone(`${options.from}..${options.to}`, kept.length);
    if (kept.length > 0) yield inWindow({ from: options.from, to: options.to }, kept);
  }
}
