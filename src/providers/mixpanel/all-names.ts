import { IntegrityError } from '../../core/errors.js';
import type { HttpClient } from '../../http/client.js';
import { callLegacy, type LegacyCredentials } from './api.js';
import { flattenEventNames } from './flatten-events.js';
import { flattenFunnelNames } from './flatten-funnels.js';
import type { ParamValue } from './sign.js';

import { BATCH_CHARS, BATCH_NAMES, NAMES_LIMIT, type AllNames } from './all-names-spec.js';

// `mixpanel:events` and `mixpanel:funnels` with no --param event= / funnel=: every event (or
// funnel) there is. The names endpoint lists them for the same unit and interval as the report
// (events/names: the names seen from the period holding --from up to now; funnels/names: every
// funnel the project defines), and the report is then asked for all of them, a batch of names
// per request. Names are sorted, so two runs over the same data ask, and write, in one order
// whatever the endpoint's order by volume was.

export interface NamesCall {
  client: HttpClient;
  baseUrl: string;
  creds: LegacyCredentials;
  now: () => number;
  /** The report's own parameters: their type, unit and interval are the list's. */
  report: Readonly<Record<string, ParamValue>>;
}

/** Every name the endpoint lists for the report's unit and interval, sorted, each once. */
export async function listAllNames(all: AllNames, c: NamesCall): Promise<string[]> {
  const params: Record<string, ParamValue> = { unit: c.report.unit!, interval: c.report.interval! };
  if (all.path === 'events/names/') Object.assign(params, { type: c.report.type!, limit: String(NAMES_LIMIT) });
  const flatten = all.path === 'events/names/' ? flattenEventNames : flattenFunnelNames;
  const rows = await callLegacy(c.client, c.baseUrl, c.creds, { endpoint: all.path, params, flatten }, c.now);
  const names = rows.map((r) => String(r[all.noun]));
  // A list as long as the limit may have been cut there: exporting "all" of it could miss some.
  if (all.path === 'events/names/' && names.length >= NAMES_LIMIT) {
    throw new IntegrityError(`${all.path} listed ${names.length} events, its limit, so there may be more: name the events with --param ${all.param}=`);
  }
  return [...new Set(names)].sort();
}

/** Names in batches of at most BATCH_NAMES whose JSON, URL-encoded, stays within BATCH_CHARS (a longer single name goes alone). */
export function nameBatches(names: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let chars = 2;
  for (const name of names) {
    const size = encodeURIComponent(`${JSON.stringify(name)}, `).length;
    if (current.length > 0 && (current.length >= BATCH_NAMES || chars + size > BATCH_CHARS)) {
      batches.push(current);
      current = [];
      chars = 2;
    }
    current.push(name);
    chars += size;
  }
  if (current.length) batches.push(current);
  return batches;
}
