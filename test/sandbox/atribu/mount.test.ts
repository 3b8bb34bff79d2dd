import { describe, expect, it } from 'vitest';
import { createAtribuApi, cursorOf } from '../../../src/sandbox/atribu/mount.js';
import { ATRIBU_SANDBOX_KEYS } from '../../../src/sandbox/atribu/keys.js';
import { customerCount, customerId, customerIndex } from '../../../src/sandbox/atribu/people.js';
import { atribuCustomerRows, atribuJourneyEvents } from '../../../src/sandbox/atribu/truth.js';
import { DATA_START, NOW, mountContext } from '../../providers/atribu/harness.js';

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: DATA_START };

function api(rateLimits: 'real' | 'off' = 'off', clock = () => 0) {
  const mount = createAtribuApi(mountContext(rateLimits), clock);
  return (path: string, key: string | null = ATRIBU_SANDBOX_KEYS.full) => {
    const [p, q = ''] = path.split('?');
    const res = mount.handle({ method: 'GET', path: p!, query: q, headers: key ? { authorization: `Bearer ${key}` } : {}, body: '' }) as {
      status: number;
      body: string;
      headers: Record<string, string>;
    };
    return { status: res.status, headers: res.headers, json: JSON.parse(res.body) as Record<string, any> };
  };
}

describe('customer ids', () => {
  it('encode their pool index and refuse ids of other seeds or made-up ones', () => {
    for (const i of [0, 1, 2499]) expect(customerIndex(1, 1, customerId(1, i))).toBe(i);
    expect(customerIndex(1, 1, customerId(2, 5))).toBeUndefined();
    expect(customerIndex(1, 1, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(customerIndex(1, 1, 'not-a-uuid')).toBeUndefined();
    expect(customerCount(1)).toBe(2500);
  });
});

describe('GET /api/v1/customers', () => {
  const path = (extra: string) => `/api/v1/customers?date_from=2026-05-01&date_to=2026-05-14&goal=payment_received${extra}`;

  it('pages by the time|id cursor into exactly the truth, at page sizes that cut through ties', () => {
    const get = api();
    const truth = atribuCustomerRows({ ...TRUTH, from: '2026-05-01', to: '2026-05-14', goal: 'payment_received' });
    expect(truth.length).toBeGreaterThan(150);
    // The generator puts one conversion in eight on its neighbour's second.
    const ties = truth.filter((r, i) => i > 0 && r.conversion_time === truth[i - 1]!.conversion_time).length;
    expect(ties).toBeGreaterThan(5);
    for (const limit of [1, 7, 100]) {
      const rows: unknown[] = [];
      let extra = `&limit=${limit}`;
      for (let pages = 0; pages < 1000; pages++) {
        const { status, json } = get(path(extra));
        expect(status).toBe(200);
        rows.push(...json.data);
        if (!json.pagination.has_next) {
          expect(json.pagination.cursor).toBeNull();
          break;
        }
        const [t, id] = (json.pagination.cursor as string).split('|');
        extra = `&limit=${limit}&cursor_time=${encodeURIComponent(t!)}&cursor_id=${id}`;
      }
      expect(rows).toEqual(truth);
    }
  });

  it('writes the cursor with a +00:00 offset, so an unencoded + arrives as a space and is refused', () => {
    const get = api();
    const { json } = get(path('&limit=2'));
    expect(json.pagination.cursor).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00\|[0-9a-f-]{36}$/);
    const [t, id] = (json.pagination.cursor as string).split('|');
    const raw = get(path(`&limit=2&cursor_time=${t}&cursor_id=${id}`));
    expect(raw.status).toBe(400);
    expect(raw.json.error.code).toBe('invalid_parameter');
    expect(raw.json.error.message).toMatch(/^cursor_time ".* 00:00" is not an ISO 8601 timestamp$/);
  });

  it('answers with the row fields in the documented order and the meta block', () => {
    const { json } = api()(path('&limit=1'));
    expect(Object.keys(json.data[0])).toEqual([
      'conversion_id', 'customer_profile_id', 'name', 'email', 'country', 'device', 'channel', 'source', 'revenue', 'revenue_type',
      'conversion_time', 'time_to_complete_seconds', 'touch_count', 'touch_channels', 'conversion_count', 'total_revenue',
    ]);
    expect(json.meta).toEqual({ date_from: '2026-05-01', date_to: '2026-05-14', profile_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('searches names and e-mails, case-insensitively', () => {
    const rows = atribuCustomerRows({ ...TRUTH, from: '2026-04-01', to: '2026-05-14', goal: 'lead_created', search: 'ZOË' });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => String(r.name).toLowerCase().includes('zoë') || String(r.email).toLowerCase().includes('zoë'))).toBe(true);
  });

  it('validates its parameters with the error envelope', () => {
    const get = api();
    const cases: Array<[string, number, string, string]> = [
      ['/api/v1/customers?date_to=2026-05-01&goal=payment_received', 400, 'invalid_parameter', 'date_from is required (YYYY-MM-DD)'],
      ['/api/v1/customers?date_from=2026-05-02&date_to=2026-05-01&goal=payment_received', 400, 'invalid_date_range', 'date_from must be on or before date_to'],
      ['/api/v1/customers?date_from=2026-05-01&date_to=2026-05-01', 400, 'invalid_parameter', 'goal is required'],
      ['/api/v1/customers?date_from=2026-05-01&date_to=2026-05-01&goal=nope', 400, 'invalid_parameter', 'goal must be one of payment_received, lead_created, appointment_booked, closed_won'],
      ['/api/v1/customers?date_from=2026-05-01&date_to=2026-05-01&goal=closed_won&cursor_id=x', 400, 'invalid_parameter', 'cursor_time and cursor_id go together'],
    ];
    for (const [p, status, code, message] of cases) {
      const res = get(p);
      expect([res.status, res.json.error.code, res.json.error.message]).toEqual([status, code, message]);
      expect(res.json.error.status).toBe(status);
      expect(res.json.error.request_id).toBe(res.headers['x-request-id']);
    }
  });

  it('401 without a key or with an unknown one, 403 insufficient_scope without customers:read', () => {
    const get = api();
    expect(get(path(''), null).json.error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(get(path(''), 'atb_live_nope').status).toBe(401);
    const denied = get(path(''), ATRIBU_SANDBOX_KEYS.noCustomers);
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: 'insufficient_scope', message: 'This API key lacks the customers:read scope required for customer data' });
  });

  it('real limits: 20 calls a minute per key, then 429 with Retry-After and the headers', () => {
    let now = 0;
    const get = api('real', () => now);
    for (let i = 0; i < 20; i++) {
      const res = get(path('&limit=1'));
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(57 - 3 * i));
      expect(res.headers['x-ratelimit-limit']).toBe('60');
      now += 1000;
    }
    const refused = get(path('&limit=1'));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('40');
    expect(refused.json.error.code).toBe('rate_limit_exceeded');
    now = 60_000;
    expect(get(path('&limit=1')).status).toBe(200);
  });

  it('the loop key ignores the cursor and sends the same one again', () => {
    const get = api();
    const first = get(path('&limit=5'), ATRIBU_SANDBOX_KEYS.loop).json;
    const [t, id] = (first.pagination.cursor as string).split('|');
    const second = get(path(`&limit=5&cursor_time=${encodeURIComponent(t!)}&cursor_id=${id}`), ATRIBU_SANDBOX_KEYS.loop).json;
    expect(second.pagination.cursor).toBe(first.pagination.cursor);
  });
});

describe('GET /api/v1/customers/{id}/journey', () => {
  const long = Array.from({ length: 2500 }, (_, i) => customerId(1, i)).find((id) => atribuJourneyEvents({ ...TRUTH, customerId: id }).length > 100)!;

  it('pages by offset/limit into the whole journey, oldest first, with total_count', () => {
    const get = api();
    const truth = atribuJourneyEvents({ ...TRUTH, customerId: long });
    const events: unknown[] = [];
    for (let offset = 0; ; ) {
      const { json } = get(`/api/v1/customers/${long}/journey?offset=${offset}&limit=100`);
      expect(json.data.total_count).toBe(truth.length);
      if (json.data.events.length === 0) break;
      events.push(...json.data.events);
      offset += json.data.events.length;
    }
    expect(events).toEqual(truth);
    const times = truth.map((e) => e.event_time as string);
    expect([...times].sort()).toEqual(times);
    expect(get(`/api/v1/customers/${long}/journey`).json.data.events).toHaveLength(50);
  });

  it('BOLA: an unknown or foreign id is an empty 200, not a 404', () => {
    const res = api()(`/api/v1/customers/${customerId(99, 3)}/journey`);
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual({ events: [], total_count: 0 });
  });

  it('the loop key claims 25 events more than it serves', () => {
    const truth = atribuJourneyEvents({ ...TRUTH, customerId: long });
    expect(api()(`/api/v1/customers/${long}/journey`, ATRIBU_SANDBOX_KEYS.loop).json.data.total_count).toBe(truth.length + 25);
  });

  it('cursorOf writes the time with an explicit offset', () => {
    expect(cursorOf(Date.parse('2026-03-22T14:30:00Z'), 'id-1')).toBe('2026-03-22T14:30:00+00:00|id-1');
  });
});
