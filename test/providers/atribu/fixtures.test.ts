import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATRIBU_DATASETS } from '../../../src/providers/atribu/datasets.js';
import { describeAtribuError, validateCustomers, validateJourney } from '../../../src/providers/atribu/api.js';
import type { HttpRequest, Transport } from '../../../src/http/transport.js';
import { JsonNumber } from '../../../src/json/number.js';
import { collect, exportContext } from './harness.js';

// The documented samples (fixtures/atribu) go through the exporter as they are.

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'atribu', name), 'utf8');

describe('the documented Atribu samples', () => {
  it('pass the envelope checks', () => {
    expect(validateCustomers(JSON.parse(fixture('customers-page.json')))).toBeUndefined();
    expect(validateJourney(JSON.parse(fixture('journey-page.json')))).toBeUndefined();
    expect(validateCustomers({ data: [], pagination: { has_next: 'no' } })).toBe('pagination.has_next is "no", not true/false');
    expect(validateJourney({ data: { events: [], total_count: 1.5 } })).toBe('data.total_count is 1.5, not a count');
  });

  it("follow the sample's cursor (split at |) to a last page, rows passed through as sent", async () => {
    const seen: HttpRequest[] = [];
    const last = { data: [], pagination: { has_next: false, cursor: null }, meta: {} };
    const fetch: Transport = async (req) => {
      seen.push(req);
      return { status: 200, headers: {}, body: seen.length === 1 ? fixture('customers-page.json') : JSON.stringify(last) };
    };
    const dataset = ATRIBU_DATASETS.find((d) => d.name === 'atribu:customers')!;
    const t = exportContext(dataset, fetch, { baseUrl: 'https://www.atribu.app', credentials: { apiKey: 'atb_live_x' }, from: '2026-03-01', to: '2026-03-25', params: { goal: ['payment_received'] } });
    const rows = await collect(dataset.run(t.ctx));
    // The sample writes `299.00`: the rows keep those digits (json/parse.ts), the rest as parsed.
    const [sample] = JSON.parse(fixture('customers-page.json')).data as Record<string, unknown>[];
    expect(rows).toEqual([{ ...sample, revenue: new JsonNumber('299.00'), total_revenue: new JsonNumber('598.00') }]);
    expect(seen.map((r) => r.url)).toEqual([
      'https://www.atribu.app/api/v1/customers?date_from=2026-03-01&date_to=2026-03-25&goal=payment_received&limit=100',
      'https://www.atribu.app/api/v1/customers?date_from=2026-03-01&date_to=2026-03-25&goal=payment_received&limit=100&cursor_time=2026-03-22T14%3A30%3A00Z&cursor_id=uuid',
    ]);
  });

  it('quote the error envelope', () => {
    expect(describeAtribuError({ status: 403, headers: {}, body: fixture('error-403.json') })).toEqual({
      message: 'This API key lacks the customers:read scope (insufficient_scope, request req_abc123)',
    });
  });
});
