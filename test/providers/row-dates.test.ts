import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/providers/registry.js';

// Every dataset whose rows carry a date says how that date relates to the window it was read for,
// so the pipeline checks every row (pipeline/checks.ts). The few that do not are listed here with
// the reason from the API contracts (shared/api-contracts): adding a dated dataset without a
// rowDate, or dropping one, fails this test.

const UNBOUNDED: Record<string, string> = {
  'attributionhub:conversions': "timestamp is the session's start; start_date/end_date select conversions (api-docs: 'When the session started')",
  'atribu:journey': 'a whole timeline; --from/--to do not apply',
  'atribu:journeys': "each customer's whole journey, not cut to the window",
  'mixpanel:events-top': "today's top events: no date column",
  'mixpanel:event-names': 'one total over the units up to now: no date column',
  'mixpanel:event-properties-top': 'one total up to now: no date column',
  'mixpanel:event-property-values': 'one total up to now: no date column',
  'mixpanel:funnel-names': 'one total up to now: no date column',
  'mixpanel:funnel-property-names': 'one total up to now: no date column',
};

const EXPECTED: Record<string, { kind: string; column: string }> = {
  conversions: { kind: 'day', column: 'date' },
  funnel: { kind: 'day', column: 'date' },
  spend: { kind: 'day', column: 'spend_date' },
  'sealmetrics:microconversions': { kind: 'day', column: 'date' },
  'mixpanel:export': { kind: 'instant', column: 'time' },
  'atribu:customers': { kind: 'instant', column: 'conversion_time' },
  'mixpanel:events': { kind: 'period', column: 'date' },
  'mixpanel:retention': { kind: 'period', column: 'cohort_date' },
  'mixpanel:event-properties': { kind: 'period', column: 'date' },
  'mixpanel:funnels': { kind: 'period', column: 'date' },
  'mixpanel:funnel-dates': { kind: 'period', column: 'date' },
  'mixpanel:funnel-properties': { kind: 'period', column: 'date' },
};

describe('row dates: every provider with a date column is checked by the pipeline', () => {
  it('each dataset either declares its row date or is listed with the reason it cannot', () => {
    const got = Object.fromEntries(DATASETS.filter((d) => d.rowDate).map((d) => [d.name, { kind: d.rowDate!.kind, column: d.rowDate!.column }]));
    expect(got).toEqual(EXPECTED);
    expect(DATASETS.filter((d) => !d.rowDate).map((d) => d.name).sort()).toEqual(Object.keys(UNBOUNDED).sort());
  });

  it('the column a dataset is partitioned by is its row date, a calendar day', () => {
    for (const d of DATASETS.filter((x) => x.dateColumn)) expect(d.rowDate, d.name).toMatchObject({ kind: 'day', column: d.dateColumn });
  });

  it("each declared column is one of the dataset's columns", () => {
    for (const d of DATASETS.filter((x) => x.rowDate)) expect(d.columns.map((c) => c.name), d.name).toContain(d.rowDate!.column);
  });
});
