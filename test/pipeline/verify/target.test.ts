import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { coveredDays, dayRuns, readManifest } from '../../../src/pipeline/verify/target.js';

describe('dayRuns: the days --fix exports again, as runs of consecutive days', () => {
  it.each([
    [[], []],
    [['2026-01-03'], [['2026-01-03', '2026-01-03']]],
    [['2026-01-02', '2026-01-01', '2026-01-03'], [['2026-01-01', '2026-01-03']]],
    [['2026-01-01', '2026-01-03', '2026-01-04', '2026-02-28', '2026-03-01'], [['2026-01-01', '2026-01-01'], ['2026-01-03', '2026-01-04'], ['2026-02-28', '2026-03-01']]],
  ])('%j', (days, runs) => {
    expect(dayRuns(days).map((r) => [r.from, r.to])).toEqual(runs);
  });
});

describe('coveredDays: every day from the first the target shows to the last, a day with no rows holding 0', () => {
  const held = new Map([['2026-01-03', 5], ['2026-01-05', 2]]);
  it('from the rows alone', () => {
    expect([...coveredDays(held, [])]).toEqual([['2026-01-03', 5], ['2026-01-04', 0], ['2026-01-05', 2]]);
  });
  it('widened by the manifest ranges', () => {
    expect([...coveredDays(held, [{ from: '2026-01-01', to: '2026-01-04' }, { from: '2026-01-06', to: '2026-01-06' }])].map(([d, n]) => `${d}=${n}`)).toEqual([
      '2026-01-01=0', '2026-01-02=0', '2026-01-03=5', '2026-01-04=0', '2026-01-05=2', '2026-01-06=0',
    ]);
  });
  it('exactly --from..--to when given', () => {
    expect([...coveredDays(held, [{ from: '2026-01-01', to: '2026-01-09' }], { from: '2026-01-05', to: '2026-01-06' })]).toEqual([['2026-01-05', 2], ['2026-01-06', 0]]);
  });
  it('nothing at all', () => {
    expect(coveredDays(new Map(), []).size).toBe(0);
  });
});

describe('readManifest: absent is undefined, damaged is a usage error naming the file and what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = (body: unknown) => {
    const p = join(dir, `m${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  };
  const ok = { tool: 'mbuzz', datasets: [{ dataset: 'conversions', from: '2026-01-01', to: '2026-01-02', export: { dataset: 'conversions', filters: {}, format: 'csv', fields: null, csvSafe: false } }] };

  it('absent', async () => {
    expect(await readManifest(join(dir, 'none.json'))).toBeUndefined();
  });
  it('well formed', async () => {
    expect((await readManifest(at(ok)))?.datasets[0]?.export?.format).toBe('csv');
  });
  it.each([
    ['{"tool":', 'not JSON'],
    [{ tool: 'other', datasets: [] }, 'not an mbuzz manifest'],
    [{ tool: 'mbuzz' }, 'no datasets list'],
    [{ tool: 'mbuzz', datasets: [{ from: '2026-01-01', to: '2026-01-02' }] }, 'datasets[0].dataset is missing'],
    [{ tool: 'mbuzz', datasets: [{ dataset: 'spend', from: '2026-01-01', to: '2025-12-31' }] }, 'datasets[0].from is after .to'],
    [{ ...ok, datasets: [{ ...ok.datasets[0], export: { ...ok.datasets[0]!.export, format: 'xlsx' } }] }, 'datasets[0].export.format is not a format'],
    [{ ...ok, datasets: [{ ...ok.datasets[0], export: { ...ok.datasets[0]!.export, dataset: 'funnel' } }] }, 'datasets[0].export does not name the dataset'],
  ])('%j', async (body, why) => {
    const p = at(body);
    const err = await readManifest(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`the manifest ${p} is damaged (${why}): remove it and say which export this is with --dataset, or export again to rewrite it`);
  });
});
