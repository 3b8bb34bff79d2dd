import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/core/columns.js';
import { IntegrityError } from '../../src/core/errors.js';
import { inWindow, windowOf, type WindowRows } from '../../src/core/window-rows.js';
import { checkTimestamps } from '../../src/pipeline/timestamps.js';
import { CUSTOMERS_COLUMNS, JOURNEY_COLUMNS } from '../../src/providers/atribu/schemas.js';
import { EXPORT_COLUMNS } from '../../src/providers/mixpanel/schemas.js';

// The pipeline's timestamp check, fed hand-written rows in each vendor's documented form.

async function drain(dataset: string, columns: Parameters<typeof checkTimestamps>[1], batches: WindowRows[]): Promise<WindowRows[]> {
  const out: WindowRows[] = [];
  for await (const b of checkTimestamps(dataset, columns, (async function* () { yield* batches; })())) out.push(b);
  return out;
}

const W = { from: '2026-03-22', to: '2026-03-22', index: 0 };
const customer = (conversion_time: unknown): Row => ({ conversion_id: 'c', customer_profile_id: 'p', conversion_time });

describe('checkTimestamps', () => {
  it('passes documented values through untouched, batches still tagged with their window', async () => {
    const batch = inWindow(W, [customer('2026-03-22T14:30:00Z'), customer('2026-03-22T14:30:00+00:00'), customer('2026-03-22T09:30:00-05:00')]);
    const out = await drain('atribu:customers', CUSTOMERS_COLUMNS, [batch]);
    expect(out).toEqual([batch]);
    expect(out[0]![1]!.conversion_time).toBe('2026-03-22T14:30:00+00:00');
    expect(windowOf(out[0]!)).toBe(W);
  });

  it.each([
    ['2026-13-45T99:00:00Z', 'not a date-time at all'],
    ['2026-03-22T14:30:00', 'no zone: Atribu documents one'],
    [1774189800, 'a number in an ISO 8601 column'],
  ] as Array<[string | number, string]>)('refuses Atribu conversion_time %j (%s), naming dataset, window, column and value: exit 6', async (value) => {
    const run = drain('atribu:customers', CUSTOMERS_COLUMNS, [inWindow(W, [customer('2026-03-22T14:30:00Z'), customer(value)])]);
    await expect(run).rejects.toThrow(IntegrityError);
    await expect(drain('atribu:customers', CUSTOMERS_COLUMNS, [inWindow(W, [customer(value)])])).rejects.toThrow(
      `atribu:customers 2026-03-22: column conversion_time holds ${JSON.stringify(value)}, not an ISO 8601 date-time with a zone`,
    );
  });

  it('refuses a missing non-nullable time rather than writing an empty cell', async () => {
    const row = { customer_profile_id: 'p', event_index: 0, event_type: 'page_view', event_name: 'x', is_synthetic: false };
    await expect(drain('atribu:journey', JOURNEY_COLUMNS, [inWindow({ from: '2026-01-01', to: '2026-03-22' }, [row])])).rejects.toThrow(
      'atribu:journey 2026-01-01..2026-03-22: a row has no event_time',
    );
  });

  it("Mixpanel time: epoch seconds, and nothing past year 9999 (milliseconds sent as seconds)", async () => {
    const ev = (time: unknown): Row => ({ event: 'e', time, distinct_id: null, insert_id: null, properties: {} });
    await expect(drain('mixpanel:export', EXPORT_COLUMNS, [inWindow(W, [ev(1774189800)])])).resolves.toHaveLength(1);
    await expect(drain('mixpanel:export', EXPORT_COLUMNS, [inWindow(W, [ev(1774189800000)])])).rejects.toThrow(
      'mixpanel:export 2026-03-22: column time holds 1774189800000, not seconds since 1970-01-01 UTC',
    );
    await expect(drain('mixpanel:export', EXPORT_COLUMNS, [inWindow(W, [ev('2026-03-22T14:30:00Z')])])).rejects.toThrow(IntegrityError);
  });
});
