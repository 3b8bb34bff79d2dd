import { describe, expect, it } from 'vitest';
import { intervalFor, periodDays, periodInRange, weekStart, type Unit } from '../../../src/providers/mixpanel/units.js';
import { lastPeriods } from '../../../src/sandbox/mixpanel/periods.js';

// --from/--to onto unit/interval: the interval must reach back to the period holding --from
// wherever "now" falls in today, and the periods kept must be exactly those touching the range.

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('Mixpanel unit/interval mapping', () => {
  it('weeks start on Monday (S1: 2010-05-24), months on the 1st', () => {
    expect(weekStart('2010-05-24')).toBe('2010-05-24');
    expect(weekStart('2010-05-30')).toBe('2010-05-24');
    expect(weekStart('2026-05-20')).toBe('2026-05-18');
    expect(periodDays('week', '2026-05-18')).toEqual({ first: '2026-05-18', last: '2026-05-24' });
    expect(periodDays('month', '2026-12-01')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
    expect(periodDays('month', '2028-02-01')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(periodDays('hour', '2026-05-20 13:00:00')).toEqual({ first: '2026-05-20', last: '2026-05-20' });
  });

  it('asks for the units from --from through today plus one', () => {
    expect(intervalFor('day', '2026-05-20', '2026-05-20')).toBe(2);
    expect(intervalFor('day', '2026-05-01', '2026-05-20')).toBe(21);
    expect(intervalFor('hour', '2026-05-20', '2026-05-20')).toBe(25);
    expect(intervalFor('week', '2026-05-17', '2026-05-18')).toBe(3); // Sunday and the next Monday: two weeks
    expect(intervalFor('month', '2025-12-31', '2026-01-01')).toBe(3);
  });

  for (const unit of ['hour', 'day', 'week', 'month'] as Unit[]) {
    it(`${unit}: the server's last \`interval\` periods reach --from at any time of today`, () => {
      for (const from of ['2026-01-01', '2026-04-30', '2026-05-18', '2026-05-20']) {
        for (const now of ['2026-05-20T00:00:00Z', '2026-05-20T23:59:59Z']) {
          const periods = lastPeriods(unit, intervalFor(unit, from, '2026-05-20'), at(now));
          const first = periods[0]!.label;
          expect(first.slice(0, 10) <= from).toBe(true);
          // ...and a server a day ahead of us (time zone, skew) still reaches it for days and longer.
          if (unit !== 'hour') {
            const ahead = lastPeriods(unit, intervalFor(unit, from, '2026-05-20'), at(now) + 86_400);
            expect(ahead[0]!.label.slice(0, 10) <= from).toBe(true);
          }
        }
      }
    });
  }

  it('keeps the periods that overlap --from..--to', () => {
    expect(periodInRange('day', '2026-05-01', '2026-05-01', '2026-05-03')).toBe(true);
    expect(periodInRange('day', '2026-04-30', '2026-05-01', '2026-05-03')).toBe(false);
    expect(periodInRange('day', '2026-05-04', '2026-05-01', '2026-05-03')).toBe(false);
    expect(periodInRange('week', '2026-04-27', '2026-05-01', '2026-05-03')).toBe(true);
    expect(periodInRange('week', '2026-05-04', '2026-05-01', '2026-05-03')).toBe(false);
    expect(periodInRange('month', '2026-04-01', '2026-04-30', '2026-05-03')).toBe(true);
    expect(periodInRange('hour', '2026-05-03 23:00:00', '2026-05-01', '2026-05-03')).toBe(true);
    expect(periodInRange('hour', '2026-05-04 00:00:00', '2026-05-01', '2026-05-03')).toBe(false);
    expect(periodInRange('day', 'not a date', '2026-05-01', '2026-05-03')).toBe(false);
  });
});
