import { describe, expect, it } from 'vitest';
import { resolveExport, formatFromPath, isLoopbackHost } from '../../src/pipeline/resolve.js';
import { findDataset, providerOf } from '../../src/providers/registry.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { ExportFlags } from '../../src/pipeline/request.js';
import { UsageError } from '../../src/core/errors.js';

const conversions = findDataset('conversions');
const KEY = 'sk_test_0123456789abcdef0123456789abcdef';
const config: ConfigFile = {
  profile: 'prod',
  profiles: {
    prod: { provider: 'mbuzz', base_url: 'https://prod.example', api_key_env: 'MBUZZ_PROD_KEY', format: 'parquet', concurrency: 2, channels: ['email'] },
    inline: { api_key: 'sk_live_inlineinlineinline00000000', per_page: 250 },
    mp: { provider: 'mixpanel', api_key: 'f0aa', api_secret_env: 'MP_SECRET' },
  },
};

function resolve(flags: Partial<ExportFlags>, vars: Record<string, string> = {}, cfg: ConfigFile = { profiles: {} }) {
  return resolveExport({ dataset: conversions, provider: providerOf(conversions), flags: { dataset: 'conversions', ...flags }, config: cfg, configFile: '/home/u/.mbuzzrc', vars, today: '2026-05-20' });
}

describe('resolveExport precedence: defaults < profile < env < flags', () => {
  it('uses built-in defaults when nothing else is given', () => {
    const o = resolve({}, { MBUZZ_API_KEY: KEY });
    expect(o).toMatchObject({ from: '2026-04-20', to: '2026-05-19', format: 'ndjson', perPage: 1000, concurrency: 4, baseUrl: 'https://mbuzz.co', retries: 5, timeoutMs: 60000 });
    expect(o.credentials.apiKey).toBe(KEY);
  });

  it('takes the profile named by `profile:` in the file', () => {
    const o = resolve({}, { MBUZZ_PROD_KEY: KEY }, config);
    expect(o).toMatchObject({ profileName: 'prod', baseUrl: 'https://prod.example', format: 'parquet', concurrency: 2, channels: ['email'] });
    expect(o.credentials.apiKey).toBe(KEY);
  });

  it('lets the environment override the profile, and flags override both', () => {
    const vars = { MBUZZ_PROD_KEY: 'sk_live_fromprofilevar000000000000', MBUZZ_API_KEY: KEY, MBUZZ_BASE_URL: 'https://env.example' };
    const o = resolve({}, vars, config);
    expect(o.credentials.apiKey).toBe(KEY);
    expect(o.baseUrl).toBe('https://env.example');
    const f = resolve({ baseUrl: 'http://127.0.0.1:9999', apiKey: 'sk_test_flag', concurrency: 8, format: 'csv', channels: ['ai'] }, vars, config);
    expect(f).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', concurrency: 8, format: 'csv', channels: ['ai'] });
    expect(f.credentials.apiKey).toBe('sk_test_flag');
    expect(f.warnings.join()).toMatch(/--api-key puts the key where other processes can see it/);
  });

  it('MBUZZ_PROFILE picks a profile, --profile beats it', () => {
    expect(resolve({}, { MBUZZ_PROFILE: 'inline' }, config).perPage).toBe(250);
    expect(resolve({ profile: 'inline' }, { MBUZZ_PROFILE: 'prod', MBUZZ_PROD_KEY: KEY }, config).profileName).toBe('inline');
  });

  it('ignores a default profile for another provider but refuses it when named', () => {
    const cfg: ConfigFile = { profile: 'mp', profiles: config.profiles };
    expect(resolve({}, { MBUZZ_API_KEY: KEY }, cfg).profileName).toBeUndefined();
    expect(() => resolve({ profile: 'mp' }, { MBUZZ_API_KEY: KEY }, cfg)).toThrow(/profile "mp" is for mixpanel, but conversions comes from mbuzz/);
  });
});

describe('resolveExport errors are usage errors with a clear message', () => {
  const cases: [string, Partial<ExportFlags>, Record<string, string>, ConfigFile | undefined, RegExp][] = [
    ['no key', {}, {}, undefined, /no API key for conversions: set MBUZZ_API_KEY/],
    ['profile var unset', {}, {}, config, /\.mbuzzrc: profiles\.prod\.api_key_env names MBUZZ_PROD_KEY, which is not set/],
    ['unknown profile', { profile: 'nope' }, { MBUZZ_API_KEY: KEY }, config, /unknown profile "nope" in \/home\/u\/\.mbuzzrc; profiles: prod, inline, mp/],
    ['unknown channel', { channels: ['paid_search', 'tv'] }, { MBUZZ_API_KEY: KEY }, undefined, /unknown channel "tv" \(valid: paid_search, organic_search/],
    ['unknown field', { fields: ['date', 'nope'] }, { MBUZZ_API_KEY: KEY }, undefined, /conversions has no column "nope"/],
    ['format vs extension', { format: 'csv', output: 'x.parquet' }, { MBUZZ_API_KEY: KEY }, undefined, /--format csv conflicts with the output file's extension/],
    ['gzip parquet', { output: 'x.parquet.gz' }, { MBUZZ_API_KEY: KEY }, undefined, /drop the \.gz/],
    ['plain http remote', { baseUrl: 'http://mbuzz.invalid' }, { MBUZZ_API_KEY: KEY }, undefined, /refusing plain http:\/\/ to mbuzz\.invalid/],
    ['bad url', { baseUrl: 'not a url' }, { MBUZZ_API_KEY: KEY }, undefined, /is not a URL/],
    ['from after yesterday', { from: '2026-06-01' }, { MBUZZ_API_KEY: KEY }, undefined, /--from 2026-06-01 is after yesterday \(2026-05-19, UTC\), the last complete day \(--include-today adds today\)/],
    ['from today alone', { from: 'today' }, { MBUZZ_API_KEY: KEY }, undefined, /--from 2026-05-20 is after yesterday/],
    ['from after today, with today', { from: '2026-06-01', includeToday: true }, { MBUZZ_API_KEY: KEY }, undefined, /--from 2026-06-01 is after today \(2026-05-20, UTC\)/],
    ['--include-today with --to', { from: '2026-05-01', to: '2026-05-10', includeToday: true }, { MBUZZ_API_KEY: KEY }, undefined, /--include-today goes with --range or --from alone/],
    ['key with newline', {}, { MBUZZ_API_KEY: 'sk_test_a\nb' }, undefined, /control characters/],
  ];
  for (const [name, flags, vars, cfg, re] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        resolve(flags, vars, cfg);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('--csv-safe is for CSV only', () => {
    expect(resolve({ csvSafe: true, output: 'x.csv' }, { MBUZZ_API_KEY: KEY }).csvSafe).toBe(true);
    expect(() => resolve({ csvSafe: true, output: 'x.parquet' }, { MBUZZ_API_KEY: KEY })).toThrow(/--csv-safe applies to CSV output, not parquet/);
  });

  it('--insecure-http allows plain http to another host', () => {
    expect(resolve({ baseUrl: 'http://mbuzz.invalid', insecureHttp: true }, { MBUZZ_API_KEY: KEY }).baseUrl).toBe('http://mbuzz.invalid');
  });

  it('--funnel does not apply to spend', () => {
    expect(() =>
      resolveExport({ dataset: findDataset('spend'), provider: providerOf(findDataset('spend')), flags: { dataset: 'spend', funnel: 'sales' }, config: { profiles: {} }, vars: { MBUZZ_API_KEY: KEY }, today: '2026-05-20' }),
    ).toThrow(/--funnel does not apply to spend/);
  });
});

describe('helpers', () => {
  it('infers formats from extensions', () => {
    expect(formatFromPath('a/b.parquet')).toEqual({ format: 'parquet', gzip: false });
    expect(formatFromPath('x.JSONL')).toEqual({ format: 'ndjson', gzip: false });
    expect(formatFromPath('x.csv.gz')).toEqual({ format: 'csv', gzip: true });
    expect(formatFromPath('x.txt')).toEqual({ format: undefined, gzip: false, foreign: '.txt' });
    expect(formatFromPath('x.tsv.gz')).toEqual({ format: undefined, gzip: true, foreign: '.tsv' });
    expect(formatFromPath('dir.v2/conv')).toEqual({ format: undefined, gzip: false });
    expect(formatFromPath('conv.2026-05-01')).toEqual({ format: undefined, gzip: false });
  });
  it('knows loopback hosts', () => {
    expect(['127.0.0.1', 'localhost', '[::1]', '127.3.2.1'].every(isLoopbackHost)).toBe(true);
    expect(['mbuzz.invalid', '10.0.0.1', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
  it('fields select and order columns; --range 7d is the 7 complete days ending yesterday', () => {
    const o = resolve({ fields: ['channel', 'date'], rangeDays: 7 }, { MBUZZ_API_KEY: KEY });
    expect(o.columns.map((c) => c.name)).toEqual(['channel', 'date']);
    expect(o.projected).toBe(true);
    expect([o.from, o.to]).toEqual(['2026-05-13', '2026-05-19']);
  });

  it('--include-today adds today to --range and to --from alone', () => {
    expect(((o) => [o.from, o.to])(resolve({ rangeDays: 7, includeToday: true }, { MBUZZ_API_KEY: KEY }))).toEqual(['2026-05-13', '2026-05-20']);
    expect(((o) => [o.from, o.to])(resolve({ from: '2026-05-18', includeToday: true }, { MBUZZ_API_KEY: KEY }))).toEqual(['2026-05-18', '2026-05-20']);
    expect(((o) => [o.from, o.to])(resolve({ from: '2026-05-18' }, { MBUZZ_API_KEY: KEY }))).toEqual(['2026-05-18', '2026-05-19']);
  });

  it('today and yesterday are the UTC days the clock names', () => {
    expect(((o) => [o.from, o.to])(resolve({ from: 'yesterday', to: 'today' }, { MBUZZ_API_KEY: KEY }))).toEqual(['2026-05-19', '2026-05-20']);
    expect(((o) => [o.from, o.to])(resolve({ from: 'yesterday', to: 'yesterday' }, { MBUZZ_API_KEY: KEY }))).toEqual(['2026-05-19', '2026-05-19']);
  });
});
