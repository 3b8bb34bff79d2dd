import { describe, expect, it } from 'vitest';
import { CONVERSIONS_COLUMNS, normalizeTimestamp, toRow } from '../../../src/providers/attributionhub/records.js';
import { inWindow } from '../../../src/core/window-rows.js';
import { checkTimestamps } from '../../../src/pipeline/timestamps.js';
import { IntegrityError } from '../../../src/core/errors.js';

describe('normalizeTimestamp', () => {
  it("reads the docs' sample form and ISO 8601 alike, as UTC", () => {
    const cases: Array<[string, string]> = [
      ['2025-03-05 15:14:00', '2025-03-05T15:14:00Z'],
      ['2025-03-05T15:14:00Z', '2025-03-05T15:14:00Z'],
      ['2025-03-05T15:14:00', '2025-03-05T15:14:00Z'],
      ['2025-07-01T23:59:59+02:00', '2025-07-01T21:59:59Z'],
      ['2025-07-01T00:30:00-0330', '2025-07-01T04:00:00Z'],
      ['2025-03-05 15:14', '2025-03-05T15:14:00Z'],
      ['2025-03-05T15:14:00.25Z', '2025-03-05T15:14:00.25Z'],
      ['2025-03-05 15:14:00.123456', '2025-03-05T15:14:00.123456Z'],
      ['2025-03-05 15:14:00 +01:00', '2025-03-05T14:14:00Z'],
      ['2024-12-31 23:59:59', '2024-12-31T23:59:59Z'],
      [' 2025-03-05 15:14:00 ', '2025-03-05T15:14:00Z'],
    ];
    for (const [input, output] of cases) expect([input, normalizeTimestamp(input)]).toEqual([input, output]);
  });

  it('refuses what is not a real date-time', () => {
    for (const bad of ['', '2025-03-05', '2025-02-30 10:00:00', '2025-03-05 24:00:00', '2025-03-05 10:60:00', '05/03/2025 15:14', 'yesterday']) {
      expect([bad, normalizeTimestamp(bad)]).toEqual([bad, undefined]);
    }
  });
});

describe('toRow', () => {
  it('flattens conversion_meta and keeps nulls', () => {
    const row = toRow({
      email: null,
      timestamp: '2025-03-05 14:31:00',
      conversion_page: 'https://testdomain.com/purchase-complete',
      previous_page: 'https://testdomain.com/cart',
      conversion_meta: { type: 'custom_event', id: 'purchase-complete' },
    });
    expect(row).toEqual({
      timestamp: '2025-03-05T14:31:00Z',
      email: null,
      conversion_page: 'https://testdomain.com/purchase-complete',
      previous_page: 'https://testdomain.com/cart',
      conversion_meta_type: 'custom_event',
      conversion_meta_id: 'purchase-complete',
    });
    expect(toRow({ timestamp: '2025-03-05 14:31:00' })).toMatchObject({ conversion_meta_type: null, conversion_meta_id: null, email: null });
  });

  it('hands a timestamp it cannot read on as it came, for the pipeline to refuse with its window', async () => {
    expect(toRow({ timestamp: 'March 5' }).timestamp).toBe('March 5');
    expect(toRow({}).timestamp).toBeNull();
    const batch = inWindow({ from: '2025-03-05', to: '2025-03-05' }, [toRow({ timestamp: '2025-03-05 14:31:00' }), toRow({ timestamp: '2025-02-30 10:00:00' })]);
    const run = async () => {
      for await (const _ of checkTimestamps('attributionhub:conversions', CONVERSIONS_COLUMNS, (async function* () { yield batch; })()));
    };
    await expect(run()).rejects.toThrow(IntegrityError);
    await expect(run()).rejects.toThrow('attributionhub:conversions 2025-03-05: column timestamp holds "2025-02-30 10:00:00", not an ISO 8601 date-time');
  });
});
