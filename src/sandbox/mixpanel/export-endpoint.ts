// GET /api/2.0/export on the data host: the world's raw events for from_date..to_date
// (inclusive, UTC: the sandbox project's time zone), one JSON object per line.
import { parseIsoDay } from '../calendar.js';
import { ApiError, type Params } from './query.js';
import { DAY_S, type MixpanelWorld } from './world.js';

export interface ExportQuery {
  fromDay: number;
  toDay: number;
  events?: ReadonlySet<string>;
  where?: (props: Record<string, unknown>) => boolean;
  limit?: number;
}

export function readExportQuery(p: Params): ExportQuery {
  const fromDay = parseIsoDay(p.required('from_date'));
  if (fromDay === null) throw new ApiError('Invalid parameter: from_date');
  const toDay = parseIsoDay(p.required('to_date'));
  if (toDay === null || toDay < fromDay) throw new ApiError('Invalid parameter: to_date');
  const events = p.list('event', false);
  const where = p.optional('where');
  return {
    fromDay,
    toDay,
    events: events ? new Set(events) : undefined,
    where: where === undefined ? undefined : parseWhere(where),
    limit: p.has('limit') ? p.count('limit', 100_000) : undefined,
  };
}

const CLAUSE = /^\s*properties\s*\[\s*"((?:[^"\\]|\\.)*)"\s*\]\s*(==|!=)\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(true|false|null))\s*$/;

/**
 * A small part of Mixpanel's expression language: `properties["k"] == "v"` (or != , a number,
 * true/false/null), clauses joined by `and`. Anything else is refused rather than ignored, so a
 * filter never silently exports everything.
 */
export function parseWhere(expression: string): (props: Record<string, unknown>) => boolean {
  const clauses = expression.split(/\s+and\s+/).map((text) => {
    const m = CLAUSE.exec(text);
    if (!m) throw new ApiError('Invalid parameter: where');
    const key = JSON.parse(`"${m[1]}"`) as string;
    const value = m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : m[4] !== undefined ? Number(m[4]) : (JSON.parse(m[5] as string) as unknown);
    const equal = m[2] === '==';
    return (props: Record<string, unknown>) => ((props[key] ?? null) === value) === equal;
  });
  return (props) => clauses.every((c) => c(props));
}

/** The JSONL lines for the query, up to `nowS`; `serveDay` lets a broken project answer with other days. */
export function* exportLines(world: MixpanelWorld, q: ExportQuery, nowS: number): Generator<string> {
  let sent = 0;
  for (let day = Math.max(q.fromDay, world.options.dataStartDay); day <= q.toDay && day * DAY_S <= nowS; day++) {
    const d = world.day(day);
    for (let i = 0; i < d.count; i++) {
      if (day * DAY_S + (d.second[i] as number) > nowS) break;
      const e = world.eventJson(d, i);
      if (q.events && !q.events.has(e.event)) continue;
      if (q.where && !q.where(e.properties)) continue;
      if (q.limit !== undefined && sent >= q.limit) return;
      sent++;
      yield JSON.stringify(e);
    }
  }
}
