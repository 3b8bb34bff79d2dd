import { describe, expect, it } from 'vitest';
import { ATRIBU_DATASETS } from '../../../src/providers/atribu/datasets.js';
import { customersUrl, describeAtribuError } from '../../../src/providers/atribu/api.js';
import { createAtribuApi } from '../../../src/sandbox/atribu/mount.js';
import { ATRIBU_SANDBOX_KEYS } from '../../../src/sandbox/atribu/keys.js';
import { customerId } from '../../../src/sandbox/atribu/people.js';
import { atribuCustomerRows, atribuJourneyEvents } from '../../../src/sandbox/atribu/truth.js';
import { AuthError, IntegrityError, UsageError } from '../../../src/core/errors.js';
import type { HttpRequest } from '../../../src/http/transport.js';
import type { ExportOptions } from '../../../src/providers/types.js';
import { DATA_START, NOW, collect, exportContext, mountContext, mountTransport } from './harness.js';

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: DATA_START };
const dataset = (name: string) => ATRIBU_DATASETS.find((d) => d.name === name)!;

function setup(name: string, overrides: Partial<ExportOptions> = {}, key: string = ATRIBU_SANDBOX_KEYS.full) {
  const seen: HttpRequest[] = [];
  const transport = mountTransport(createAtribuApi(mountContext()), seen);
  const run = exportContext(dataset(name), transport, { baseUrl: 'http://127.0.0.1:9/atribu', credentials: { apiKey: key }, ...overrides });
  return { ...run, seen, rows: () => collect(dataset(name).run(run.ctx)) };
}

const journeyRows = (id: string) => atribuJourneyEvents({ ...TRUTH, customerId: id }).map((e, i) => ({ customer_profile_id: id, event_index: i, ...e }));

describe('atribu:customers', () => {
  it('pages the window by cursor into exactly what the sandbox holds, with a Bearer key', async () => {
    const t = setup('atribu:customers', { from: '2026-05-01', to: '2026-05-14', perPage: 40, params: { goal: ['payment_received'] } });
    const rows = await t.rows();
    expect(rows).toEqual(atribuCustomerRows({ ...TRUTH, from: '2026-05-01', to: '2026-05-14', goal: 'payment_received' }));
    expect(t.seen.length).toBe(Math.ceil(rows.length / 40));
    expect(t.seen[0]!.headers.authorization).toBe(`Bearer ${ATRIBU_SANDBOX_KEYS.full}`);
    const second = new URL(t.seen[1]!.url).searchParams;
    expect(second.get('cursor_time')).toMatch(/\+00:00$/);
    expect(second.get('limit')).toBe('40');
  });

  it('asks for at most 100 a page, whatever --per-page says', async () => {
    const t = setup('atribu:customers', { perPage: 1000, params: { goal: ['closed_won'] } });
    await t.rows();
    expect(new URL(t.seen[0]!.url).searchParams.get('limit')).toBe('100');
  });

  it('passes search on', async () => {
    const t = setup('atribu:customers', { from: '2026-04-01', to: '2026-05-14', params: { goal: ['lead_created'], search: ['zoë'] } });
    expect(await t.rows()).toEqual(atribuCustomerRows({ ...TRUTH, from: '2026-04-01', to: '2026-05-14', goal: 'lead_created', search: 'zoë' }));
    expect(new URL(t.seen[0]!.url).searchParams.get('search')).toBe('zoë');
  });

  it('403 insufficient_scope is an auth failure quoting the server, after one request', async () => {
    const t = setup('atribu:customers', { params: { goal: ['payment_received'] } }, ATRIBU_SANDBOX_KEYS.noCustomers);
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/^authentication failed \(403\): "This API key lacks the customers:read scope required for customer data \(insufficient_scope, request req_[0-9a-f]+\)"$/);
    expect(t.seen).toHaveLength(1);
  });

  it('a cursor the server repeats ends the run with an integrity error', async () => {
    const t = setup('atribu:customers', { from: '2026-05-01', to: '2026-05-14', perPage: 10, params: { goal: ['payment_received'] } }, ATRIBU_SANDBOX_KEYS.loop);
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/^atribu customers: the server sent cursor ".+" again after 2 pages/);
    expect(t.seen).toHaveLength(2);
  });
});

describe('atribu:journey', () => {
  const long = Array.from({ length: 2500 }, (_, i) => customerId(1, i)).find((id) => atribuJourneyEvents({ ...TRUTH, customerId: id }).length > 100)!;

  it('reads the whole timeline by offset, led by the customer id and the event position', async () => {
    const t = setup('atribu:journey', { customer: long, perPage: 30 });
    const rows = await t.rows();
    expect(rows).toEqual(journeyRows(long));
    expect(t.seen.map((r) => new URL(r.url).searchParams.get('offset'))).toEqual(Array.from({ length: Math.ceil(rows.length / 30) }, (_, i) => String(i * 30)));
  });

  it('needs --customer, and sends nothing without it', async () => {
    const t = setup('atribu:journey');
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('atribu:journey needs --customer ID (a customer_profile_id from atribu:customers)');
    expect(t.seen).toHaveLength(0);
  });

  it('an id that is not ours is no rows and a note, not an error', async () => {
    const t = setup('atribu:journey', { customer: 'cus/../other profile' });
    expect(await t.rows()).toEqual([]);
    expect(t.notes).toEqual(['atribu: customer cus/../other profile has no events, or is not in this key\'s profile (Atribu answers both the same way)']);
    expect(new URL(t.seen[0]!.url).pathname).toBe('/atribu/api/v1/customers/cus%2F..%2Fother%20profile/journey');
  });

  it('a journey that ends before its total_count fails instead of passing as complete', async () => {
    const t = setup('atribu:journey', { customer: long }, ATRIBU_SANDBOX_KEYS.loop);
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    const n = atribuJourneyEvents({ ...TRUTH, customerId: long }).length;
    expect(err.message).toBe(`atribu journey of customer ${long}: received ${n} events, but the server says it holds ${n + 25} (paging ended at offset ${n})`);
  });
});

describe('atribu:journeys', () => {
  it("is each window customer's whole journey once, in the customers list's order", async () => {
    const t = setup('atribu:journeys', { from: '2026-05-08', to: '2026-05-12', concurrency: 3, params: { goal: ['closed_won'] } });
    const rows = await t.rows();
    const customers = atribuCustomerRows({ ...TRUTH, from: '2026-05-08', to: '2026-05-12', goal: 'closed_won' });
    const ids = [...new Set(customers.map((c) => c.customer_profile_id as string))];
    expect(ids.length).toBeGreaterThan(5);
    expect(rows).toEqual(ids.flatMap(journeyRows));
  });
});

describe('request building and error bodies', () => {
  it('encodes the cursor time so a + offset survives', () => {
    const url = customersUrl('https://www.atribu.app', { from: '2026-03-01', to: '2026-03-25', goal: 'payment_received', limit: 50 }, {
      query: { cursor_time: '2026-03-22T14:30:00+00:00', cursor_id: 'uuid' },
      body: {},
    });
    expect(url).toBe('https://www.atribu.app/api/v1/customers?date_from=2026-03-01&date_to=2026-03-25&goal=payment_received&limit=50&cursor_time=2026-03-22T14%3A30%3A00%2B00%3A00&cursor_id=uuid');
  });

  it("quotes Atribu's error envelope with its code and request id; other bodies are left to the client", () => {
    const body = '{"error":{"code":"rate_limit_exceeded","message":"Too many requests","status":429,"request_id":"req_1"}}';
    expect(describeAtribuError({ status: 429, headers: {}, body })).toEqual({ message: 'Too many requests (rate_limit_exceeded, request req_1)' });
    expect(describeAtribuError({ status: 502, headers: {}, body: '<html>Bad gateway</html>' })).toEqual({});
  });
});
