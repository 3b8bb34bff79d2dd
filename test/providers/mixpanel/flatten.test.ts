import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flattenEventNames, flattenEventProperties, flattenEvents, flattenEventsTop, flattenPropertiesTop, flattenPropertyValues, flattenRetention } from '../../../src/providers/mixpanel/flatten-events.js';
import { flattenFunnelDates, flattenFunnelNames, flattenFunnelProperties, flattenFunnelPropertyNames, flattenFunnels } from '../../../src/providers/mixpanel/flatten-funnels.js';
import { ShapeError } from '../../../src/providers/mixpanel/shape.js';
import type { Row } from '../../../src/core/columns.js';

// The docs' samples (fixtures/mixpanel/docs, as JSON) against rows written out by hand.
const DIR = join(__dirname, '..', '..', '..', 'fixtures', 'mixpanel', 'docs');
const body = (name: string): unknown => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
const rows = (name: string): Row[] =>
  readFileSync(join(DIR, `${name}.rows.ndjson`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);

const CASES: [string, (json: unknown) => Row[]][] = [
  ['events', flattenEvents],
  ['events-top', flattenEventsTop],
  ['event-names', flattenEventNames],
  ['retention', flattenRetention],
  ['event-properties-top', (j) => flattenPropertiesTop(j, { event: 'splash features' })],
  ['event-property-values', (j) => flattenPropertyValues(j, { event: 'splash features', name: 'gender' })],
  ['funnels', flattenFunnels],
  ['funnel-names', flattenFunnelNames],
  ['funnel-dates', flattenFunnelDates],
  ['funnel-properties', (j) => flattenFunnelProperties(j, { funnel: 'Signup flow', name: 'feature' })],
  ['funnel-property-names', flattenFunnelPropertyNames],
];

describe('Mixpanel flatteners on the docs samples', () => {
  for (const [name, flatten] of CASES) {
    it(`${name}: tidy rows in the body's order`, () => {
      expect(flatten(body(name))).toEqual(rows(name));
    });
  }

  it('event-properties: the events/ shape keyed by property value, with the request repeated', () => {
    expect(flattenEventProperties(body('events'), { event: 'splash features', name: 'feature' })[0]).toEqual({
      event: 'splash features',
      property: 'feature',
      property_value: 'account-page',
      date: '2010-05-30',
      value: 1,
    });
  });

  it('series order wins over key order; dates the series lacks follow', () => {
    const json = { data: { series: ['2026-05-01', '2026-05-02'], values: { a: { '2026-05-03': 3, '2026-05-02': 2, '2026-05-01': 1 } } } };
    expect(flattenEvents(json).map((r) => r.date)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
  });

  it('an empty report is no rows, not an error', () => {
    expect(flattenEvents({ data: { series: [], values: {} }, legend_size: 0 })).toEqual([]);
    expect(flattenFunnels({})).toEqual([]);
    expect(flattenRetention({ data: {}, meta: { unit: 'day' } })).toEqual([]);
  });

  it('says where a body leaves the documented shape', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => flattenEvents({ data: { series: [], values: { a: { '2026-05-01': '3' } } } }), /data\.values\["a"\]\["2026-05-01"\] is "3", not a number/],
      [() => flattenEvents({ legend_size: 1 }), /data is not an object/],
      [() => flattenEventNames({ names: [] }), /body is not an array/],
      [() => flattenRetention({ data: { x: { series: ['later'], values: { '2026-05-01': { later: 0.1 } } } } }), /label "later" does not start with a number/],
      [() => flattenFunnels({ f: { data: { '2026-05-04': { steps: [{ count: 1.5, goal: 'a', overall_conv_ratio: 1, step_conv_ratio: 1 }] } } } }), /steps\[0\]\.count is 1\.5, not a whole number/],
      [() => flattenFunnelProperties({ '2026-05-04': { values: { v: { start: 1, end: 1, total_visitors: 1, steps: { one: { count: 1 } } } } } }, { funnel: 'f', name: 'n' }), /not a step number/],
      [() => flattenPropertiesTop({ p: { count: 'many' } }, { event: 'e' }), /body\["p"\]\.count/],
    ];
    for (const [run, message] of bad) {
      const err = (() => {
        try {
          run();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ShapeError);
      expect((err as Error).message).toMatch(message);
    }
  });
});
