import { describe, expect, it } from 'vitest';
import { ATTRIBUTIONHUB_DATASETS, ATTRIBUTIONHUB_UNSET_BASE_URL } from '../../../src/providers/attributionhub/datasets.js';
import { conversionsBody, describeAttributionHubError } from '../../../src/providers/attributionhub/api.js';
import { ATTRIBUTIONHUB_SANDBOX_KEYS, attributionhubMount } from '../../../src/sandbox/attributionhub/mount.js';
import { IntegrityError, RejectedError, UsageError } from '../../../src/core/errors.js';
import type { HttpRequest, Transport } from '../../../src/http/transport.js';
import type { ExportOptions } from '../../../src/providers/types.js';
import { expectedConversions } from './expected-rows.js';
import { DATA_START, NOW, collect, exportContext, mountContext, mountTransport } from '../atribu/harness.js';

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: DATA_START };
const dataset = ATTRIBUTIONHUB_DATASETS[0]!;

function setup(overrides: Partial<ExportOptions> = {}, key: string = ATTRIBUTIONHUB_SANDBOX_KEYS.standard, transport?: Transport) {
  const seen: HttpRequest[] = [];
  const fetch: Transport = transport
    ? async (req) => {
        seen.push(req);
        return transport(req);
      }
    : mountTransport(attributionhubMount(mountContext()), seen);
  const run = exportContext(dataset, fetch, { baseUrl: 'http://127.0.0.1:9/attributionhub', credentials: { apiKey: key }, ...overrides });
  return { ...run, seen, rows: () => collect(dataset.run(run.ctx)) };
}

const truth = (body: Record<string, unknown>) => expectedConversions(TRUTH, body);

describe('attributionhub:conversions', () => {
  it('direct mode: POSTs the body with offset = records_processed, rows exactly the truth', async () => {
    const t = setup({ from: '2026-05-01', to: '2026-05-10' });
    const rows = await t.rows();
    expect(rows).toEqual(truth({ start_date: '2026-05-01', end_date: '2026-05-10' }));
    expect(t.seen.length).toBe(Math.ceil(rows.length / 50));
    const bodies = t.seen.map((r) => JSON.parse(r.body!));
    expect(bodies[0]).toEqual({ offset: 0, start_date: '2026-05-01', end_date: '2026-05-10' });
    expect(bodies.map((b) => b.offset)).toEqual(bodies.map((_, i) => i * 50));
    expect(t.seen[0]!.method).toBe('POST');
    expect(t.seen[0]!.headers).toMatchObject({ authentication: ATTRIBUTIONHUB_SANDBOX_KEYS.standard, 'content-type': 'application/json' });
    expect(t.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('session mode: filters go in the body, offsets jump by sessions, pages over 50 are whole', async () => {
    const params = { source: ['google.com'], medium: ['cpc'] };
    const t = setup({ from: '2026-04-01', to: '2026-05-10', params });
    const rows = await t.rows();
    expect(rows).toEqual(truth({ start_date: '2026-04-01', end_date: '2026-05-10', source: 'google.com', medium: 'cpc' }));
    const bodies = t.seen.map((r) => JSON.parse(r.body!));
    expect(bodies[0]).toEqual({ offset: 0, start_date: '2026-04-01', end_date: '2026-05-10', source: 'google.com', medium: 'cpc' });
    expect(bodies.slice(1).every((b) => b.offset % 200 === 0)).toBe(true);
  });

  it('"No conversions matched" is an empty result, not an error', async () => {
    const t = setup({ params: { meta_id: ['no-such-form'] } });
    expect(await t.rows()).toEqual([]);
    expect(t.seen).toHaveLength(1);
  });

  it('the monthly quota 429 fails at once with exit 4, quoting the server, no retry', async () => {
    const t = setup({}, ATTRIBUTIONHUB_SANDBOX_KEYS.exhausted);
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe('quota exhausted (429): "API monthly limit exceeded. (5000 of 5000 calls used for example.com)"');
    expect(t.seen).toHaveLength(1);
    expect(t.sleeps).toEqual([]);
  });

  it('a records_processed that does not advance ends the run with an integrity error', async () => {
    const t = setup({ from: '2026-05-01', to: '2026-05-10' }, ATTRIBUTIONHUB_SANDBOX_KEYS.stall);
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe(
      'attributionhub conversions (direct mode): the offset did not advance (asked for 50, the server says continue from 50); stopped instead of asking again',
    );
    expect(t.seen).toHaveLength(2);
  });

  it('a server whose has_more never turns false is still read once: paging stops at total_records', async () => {
    const t = setup({ from: '2026-05-01', to: '2026-05-10' }, ATTRIBUTIONHUB_SANDBOX_KEYS.endless);
    expect(await t.rows()).toEqual(truth({ start_date: '2026-05-01', end_date: '2026-05-10' }));
  });

  it('a total_records that changes while paging is an integrity error', async () => {
    let call = 0;
    const fake: Transport = async () => {
      call++;
      const records = Array.from({ length: 50 }, () => ({ timestamp: '2026-05-01 10:00:00', email: null }));
      return { status: 200, headers: {}, body: JSON.stringify({ records, pagination: { records_processed: call * 50, total_records: call === 1 ? 120 : 121, has_more: true } }) };
    };
    const err = await setup({}, undefined, fake).rows().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toContain('total_records changed from 120 to 121 while paging');
  });

  it('direct mode checks the count: has_more false short of total_records fails', async () => {
    const fake: Transport = async () => ({
      status: 200,
      headers: {},
      body: JSON.stringify({ records: [{ timestamp: '2026-05-01 10:00:00' }], pagination: { records_processed: 1, total_records: 3, has_more: false } }),
    });
    const err = await setup({}, undefined, fake).rows().catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe('attributionhub conversions (direct mode): received 1 conversions, but the server said 3 match (paging ended at offset 1)');
  });

  it('refuses to run without a base URL, before any request', async () => {
    const t = setup({ baseUrl: ATTRIBUTIONHUB_UNSET_BASE_URL });
    const err = await t.rows().catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe("AttributionHub's API host is not published: set ATTRIBUTIONHUB_BASE_URL, a profile's base_url, or --base-url");
    expect(t.seen).toHaveLength(0);
  });
});

describe('body and error reading', () => {
  it('sends strict JSON: offset, dates, then filters', () => {
    expect(conversionsBody({ from: '2025-07-15', to: '2025-07-30', filters: { meta_id: 'request-a-demo-form' } }, { query: {}, body: { offset: 200 } })).toBe(
      '{"offset":200,"start_date":"2025-07-15","end_date":"2025-07-30","meta_id":"request-a-demo-form"}',
    );
  });

  it('only a quota 429 is final; a plain 429 is retried and other errors are quoted', () => {
    const quota = '{"error":"API monthly limit exceeded.","limit":5000,"used":5000,"domain":"example.com"}';
    expect(describeAttributionHubError({ status: 429, headers: {}, body: quota }).final).toBe(true);
    expect(describeAttributionHubError({ status: 429, headers: {}, body: '{"error":"Too many requests"}' })).toEqual({ message: 'Too many requests', final: false });
    expect(describeAttributionHubError({ status: 401, headers: {}, body: '{"error":"Invalid API key."}' })).toEqual({ message: 'Invalid API key.', final: false });
    expect(describeAttributionHubError({ status: 502, headers: {}, body: '<html>' })).toEqual({});
  });
});
