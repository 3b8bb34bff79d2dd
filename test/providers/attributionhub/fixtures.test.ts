import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeAttributionHubError, isNoResults, validateConversions } from '../../../src/providers/attributionhub/api.js';
import { toRow } from '../../../src/providers/attributionhub/records.js';

// The documented samples (fixtures/attributionhub) and what the exporter makes of them.

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'attributionhub', name), 'utf8');

describe('the documented AttributionHub samples', () => {
  it('a page: accepted, and flattened into the expected rows', () => {
    const page = JSON.parse(fixture('conversions-page.json'));
    expect(validateConversions(page)).toBeUndefined();
    const expected = fixture('conversions-rows.ndjson').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(page.records.map(toRow)).toEqual(expected);
  });

  it('"No conversions matched" is recognised as an empty result; another message is not', () => {
    const none = JSON.parse(fixture('no-results.json'));
    expect(isNoResults(none)).toBe(true);
    expect(validateConversions(none)).toBeUndefined();
    expect(validateConversions({ message: 'Server busy' })).toBe('a message instead of records: "Server busy"');
    expect(validateConversions({ records: [], pagination: { records_processed: 0, total_records: 0 } })).toBe('pagination.has_more is undefined, not true/false');
  });

  it('the monthly-quota 429 is final, with the figures quoted', () => {
    expect(describeAttributionHubError({ status: 429, headers: {}, body: fixture('quota-429.json') })).toEqual({
      message: 'API monthly limit exceeded. (5000 of 5000 calls used for example.com)',
      final: true,
    });
  });
});
