import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExportFlags, parseReportFlags } from '../../../src/commands/export/options.js';

describe('parseExportFlags', () => {

  it('parses typed values and leaves absent flags undefined (so config can fill them)', () => {
    const f = parseExportFlags('conversions', { from: '2026-04-01', to: '2026-05-14', channel: ['paid_search,email', 'ai'], perPage: '500', fields: 'date, channel' }, false);
    expect(f).toEqual({ dataset: 'conversions', from: '2026-04-01', to: '2026-05-14', channels: ['paid_search', 'email', 'ai'], perPage: 500, fields: ['date', 'channel'] });
  });

  const bad: [string, Parameters<typeof parseExportFlags>[1], RegExp][] = [
    ['impossible date', { from: '2026-02-30' }, /--from "2026-02-30" is not a calendar date/],
    ['loose date', { from: '2026-4-1' }, /--from "2026-4-1" must be YYYY-MM-DD/],
    ['to alone', { to: '2026-05-14' }, /--to needs --from/],
    ['inverted', { from: '2026-05-14', to: '2026-04-01' }, /--from 2026-05-14 is after --to 2026-04-01/],
    ['range and dates', { range: '7d', from: '2026-04-01' }, /--range cannot be combined with --from\/--to/],
    ['bad range', { range: 'week' }, /--range "week" must be a number of days/],
    ['bad format', { format: 'xlsx' }, /--format "xlsx" must be one of ndjson, csv, parquet/],
    ['non-numeric', { perPage: 'lots' }, /--per-page "lots" must be a whole number/],
    ['per-page too big', { perPage: '5000' }, /--per-page 5000 must be between 1 and 1000/],
    ['zero concurrency', { concurrency: '0' }, /--concurrency 0 must be between 1 and 64/],
    ['quiet and verbose', { quiet: true, verbose: true }, /--quiet and --verbose cannot be combined/],
    ['duplicate field', { fields: 'date,date' }, /--fields names date twice/],
  ];
  for (const [name, raw, re] of bad) {
    it(`rejects ${name}`, () => expect(() => parseExportFlags('conversions', raw, false)).toThrow(re));
  }
});

describe('parseReportFlags', () => {
  // The report is written last, over its path, whatever the outcome (a refused run's too): never
  // over a file the run writes or reads. Paths here are refused before the file system is asked.
  const over: [string, Parameters<typeof parseReportFlags>[1], RegExp][] = [
    ['report over the output', { from: '2026-05-01', output: 'out.csv', report: './out.csv' }, /--report \.\/out\.csv is the output/],
    ['report over the state', { state: 's.json', output: 'd', partitionBy: 'date', report: 's.json' }, /--report s\.json is the --state file/],
    ['report over the manifest', { from: '2026-05-01', output: 'o.csv', manifest: true, report: 'o.csv.manifest.json' }, /is the output's manifest/],
    ['report in the partitions', { from: '2026-05-01', output: 'parts', partitionBy: 'date', report: 'parts/_manifest.json' }, /is inside the output directory parts/],
  ];
  for (const [name, raw, re] of over) {
    it(`refuses a report ${name.replace(/^report /, '')}`, async () => {
      await expect(parseReportFlags('conversions', raw)).rejects.toThrow(re);
    });
  }
  it('refuses any path inside the directory `export all` writes', async () => {
    await expect(parseReportFlags('all', { output: 'everything', report: 'everything/conversions.ndjson' })).rejects.toThrow(/inside the output directory everything/);
  });
  it('takes a report beside a partition directory, beside a file, or anywhere for s3:// and postgresql:// outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbuzz-report-'));
    try {
      for (const raw of [
        { output: join(dir, 'parts'), partitionBy: 'date', report: join(dir, 'parts.report.json') },
        { output: join(dir, 'conv.csv'), report: join(dir, 'report.json') },
        { output: 's3://b/k.csv', report: join(dir, 'k.csv') },
      ]) {
        expect((await parseReportFlags('conversions', raw)).report).toBe(raw.report);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
