import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/core/columns.js';
import { IntegrityError } from '../../src/core/errors.js';
import { inWindow, type ReadWindow, type WindowRows } from '../../src/core/window-rows.js';
import { utcDayOf, WindowLedger, type CompletedWindow } from '../../src/pipeline/checks.js';
import { resolveExport } from '../../src/pipeline/resolve.js';
import { findDataset, providerOf } from '../../src/providers/registry.js';
import type { ExportOptions, RowDate, WindowInfo } from '../../src/providers/types.js';
import { periodDays } from '../../src/providers/mixpanel/units.js';

// The pipeline's own row checks (pipeline/checks.ts), fed batches the way a provider yields them
// and window totals the way it reports them. Expectations are written out by hand.

const conversions = findDataset('conversions');
const options = (from: string, to: string, extra: Partial<ExportOptions> = {}): ExportOptions => ({
  ...resolveExport({ dataset: conversions, provider: providerOf(conversions), flags: { dataset: 'conversions', from, to }, config: { profiles: {} }, vars: { MBUZZ_API_KEY: 'sk_test_x' }, today: '2026-05-20' }),
  ...extra,
});
const DAY: RowDate = { kind: 'day', column: 'date' };

const rows = (...dates: string[]): Row[] => dates.map((date, i) => ({ date, n: i }));

/** A provider's run: each step is a batch for a window, or a window reported done with its API total. */
type Step = { batch: [ReadWindow, Row[]] } | { done: WindowInfo };

async function drive(ledger: WindowLedger, steps: Step[]): Promise<Row[]> {
  async function* provider(): AsyncGenerator<WindowRows> {
    for (const s of steps) {
      if ('batch' in s) yield inWindow(s.batch[0], s.batch[1]);
      else ledger.state(s.done);
    }
  }
  const out: Row[] = [];
  for await (const b of ledger.check(provider())) out.push(...b);
  return out;
}

const w = (from: string, to: string, index?: number): ReadWindow => ({ from, to, index });
const info = (index: number, from: string, to: string, received: number): WindowInfo => ({ index, from, to, received });

describe('every row against the window it was read for', () => {
  it('passes rows whose day lies inside their window and hands them on in order', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    const got = await drive(ledger, [{ batch: [w('2026-04-01', '2026-04-02'), rows('2026-04-01', '2026-04-02')] }, { batch: [w('2026-04-03', '2026-04-03'), rows('2026-04-03')] }]);
    expect(got.map((r) => r.date)).toEqual(['2026-04-01', '2026-04-02', '2026-04-03']);
    expect([...ledger.daysRead()].sort()).toEqual(['2026-04-01', '2026-04-02', '2026-04-03']);
    expect(ledger.finished).toBe(true);
  });

  it('refuses a row inside the range but outside its own window, naming the value and the window', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    const run = drive(ledger, [{ batch: [w('2026-04-01', '2026-04-01'), rows('2026-04-01')] }, { batch: [w('2026-04-02', '2026-04-02'), rows('2026-04-02', '2026-04-03')] }]);
    await expect(run).rejects.toThrow(new IntegrityError(`conversions: a row's date is "2026-04-03", outside the window 2026-04-02..2026-04-02 it was read for`));
  });

  it.each([
    ['2026-13-45', 'not a calendar date'],
    ['2026-02-30', 'not a calendar date'],
    ['2026-4-2', 'not a calendar date'],
    [20260402, 'not a calendar date'],
    [null, 'not a calendar date'],
  ])('refuses a day of %j', async (value, why) => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    const run = drive(ledger, [{ batch: [w('2026-04-01', '2026-04-03'), [{ date: value }]] }]);
    await expect(run).rejects.toThrow(`conversions: a row's date is ${JSON.stringify(value)}, ${why} (YYYY-MM-DD), in the window 2026-04-01..2026-04-03 it was read for`);
  });

  it('refuses a window that lies outside the range asked for (a provider that asked for the wrong days)', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    await expect(drive(ledger, [{ batch: [w('2026-03-31', '2026-04-01'), rows('2026-03-31')] }])).rejects.toThrow(
      'conversions: rows came for the window 2026-03-31..2026-04-01, which is not inside 2026-04-01..2026-04-03, the range asked for',
    );
  });

  it('refuses a window that comes back after a later one began', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    const a = w('2026-04-01', '2026-04-01', 0);
    const run = drive(ledger, [{ batch: [a, rows('2026-04-01')] }, { batch: [w('2026-04-02', '2026-04-02', 1), rows('2026-04-02')] }, { batch: [a, rows('2026-04-01')] }]);
    await expect(run).rejects.toThrow('conversions: rows of the window 2026-04-01 came back after later windows had begun');
  });

  it('refuses untagged rows as a bug, not as data', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined);
    async function* untagged(): AsyncGenerator<WindowRows> {
      yield rows('2026-04-01') as WindowRows;
    }
    const run = (async () => {
      for await (const _ of ledger.check(untagged())) void _;
    })();
    await expect(run).rejects.toThrow('conversions: the provider handed over rows without the window they were read for (a bug)');
    await expect(run).rejects.not.toBeInstanceOf(IntegrityError);
  });

  it('period labels (Mixpanel weeks) must overlap the window; a week starting before it is fine', async () => {
    const spec: RowDate = { kind: 'period', column: 'date', days: (label) => periodDays('week', label) };
    const ok = new WindowLedger('mixpanel:events', options('2026-05-06', '2026-05-20'), spec, undefined);
    // 2026-05-04 is the Monday of the week holding 05-06
    expect(await drive(ok, [{ batch: [w('2026-05-06', '2026-05-20'), rows('2026-05-04', '2026-05-18')] }])).toHaveLength(2);
    const bad = new WindowLedger('mixpanel:events', options('2026-05-06', '2026-05-20'), spec, undefined);
    await expect(drive(bad, [{ batch: [w('2026-05-06', '2026-05-20'), rows('2026-04-27')] }])).rejects.toThrow(
      `mixpanel:events: a row's date is "2026-04-27" (2026-04-27..2026-05-03), which does not overlap the window 2026-05-06..2026-05-20 it was read for`,
    );
    const junk = new WindowLedger('mixpanel:events', options('2026-05-06', '2026-05-20'), spec, undefined);
    await expect(drive(junk, [{ batch: [w('2026-05-06', '2026-05-20'), rows('2026-13-45')] }])).rejects.toThrow('not a period label the API uses');
  });

  it('moments (epoch seconds, ISO text) may reach one day either side for an unstated time zone, no further', async () => {
    const spec: RowDate = { kind: 'instant', column: 'time', slackDays: 1 };
    const window = w('2026-05-10', '2026-05-10');
    const at = (iso: string) => Date.parse(iso) / 1000;
    const ok = new WindowLedger('mixpanel:export', options('2026-05-10', '2026-05-10'), spec, undefined);
    const fine = [{ time: at('2026-05-09T10:00:00Z') }, { time: at('2026-05-11T23:59:59Z') }, { time: '2026-05-10T08:00:00+02:00' }, { time: '2026-05-10 08:00:00' }];
    expect(await drive(ok, [{ batch: [window, fine] }])).toHaveLength(4);
    const late = new WindowLedger('mixpanel:export', options('2026-05-10', '2026-05-10'), spec, undefined);
    await expect(drive(late, [{ batch: [window, [{ time: at('2026-05-12T00:00:00Z') }]] }])).rejects.toThrow(
      `mixpanel:export: a row's time is ${at('2026-05-12T00:00:00Z')} (UTC day 2026-05-12), outside the window 2026-05-10..2026-05-10 it was read for (±1 day for the API's time zone)`,
    );
    expect(utcDayOf('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(utcDayOf(Number.NaN)).toBeUndefined();
    expect(utcDayOf('yesterday')).toBeUndefined();
  });

  it('checks nothing for a dataset whose rows the window does not bound (no rowDate)', async () => {
    const ledger = new WindowLedger('atribu:journeys', options('2026-04-01', '2026-04-01'), undefined, undefined);
    expect(await drive(ledger, [{ batch: [w('2026-04-01', '2026-04-01'), [{ event_time: '2019-01-01T00:00:00Z' }]] }])).toHaveLength(1);
  });
});

describe("every window's rows against the API's total, counted again before the writer", () => {
  it('passes windows whose rows equal their totals, zero-row windows included, and reports each once complete', async () => {
    const done: CompletedWindow[] = [];
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-03'), DAY, undefined, (c) => done.push(c));
    await drive(ledger, [
      { batch: [w('2026-04-01', '2026-04-01', 0), rows('2026-04-01', '2026-04-01')] },
      { done: info(0, '2026-04-01', '2026-04-01', 2) },
      { done: info(1, '2026-04-02', '2026-04-02', 0) },
      { batch: [w('2026-04-03', '2026-04-03', 2), rows('2026-04-03')] },
      { done: info(2, '2026-04-03', '2026-04-03', 1) },
    ]);
    expect(done.map((c) => [c.window.index, c.delivered, c.info?.received])).toEqual([
      [0, 2, 2],
      [1, 0, 0],
      [2, 1, 1],
    ]);
    expect([...ledger.daysRead()].sort()).toEqual(['2026-04-01', '2026-04-02', '2026-04-03']);
  });

  it('refuses a window one row short of its total, though its paginator said nothing (the second line of defence)', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-02'), DAY, undefined);
    const run = drive(ledger, [
      { batch: [w('2026-04-01', '2026-04-01', 0), rows('2026-04-01', '2026-04-01')] },
      { done: info(0, '2026-04-01', '2026-04-01', 3) },
      { batch: [w('2026-04-02', '2026-04-02', 1), rows('2026-04-02')] },
    ]);
    await expect(run).rejects.toThrow(new IntegrityError('conversions 2026-04-01: 2 rows arrived but the API counts 3 for the window (counted again before writing)'));
  });

  it('refuses a silent window whose total says it had rows, and a short last window', async () => {
    const silent = new WindowLedger('conversions', options('2026-04-01', '2026-04-02'), DAY, undefined);
    await expect(drive(silent, [{ done: info(0, '2026-04-01', '2026-04-01', 4) }, { batch: [w('2026-04-02', '2026-04-02', 1), rows('2026-04-02')] }])).rejects.toThrow(
      'conversions 2026-04-01: 0 rows arrived but the API counts 4',
    );
    const last = new WindowLedger('conversions', options('2026-04-01', '2026-04-01'), DAY, undefined);
    await expect(drive(last, [{ batch: [w('2026-04-01', '2026-04-01', 0), rows('2026-04-01')] }, { done: info(0, '2026-04-01', '2026-04-01', 2) }])).rejects.toThrow('1 rows arrived but the API counts 2');
  });

  it('counts before the client-side filter (conversions --funnel), which then drops rows on purpose', async () => {
    const done: CompletedWindow[] = [];
    const keep = (r: Row) => r.funnel === 'a';
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-01'), DAY, keep, (c) => done.push(c));
    const got = await drive(ledger, [
      { batch: [w('2026-04-01', '2026-04-01', 0), [{ date: '2026-04-01', funnel: 'a' }, { date: '2026-04-01', funnel: 'b' }, { date: '2026-04-01', funnel: null }]] },
      { done: info(0, '2026-04-01', '2026-04-01', 3) },
    ]);
    expect(got).toEqual([{ date: '2026-04-01', funnel: 'a' }]);
    expect(done.map((c) => [c.delivered, c.kept])).toEqual([[3, 1]]);
  });

  it('a run cut short (--max-rows) counts only the windows it finished and reads no days beyond them', async () => {
    const ledger = new WindowLedger('conversions', options('2026-04-01', '2026-04-02'), DAY, undefined);
    async function* provider(): AsyncGenerator<WindowRows> {
      yield inWindow(w('2026-04-01', '2026-04-01', 0), rows('2026-04-01'));
      ledger.state(info(0, '2026-04-01', '2026-04-01', 1));
      yield inWindow(w('2026-04-02', '2026-04-02', 1), rows('2026-04-02', '2026-04-02'));
      throw new Error('never pulled');
    }
    for await (const b of ledger.check(provider())) if (b[0]!.date === '2026-04-02') break;
    expect(ledger.finished).toBe(false);
    expect([...ledger.daysRead()]).toEqual(['2026-04-01']);
  });
});
