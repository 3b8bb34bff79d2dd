import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/http/client.js';
import type { HttpRequest } from '../../../src/http/transport.js';
import { nameBatches } from '../../../src/providers/mixpanel/all-names.js';
import { BATCH_CHARS, BATCH_NAMES, NAMES_LIMIT } from '../../../src/providers/mixpanel/all-names-spec.js';
import { findDataset } from '../../../src/providers/registry.js';
import type { ExportContext, ExportOptions } from '../../../src/providers/types.js';
import type { Row } from '../../../src/core/columns.js';
import { IntegrityError } from '../../../src/core/errors.js';
import { parseForm } from '../../../src/sandbox/mixpanel/query.js';

// mixpanel:events with no --param event: the names listed, then asked for in batches. A fake
// transport answers events/names with a list and events/ with a series for whatever it was asked.

describe('nameBatches', () => {
  it('at most BATCH_NAMES names a request, every name once, in order', () => {
    const names = Array.from({ length: 2 * BATCH_NAMES + 7 }, (_, i) => `e${String(i).padStart(4, '0')}`);
    const batches = nameBatches(names);
    expect(batches.map((b) => b.length)).toEqual([BATCH_NAMES, BATCH_NAMES, 7]);
    expect(batches.flat()).toEqual(names);
  });
  it('long (or non-ASCII) names cut batches by their URL-encoded size; one longer than the budget goes alone', () => {
    const long = 'x'.repeat(BATCH_CHARS);
    const cafe = Array.from({ length: 60 }, (_, i) => `Café ☕ ${'é'.repeat(40)} ${i}`);
    const batches = nameBatches(['a', long, ...cafe]);
    expect(batches[0]).toEqual(['a']);
    expect(batches[1]).toEqual([long]);
    for (const b of batches.slice(2)) expect(encodeURIComponent(JSON.stringify(b).replaceAll('","', '", "')).length).toBeLessThanOrEqual(BATCH_CHARS + 2);
    expect(batches.slice(2).length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(['a', long, ...cafe]);
  });
  it('no names, no batches', () => {
    expect(nameBatches([])).toEqual([]);
  });
});

function run(names: string[]) {
  const seen: { path: string; query: Map<string, string> }[] = [];
  const client = new HttpClient({
    fetch: async (req: HttpRequest) => {
      const u = new URL(req.url);
      const query = parseForm(u.search.slice(1));
      seen.push({ path: u.pathname, query });
      const body = u.pathname.endsWith('/events/names/')
        ? names
        : { data: { series: ['2026-05-19'], values: Object.fromEntries((JSON.parse(query.get('event')!) as string[]).map((e) => [e, { '2026-05-19': e.length }])) }, legend_size: 1 };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    },
    sleep: async () => undefined,
    random: () => 0.5,
    now: () => new Date('2026-05-20T12:00:00Z'),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets: ['s'],
    backoff: { retries: 0 },
  });
  const def = findDataset('mixpanel:events');
  const options = { dataset: def, from: '2026-05-19', to: '2026-05-19', today: '2026-05-20', params: { type: ['general'], unit: ['day'] }, baseUrl: 'https://mixpanel.com', credentials: { apiKey: 'k', apiSecret: 's' } } as unknown as ExportOptions;
  const notes: string[] = [];
  const ctx: ExportContext = { options, client, observer: { plan: () => {}, windowDone: () => {}, note: (m) => notes.push(m) }, signal: new AbortController().signal, clock: { now: () => Date.parse('2026-05-20T12:00:00Z'), sleep: async () => {} } };
  const rows = (async () => {
    const out: Row[] = [];
    for await (const batch of def.run(ctx)) out.push(...batch);
    return out;
  })();
  return { rows, seen, notes };
}

describe('mixpanel:events without --param event', () => {
  it('lists the names (sorted, each once), then asks for them in batches: every event exactly once', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `event ${249 - i}`);
    const r = run([...names, names[3]!]);
    const rows = await r.rows;
    expect(r.seen[0]!.path).toBe('/api/2.0/events/names/');
    expect(r.seen[0]!.query.get('limit')).toBe(String(NAMES_LIMIT));
    const asked = r.seen.slice(1).map((s) => JSON.parse(s.query.get('event')!) as string[]);
    expect(asked.map((a) => a.length)).toEqual([100, 100, 50]);
    expect(asked.flat()).toEqual([...names].sort());
    expect(rows.map((row) => row.event)).toEqual([...names].sort());
    expect(r.notes).toEqual(['no --param event: exporting all 250 events that events/names/ lists (3 requests)']);
  });

  it('a names list as long as the limit may be cut: refused (exit 6) rather than called all', async () => {
    const r = run(Array.from({ length: NAMES_LIMIT }, (_, i) => `e${i}`));
    await expect(r.rows).rejects.toBeInstanceOf(IntegrityError);
    expect(r.seen).toHaveLength(1);
  });
});
