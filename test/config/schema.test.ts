import { describe, expect, it } from 'vitest';
import { configSpec } from '../../src/providers/registry.js';

const SPEC = configSpec();
import { validateConfig } from '../../src/config/schema.js';

describe('validateConfig: a bad value is named, never serialized whole', () => {
  it('quotes a bad list or mapping by its kind only, even one that is billions of items once expanded', () => {
    // Shared references, as a YAML or JS loader may hand over: 9^12 strings if walked.
    let level: unknown = 'lol';
    for (let i = 0; i < 12; i++) level = Array(9).fill(level);
    expect(() => validateConfig({ profiles: { p: { concurrency: level } } }, '/f.yaml', SPEC)).toThrow('/f.yaml: profiles.p.concurrency must be a positive integer (got a list)');
    expect(() => validateConfig({ profiles: { p: { retries: { a: level } } } }, '/f.yaml', SPEC)).toThrow('/f.yaml: profiles.p.retries must be a positive integer (got a mapping)');
  });

  it('shortens a long scalar to 60 characters', () => {
    const long = 'x'.repeat(200);
    expect(() => validateConfig({ profiles: { p: { provider: long } } }, '/f.yaml', SPEC)).toThrow(
      `/f.yaml: profiles.p.provider must be one of mbuzz, mixpanel, sealmetrics, atribu, attributionhub (got "${'x'.repeat(56)}...)`,
    );
    expect(() => validateConfig({ profiles: { p: { per_page: -3 } } }, '/f.yaml', SPEC)).toThrow('/f.yaml: profiles.p.per_page must be a positive integer (got -3)');
  });

  it('a profile called __proto__ or toString is only a name', () => {
    const { config } = validateConfig(JSON.parse('{"profiles": {"__proto__": {"format": "csv"}, "toString": {}}}'), '/f.json', SPEC);
    expect(Object.keys(config.profiles)).toEqual(['__proto__', 'toString']);
    expect(config.profiles.__proto__).toEqual({ format: 'csv' });
    expect(() => validateConfig({ profile: 'constructor', profiles: {} }, '/f.json', SPEC)).toThrow('/f.json: profile names "constructor", which is not under profiles: (have: none)');
  });
});
