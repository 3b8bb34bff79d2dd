import { describe, expect, it } from 'vitest';
import { parseExportFlags } from '../../../src/commands/export/options.js';

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
