import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError, UsageError } from '../../../src/core/errors.js';
import {
  accountsOf,
  dateRange,
  describeSealmetricsError,
  microconversionsUrl,
  validateAccountsEnvelope,
  validateLogin,
  validateRowsEnvelope,
} from '../../../src/providers/sealmetrics/api.js';
import { checkCountry, SEALMETRICS_DATASETS } from '../../../src/providers/sealmetrics/datasets.js';
import { normalizeRow } from '../../../src/providers/sealmetrics/schema.js';

// Request building, envelopes and rows, against the samples in the Sealmetrics docs.

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'sealmetrics');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;

describe('microconversions request', () => {
  it('names one day twice as date_range=YYYYMMDD,YYYYMMDD, with skip, limit and country', () => {
    const url = microconversionsUrl('https://app.sealmetrics.com/', { accountId: '000000000000000000001234', from: '2026-05-01', to: '2026-05-01', skip: 200, limit: 100, country: 'es' });
    expect(url).toBe('https://app.sealmetrics.com/api/report/microconversions?account_id=000000000000000000001234&date_range=20260501,20260501&skip=200&limit=100&country=es');
    expect(new URL(url).searchParams.get('date_range')).toBe('20260501,20260501');
  });

  it('keeps a base URL path (the sandbox mounts the API under /sealmetrics)', () => {
    const url = microconversionsUrl('http://127.0.0.1:8787/sealmetrics', { accountId: 'a b', from: '2025-12-31', to: '2026-01-01', skip: 0, limit: 7 });
    expect(url).toBe('http://127.0.0.1:8787/sealmetrics/api/report/microconversions?account_id=a+b&date_range=20251231,20260101&skip=0&limit=7');
  });

  it('dateRange drops the dashes', () => {
    expect(dateRange('2026-02-28', '2026-03-01')).toBe('20260228,20260301');
  });

  it('country must be two letters and goes lower-case; checked before any request', () => {
    expect(checkCountry(undefined)).toBeUndefined();
    expect(checkCountry('ES')).toBe('es');
    expect(() => checkCountry('esp')).toThrow(UsageError);
    expect(() => checkCountry('e1')).toThrow(/must be a two-letter ISO 3166-1 code/);
  });
});

describe('envelopes', () => {
  it('accepts the documented samples', () => {
    expect(validateRowsEnvelope(fixture('microconversions-200.json'))).toBeUndefined();
    expect(validateAccountsEnvelope(fixture('accounts-200.json'))).toBeUndefined();
    expect(accountsOf(fixture('accounts-200.json'))).toEqual([{ id: '000000000000000000001234', name: 'Demo Account' }]);
    expect(validateLogin(fixture('login-200.json'))).toBeUndefined();
  });

  it('reads PHP\'s empty array as no accounts', () => {
    const empty = { status: 'ok', data: [] };
    expect(validateAccountsEnvelope(empty)).toBeUndefined();
    expect(accountsOf(empty)).toEqual([]);
  });

  it.each([
    [null, 'body is not a JSON object'],
    [{ status: 'error', message: 'x' }, 'status is "error", not "ok"'],
    [{ status: 'ok' }, 'no "data" array in the body'],
    [{ status: 'ok', data: [1] }, 'a "data" entry is not an object'],
  ])('refuses a malformed rows envelope %j', (json, problem) => {
    expect(validateRowsEnvelope(json)).toBe(problem);
  });

  it('refuses a login answer without a usable token', () => {
    expect(validateLogin({ token_type: 'Bearer' })).toBe('no "access_token" in the login answer');
    expect(validateLogin({ access_token: 'a b' })).toMatch(/whitespace/);
    expect(validateLogin({ access_token: 'abc', token_type: 'MAC' })).toBe('token_type is "MAC", not "Bearer"');
  });

  it('quotes the documented error bodies', () => {
    for (const [name, message] of [
      ['error-401.json', 'Unauthenticated'],
      ['error-400.json', 'Missing required parameter: account_id'],
    ] as const) {
      expect(describeSealmetricsError({ status: 400, headers: {}, body: readFileSync(join(FIXTURES, name), 'utf8') })).toEqual({ message });
    }
    expect(describeSealmetricsError({ status: 502, headers: {}, body: '<html>bad gateway</html>' })).toEqual({});
  });
});

describe('rows', () => {
  it('puts the documented sample in column order, utm_term null where the API left it out', () => {
    const [first] = (fixture('microconversions-200.json') as { data: Record<string, unknown>[] }).data;
    const row = normalizeRow(first!, 'sample');
    expect(Object.keys(row)).toEqual(['_id', 'date', 'utm_medium', 'utm_source', 'utm_campaign', 'utm_term', 'utm_matchtype', 'label']);
    expect(row).toEqual({
      _id: '67eaca8cadeb4e04b13d7df4',
      date: '2025-03-31',
      utm_medium: 'organic',
      utm_source: 'seo',
      utm_campaign: 'seo-yahoo',
      utm_term: null,
      utm_matchtype: null,
      label: 'add-to-cart',
    });
  });

  it('keeps fields the schema does not know, after the known ones', () => {
    const row = normalizeRow({ _id: 'a', date: '2025-03-31', utm_medium: 'm', utm_source: 's', utm_campaign: 'c', label: 'l', country: 'es' }, 'x');
    expect(Object.keys(row).at(-1)).toBe('country');
  });

  it.each([
    [{ _id: 1 }, /row has _id = 1, expected a string/],
    [{ _id: 'a', date: '2025-03-31', utm_medium: null, utm_source: 's', utm_campaign: 'c', label: 'l' }, /row _id a has utm_medium = null, expected a string/],
    [{ _id: 'a', date: '2025-03-31', utm_medium: 'm', utm_source: 's', utm_campaign: 'c', label: 'l', utm_term: 5 }, /utm_term = 5, expected a string or null/],
  ])('refuses a row of the wrong shape (%j)', (raw, message) => {
    expect(() => normalizeRow(raw, 'day')).toThrow(IntegrityError);
    expect(() => normalizeRow(raw, 'day')).toThrow(message);
  });

  it('declares only utm_term and utm_matchtype nullable, date as a date', () => {
    const ds = SEALMETRICS_DATASETS[0]!;
    expect(ds.name).toBe('sealmetrics:microconversions');
    expect(ds.columns.filter((c) => c.nullable).map((c) => c.name)).toEqual(['utm_term', 'utm_matchtype']);
    expect(ds.columns.find((c) => c.name === 'date')?.type).toBe('date');
    expect(ds.credentials.map((c) => [c.env, c.secret, c.required])).toEqual([
      ['SEALMETRICS_EMAIL', false, true],
      ['SEALMETRICS_PASSWORD', true, true],
      ['SEALMETRICS_ACCOUNT_ID', false, false],
    ]);
  });
});
