import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/http/transport.js';
import { JsonNumber } from '../../src/json/number.js';
import { fetchPage } from '../../src/providers/mbuzz/api.js';
import { findDataset } from '../../src/providers/registry.js';
import type { ExportOptions } from '../../src/providers/types.js';
import type { Row } from '../../src/core/columns.js';
import { writeNdjson } from '../../src/writers/ndjson.js';
import { collect, exportContext } from '../providers/atribu/harness.js';
import { MemorySink, rowsOf } from '../writers/helpers.js';

// Issue 9.8 for every provider: a hand-written answer holding numbers JavaScript would change
// goes through each provider's own request code (fake transport, real HttpClient), and the rows
// that come out keep the server's digits, up to the NDJSON line.

const BIG = '12345678901234567890';

/** Answers by URL path; anything else is a test bug. */
function transport(routes: Record<string, (req: HttpRequest) => HttpResponse>): Transport {
  return async (req) => {
    const path = new URL(req.url).pathname;
    const route = Object.entries(routes).find(([suffix]) => path.endsWith(suffix));
    if (!route) throw new Error(`no answer for ${req.method} ${req.url}`);
    return route[1](req);
  };
}
const answer = (body: string, type = 'application/json'): HttpResponse => ({ status: 200, headers: { 'content-type': type }, body });

async function ndjson(rows: Row[]): Promise<string> {
  const sink = new MemorySink();
  await writeNdjson(rowsOf(rows), sink, { columns: [], passThrough: true });
  return sink.text();
}

async function run(dataset: string, routes: Record<string, (req: HttpRequest) => HttpResponse>, options: Partial<ExportOptions>): Promise<Row[]> {
  const t = exportContext(findDataset(dataset), transport(routes), { baseUrl: 'https://api.example.test', ...options });
  return collect(findDataset(dataset).run(t.ctx));
}

describe('every provider keeps the digits', () => {
  it('mbuzz: a page\'s rows keep 1.50 and ids past 2^53; meta stays plain numbers', async () => {
    const client = new HttpClient({
      fetch: transport({
        '/api/v1/data/funnel': () =>
          answer(`{"data":[{"date":"2026-05-18","revenue":1.50,"session_id":${BIG.slice(0, 19)},"properties":{"n":${BIG}}}],"meta":{"total_count":1,"page":1,"per_page":1000,"total_pages":1}}`),
      }),
      sleep: async () => {},
      random: () => 0.5,
      now: () => new Date(),
      signal: new AbortController().signal,
      timeoutMs: 1000,
      secrets: [],
    });
    const page = await fetchPage(client, 'https://api.example.test', 'sk_test_x', { dataset: 'funnel', from: '2026-05-18', to: '2026-05-18', page: 1, perPage: 1000 });
    expect(page.meta.total_count).toBe(1);
    expect(page.rows[0]!.revenue).toEqual(new JsonNumber('1.50'));
    expect(await ndjson(page.rows)).toBe(`{"date":"2026-05-18","revenue":1.50,"session_id":${BIG.slice(0, 19)},"properties":{"n":${BIG}}}\n`);
  });

  it('Atribu journeys: event fields keep their digits through the rows Atribu\'s code rebuilds', async () => {
    const rows = await run(
      'atribu:journey',
      { '/journey': () => answer(`{"data":{"events":[{"type":"payment","amount":${BIG},"ratio":0.50}],"total_count":1}}`) },
      { customer: 'c-1', credentials: { apiKey: 'atb_live_x' } },
    );
    expect(await ndjson(rows)).toBe(`{"customer_profile_id":"c-1","event_index":0,"type":"payment","amount":${BIG},"ratio":0.50}\n`);
  });

  it('Sealmetrics: fields beyond the schema keep their digits', async () => {
    const row = `{"_id":"6650a1b2c3d4e5f607182930","date":"2026-05-18","utm_medium":"cpc","utm_source":"google","utm_campaign":"c","utm_term":null,"utm_matchtype":null,"label":"signup","value":${BIG},"share":1.0}`;
    const rows = await run(
      'sealmetrics:microconversions',
      {
        '/api/auth/login': () => answer('{"access_token":"tok","token_type":"Bearer","expires_at":1716200000.0}'),
        '/api/report/microconversions': () => answer(`{"status":"ok","data":[${row}]}`),
      },
      { from: '2026-05-18', to: '2026-05-18', credentials: { email: 'a@b.test', password: 'pw', accountId: 'acc' } },
    );
    expect(await ndjson(rows)).toBe(`${row}\n`);
  });

  it('Mixpanel reports: a flattened value keeps its digits', async () => {
    const rows = await run(
      'mixpanel:events',
      { '/api/2.0/events/': () => answer(`{"data":{"series":["2026-05-18"],"values":{"signup":{"2026-05-18":${BIG}}}},"legend_size":1}`) },
      { from: '2026-05-18', to: '2026-05-18', params: { event: ['signup'], type: ['general'], unit: ['day'] }, credentials: { apiKey: 'k', apiSecret: 's' } },
    );
    expect(rows).toEqual([{ event: 'signup', date: '2026-05-18', value: new JsonNumber(BIG) }]);
  });

  it('Mixpanel export (JSONL): properties and a numeric distinct_id keep their digits', async () => {
    const time = Date.parse('2026-05-18T10:00:00Z') / 1000;
    const line = `{"event":"buy","properties":{"time":${time}.0,"distinct_id":${BIG},"$insert_id":"i-1","price":1.50,"n":-0}}`;
    const rows = await run(
      'mixpanel:export',
      { '/api/2.0/export': () => answer(`${line}\n`, 'text/plain') },
      { from: '2026-05-18', to: '2026-05-18', credentials: { apiSecret: 's' } },
    );
    expect(await ndjson(rows)).toBe(`{"event":"buy","time":${time},"distinct_id":"${BIG}","insert_id":"i-1","properties":{"price":1.50,"n":-0}}\n`);
  });
});
