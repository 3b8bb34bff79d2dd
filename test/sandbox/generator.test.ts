import { describe, expect, it } from 'vitest';
import { truthCount, truthRows, type TruthQuery } from '../../src/sandbox/truth.js';
import { ALGORITHMS, CHANNELS } from '../../src/providers/mbuzz/channels.js';
import { Lru } from '../../src/sandbox/lru.js';
import type { Row } from '../../src/core/columns.js';

// A fixed clock: mid-afternoon of 2025-03-15, data from 2025-01-01.
const BASE: TruthQuery = {
  seed: 1, scale: 1, environment: 'live', from: '2025-02-01', to: '2025-03-02', now: '2025-03-15T15:00:00Z', dataStart: '2025-01-01',
};
const day = (d: string, extra: Partial<TruthQuery> = {}): TruthQuery => ({ ...BASE, from: d, to: d, ...extra });
const rows = (dataset: 'conversions' | 'funnel' | 'spend', q: TruthQuery): Row[] => [...truthRows(dataset, q)];

const CONVERSION_KEYS = [
  'date', 'type', 'name', 'funnel', 'attribution_model', 'algorithm', 'channel', 'credit', 'revenue', 'revenue_credit', 'currency',
  'utm_source', 'utm_medium', 'utm_campaign', 'is_acquisition', 'properties', 'journey_position', 'touchpoint_index', 'journey_length', 'days_to_conversion',
];
const FUNNEL_KEYS = ['date', 'type', 'name', 'funnel', 'channel', 'utm_source', 'utm_medium', 'utm_campaign', 'revenue', 'currency', 'is_acquisition', 'properties', 'session_id'];
const SPEND_KEYS = [
  'spend_date', 'channel', 'platform', 'campaign_name', 'campaign_type', 'network_type', 'device', 'spend_hour', 'spend', 'currency', 'impressions',
  'clicks', 'platform_conversions', 'platform_conversion_value', 'metadata',
];

describe('volume', () => {
  it("matches the contract's UAT volumes for a live key over 30 days at scale 1", () => {
    expect(truthCount('conversions', BASE)).toBeGreaterThan(207_000 * 0.9);
    expect(truthCount('conversions', BASE)).toBeLessThan(207_000 * 1.1);
    expect(truthCount('funnel', BASE)).toBeGreaterThan(102_000 * 0.9);
    expect(truthCount('funnel', BASE)).toBeLessThan(102_000 * 1.1);
    expect(truthCount('spend', BASE)).toBeGreaterThan(3_800 * 0.8);
    expect(truthCount('spend', BASE)).toBeLessThan(3_800 * 1.2);
  });

  it('gives test keys about a tenth, and scales linearly', () => {
    const live = truthCount('conversions', BASE);
    const test = truthCount('conversions', { ...BASE, environment: 'test' });
    expect(test / live).toBeGreaterThan(0.08);
    expect(test / live).toBeLessThan(0.12);
    const doubled = truthCount('conversions', { ...BASE, scale: 2 });
    expect(doubled / live).toBeGreaterThan(1.9);
    expect(doubled / live).toBeLessThan(2.1);
  });

  it('varies by weekday', () => {
    const counts = ['2025-02-03', '2025-02-04', '2025-02-08', '2025-02-09'].map((d) => truthCount('conversions', day(d)));
    // Mon/Tue busier than Sat/Sun.
    expect(Math.min(counts[0] as number, counts[1] as number)).toBeGreaterThan(Math.max(counts[2] as number, counts[3] as number));
  });
});

describe('time', () => {
  it('holds nothing before dataStart or after now, and only the past part of today', () => {
    expect(truthCount('conversions', { ...BASE, from: '2024-12-01', to: '2024-12-31' })).toBe(0);
    expect(truthCount('conversions', { ...BASE, from: '2025-03-16', to: '2025-04-30' })).toBe(0);
    const today = (now: string) => ({ ...day('2025-03-15'), now });
    for (const dataset of ['conversions', 'funnel', 'spend'] as const) {
      const morning = truthCount(dataset, today('2025-03-15T06:00:00Z'));
      const afternoon = truthCount(dataset, today('2025-03-15T15:00:00Z'));
      const full = truthCount(dataset, { ...day('2025-03-15'), now: '2025-03-16T00:00:00Z' });
      expect(morning).toBeGreaterThan(0);
      expect(afternoon).toBeGreaterThan(morning);
      expect(full).toBeGreaterThan(afternoon);
    }
    expect(truthCount('conversions', { ...day('2025-03-15'), now: '2025-03-15T00:00:00Z' })).toBe(0);
  });

  it('is the same data for the same seed and different for another', () => {
    const a = rows('conversions', day('2025-02-10'));
    expect(rows('conversions', day('2025-02-10'))).toEqual(a);
    expect(rows('conversions', day('2025-02-10', { seed: 2 }))).not.toEqual(a);
  });
});

describe('conversions rows', () => {
  const all = rows('conversions', day('2025-02-10'));

  it('have the contract field order and value types', () => {
    for (const r of all) {
      expect(Object.keys(r)).toEqual(CONVERSION_KEYS);
      expect(r.type).toBe('conversion');
      expect(r.date).toBe('2025-02-10');
      expect(ALGORITHMS).toContain(r.algorithm);
      expect(CHANNELS).toContain(r.channel);
      expect(r.credit).toBeGreaterThan(0);
      expect(r.credit).toBeLessThanOrEqual(1);
      expect(r.revenue_credit === null).toBe(r.revenue === null);
      expect(typeof r.is_acquisition).toBe('boolean');
      expect(typeof r.properties).toBe('object');
      expect(r.properties).not.toBeNull();
    }
  });

  it('place touchpoints the way the server computes them', () => {
    for (const r of all) {
      const index = r.touchpoint_index as number | null;
      const length = r.journey_length as number | null;
      if (index === null) expect(r.journey_position).toBeNull();
      else if (index === 0) expect(r.journey_position).toBe('first_touch');
      else if (index === (length as number) - 1) expect(r.journey_position).toBe('last_touch');
      else expect(r.journey_position).toBe('assisted');
      if (length === null) expect(index).toBeNull();
      // Single-touch journeys are first_touch, never last_touch.
      if (length === 1 && index !== null) expect(r.journey_position).toBe('first_touch');
    }
  });

  it('include the nulls, direct traffic and awkward strings a real account has', () => {
    expect(all.some((r) => r.touchpoint_index === null)).toBe(true);
    expect(all.some((r) => r.days_to_conversion === null)).toBe(true);
    expect(all.some((r) => r.revenue === null)).toBe(true);
    expect(all.some((r) => r.funnel === null)).toBe(true);
    expect(all.some((r) => JSON.stringify(r.properties) === '{}')).toBe(true);
    for (const r of all.filter((x) => x.channel === 'direct')) expect([r.utm_source, r.utm_medium, r.utm_campaign]).toEqual([null, null, null]);
    const text = JSON.stringify(all);
    for (const s of ['\\n', '\\"', ',', '東京', '–']) expect(text).toContain(s);
    expect(all.some((r) => r.attribution_model !== r.algorithm)).toBe(true);
  });

  it('give each model its rows: first and last touch one per conversion, the others one per touchpoint', () => {
    const per = (alg: string) => all.filter((r) => r.algorithm === alg).length;
    expect(per('first_touch')).toBe(per('last_touch'));
    for (const alg of ['linear', 'time_decay', 'u_shaped', 'participation', 'markov_chain', 'shapley_value']) {
      expect(per(alg)).toBe(per('participation'));
      expect(per(alg)).toBeGreaterThan(per('first_touch'));
    }
  });
});

describe('funnel rows', () => {
  const all = rows('funnel', day('2025-02-10'));

  it('have the contract field order, types and nulls', () => {
    const types = new Set(all.map((r) => r.type));
    expect([...types].sort()).toEqual(['conversion', 'event', 'visit']);
    for (const r of all) {
      expect(Object.keys(r)).toEqual(FUNNEL_KEYS);
      if (r.type === 'visit') {
        expect([r.name, r.funnel, r.revenue, r.currency, r.is_acquisition, r.properties]).toEqual([null, null, null, null, null, null]);
        expect(Number.isInteger(r.session_id)).toBe(true);
      }
      if (r.type === 'event') expect([r.revenue, r.currency, r.is_acquisition]).toEqual([null, null, null]);
      if (r.type === 'conversion' && r.session_id === null) expect([r.channel, r.utm_source, r.utm_medium, r.utm_campaign]).toEqual([null, null, null, null]);
    }
    expect(all.some((r) => r.type === 'visit' && r.channel === null)).toBe(true);
    expect(all.some((r) => r.type === 'conversion' && r.session_id === null)).toBe(true);
  });

  it('drops visits for any funnel, keeps one funnel for a name, and only drops visits for "all"', () => {
    const d = '2025-02-10';
    const visits = all.filter((r) => r.type === 'visit').length;
    expect(truthCount('funnel', day(d, { funnel: 'all' }))).toBe(all.length - visits);
    const sales = rows('funnel', day(d, { funnel: 'sales' }));
    expect(sales.length).toBeGreaterThan(0);
    expect(sales.every((r) => r.funnel === 'sales' && r.type !== 'visit')).toBe(true);
    expect(sales.length).toBe(all.filter((r) => r.funnel === 'sales' && r.type !== 'visit').length);
    expect(truthCount('funnel', day(d, { funnel: 'nope' }))).toBe(0);
  });

  it('drops NULL-channel rows under any channel list, even all twelve reordered', () => {
    const d = day('2025-02-10');
    const nullChannel = all.filter((r) => r.channel === null).length;
    expect(nullChannel).toBeGreaterThan(0);
    expect(truthCount('funnel', { ...d, channels: [...CHANNELS] })).toBe(all.length);
    expect(truthCount('funnel', { ...d, channels: [...CHANNELS].reverse() })).toBe(all.length - nullChannel);
  });
});

describe('spend rows', () => {
  const all = rows('spend', day('2025-02-10'));

  it('have the contract field order, a never-null hour and metadata', () => {
    expect(all.length).toBeGreaterThan(50);
    for (const r of all) {
      expect(Object.keys(r)).toEqual(SPEND_KEYS);
      expect(Number.isInteger(r.spend_hour)).toBe(true);
      expect(r.spend_hour as number).toBeGreaterThanOrEqual(0);
      expect(r.spend_hour as number).toBeLessThan(24);
      expect(typeof r.metadata).toBe('object');
      expect(r.metadata).not.toBeNull();
      expect(['google_ads', 'meta_ads', 'linkedin_ads', 'tiktok_ads']).toContain(r.platform);
      if (r.platform === 'meta_ads') expect([r.device, r.network_type]).toEqual(['ALL', null]);
    }
  });

  it('sort by hour then campaign name', () => {
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1] as Row, all[i] as Row];
      const key = (r: Row) => [r.spend_hour as number, r.campaign_name as string] as const;
      expect(key(a)[0] < key(b)[0] || (key(a)[0] === key(b)[0] && key(a)[1] <= key(b)[1])).toBe(true);
    }
  });
});

describe('channel filters in the generator', () => {
  it('unknown channels match nothing; conversions and spend have no NULL channel to drop', () => {
    const d = day('2025-02-10');
    expect(truthCount('conversions', { ...d, channels: ['nope'] })).toBe(0);
    for (const dataset of ['conversions', 'spend'] as const) {
      expect(truthCount(dataset, { ...d, channels: [...CHANNELS].reverse() })).toBe(truthCount(dataset, d));
      const byChannel = CHANNELS.reduce((sum, c) => sum + truthCount(dataset, { ...d, channels: [c] }), 0);
      expect(byChannel).toBe(truthCount(dataset, d));
    }
  });
});

describe('Lru', () => {
  it('evicts the least recently used past its weight budget', () => {
    const lru = new Lru<number>(3);
    for (const k of ['a', 'b', 'c']) lru.set(k, 1);
    expect(lru.get('a')).toBe(1);
    lru.set('d', 1);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.size).toBe(3);
  });
});
