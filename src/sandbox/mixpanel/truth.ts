// Ground truth for tests: what the sandbox's Mixpanel holds, from the very generator and report
// code the server runs (no auth, no HTTP). The raw events are the primary truth; tests can
// recompute the aggregates from them independently and compare with an export.
import { parseIsoDay } from '../calendar.js';
import { exportLines, parseWhere } from './export-endpoint.js';
import { Params } from './query.js';
import { ALIASES, REPORTS } from './reports.js';
import { MixpanelWorld } from './world.js';

export interface MixpanelTruthQuery {
  seed: number;
  scale: number;
  /** YYYY-MM-DD: the sandbox's --data-start. */
  dataStart: string;
  /** The sandbox's clock (--now). */
  now: Date | string | number;
}

export interface RawEvent {
  event: string;
  properties: Record<string, unknown>;
}

const worlds = new Map<string, MixpanelWorld>();

function worldFor(q: MixpanelTruthQuery): { world: MixpanelWorld; nowS: number } {
  const dataStartDay = parseIsoDay(q.dataStart);
  const nowMs = new Date(q.now).getTime();
  if (dataStartDay === null) throw new RangeError('dataStart must be a date YYYY-MM-DD');
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a valid instant: ${String(q.now)}`);
  const key = `${q.seed}|${q.scale}|${dataStartDay}`;
  let world = worlds.get(key);
  if (!world) {
    if (worlds.size >= 2) worlds.clear();
    world = new MixpanelWorld({ seed: q.seed, scale: q.scale, dataStartDay });
    worlds.set(key, world);
  }
  return { world, nowS: Math.floor(nowMs / 1000) };
}

/** The raw export's events for from..to (inclusive UTC days), as its JSONL lines parse. */
export function truthEvents(q: MixpanelTruthQuery & { from: string; to: string; events?: readonly string[]; where?: string }): RawEvent[] {
  const { world, nowS } = worldFor(q);
  const fromDay = parseIsoDay(q.from);
  const toDay = parseIsoDay(q.to);
  if (fromDay === null || toDay === null) throw new RangeError('from and to must be dates YYYY-MM-DD');
  const lines = exportLines(world, { fromDay, toDay, events: q.events ? new Set(q.events) : undefined, where: q.where === undefined ? undefined : parseWhere(q.where) }, nowS);
  return Array.from(lines, (l) => JSON.parse(l) as RawEvent);
}

/**
 * The JSON body a Data API 2.0 endpoint ('events', 'funnels/properties', …) answers for these
 * parameters (list parameters as JSON text, as on the wire), auth aside.
 */
export function truthReport(endpoint: string, params: Readonly<Record<string, string>>, q: MixpanelTruthQuery): unknown {
  const { world, nowS } = worldFor(q);
  const path = endpoint.replace(/^\/+|\/+$/g, '');
  const report = REPORTS[ALIASES[path] ?? path];
  if (!report) throw new RangeError(`no Mixpanel endpoint ${endpoint}`);
  // Through JSON, as a client reads it (e.g. integer-like keys move first).
  return JSON.parse(JSON.stringify(report({ world, nowS }, new Params(new Map(Object.entries(params))))));
}
