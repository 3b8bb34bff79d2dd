import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ATTRIBUTIONHUB_SANDBOX_KEYS } from '../../src/sandbox/attributionhub/mount.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/attributionhub/records.js';
import { expectedConversions } from '../providers/attributionhub/expected-rows.js';
import { expectFile } from '../providers/atribu/formats.js';
import { NOW, parseNdjson, runCli, startSandbox, tempDir, type Sandbox, useSandbox } from './harness.js';

// The real CLI against a spawned sandbox; expected rows from the sandbox's own generator, made
// into rows by the test (expected-rows.ts), not by the exporter.

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: '2025-01-01' };
const FROM = '2026-05-01';
const TO = '2026-05-10';
const truth = (body: Record<string, unknown>) => expectedConversions(TRUTH, body);

async function requests(sb: Sandbox): Promise<number> {
  return ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
}

describe('attributionhub:conversions against the sandbox', () => {
  const { sb, dir } = useSandbox();
  const env = (key: string = ATTRIBUTIONHUB_SANDBOX_KEYS.standard) => ({ ATTRIBUTIONHUB_BASE_URL: `${sb.url}/attributionhub`, ATTRIBUTIONHUB_API_KEY: key });
  const run = (args: string[], key?: string) => runCli(['export', 'attributionhub:conversions', '--from', FROM, '--to', TO, ...args], { env: env(key) });

  it("direct mode -> ndjson, csv, parquet: exactly the sandbox's conversions, newest first", async () => {
    const formats = ['ndjson', 'csv', 'parquet'] as const;
    const outs = formats.map((format) => join(dir.path, `conversions.${format}`));
    const results = await Promise.all(outs.map((out) => run(['-o', out])));
    for (const r of results) {
      expect(r.stderr).toMatch(/^mbuzz: [\d,]+ rows of attributionhub:conversions 2026-05-01..2026-05-10 \(1 windows, \d+ requests\)/m);
      expect(r.code).toBe(0);
    }
    const expected = truth({ start_date: FROM, end_date: TO });
    for (const [i, format] of formats.entries()) await expectFile(outs[i]!, format, CONVERSIONS_COLUMNS, expected);
  });

  it('session mode (source + campaign) and conversion filters together', async () => {
    const r = await run(['--param', 'source=google.com', '--param', 'campaign=brand_exact', '--param', 'meta_type=hubspot_form']);
    expect(r.code).toBe(0);
    const expected = truth({ start_date: FROM, end_date: TO, source: 'google.com', campaign: 'brand_exact', meta_type: 'hubspot_form' });
    expect(expected.length).toBeGreaterThan(0);
    expect(parseNdjson(r.stdout)).toEqual(expected);
  });

  it('"No conversions matched the given filters." is an empty export with exit 0', async () => {
    const r = await run(['--param', 'landing_page=https://nowhere.example/', '-f', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(`${CONVERSIONS_COLUMNS.map((c) => c.name).join(',')}\r\n`);
  });

  it('the monthly quota: exit 4 at once, one request, the server quoted', async () => {
    const before = await requests(sb);
    const r = await run([], ATTRIBUTIONHUB_SANDBOX_KEYS.exhausted);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('mbuzz: quota exhausted (429): "API monthly limit exceeded. (5000 of 5000 calls used for example.com)"\n');
    expect((await requests(sb)) - before).toBe(1);
  });

  it('an unknown key: exit 3; the key never shows, even with --verbose', async () => {
    const key = 'ahk_not_a_real_key_0123456789abcdef';
    const r = await run(['-v'], key);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/authentication failed \(401\): "Invalid API key\."/);
    expect(r.stderr).not.toContain(key);
  });

  it('a records_processed that does not advance: exit 6 after two requests', async () => {
    const before = await requests(sb);
    const r = await run([], ATTRIBUTIONHUB_SANDBOX_KEYS.stall);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      'mbuzz: attributionhub conversions (direct mode): the offset did not advance (asked for 50, the server says continue from 50); stopped instead of asking again\n',
    );
    expect((await requests(sb)) - before).toBe(2);
  });

  it('has_more that never turns false: stops at total_records with every row once', async () => {
    const r = await run([], ATTRIBUTIONHUB_SANDBOX_KEYS.endless);
    expect(r.code).toBe(0);
    expect(parseNdjson(r.stdout)).toEqual(truth({ start_date: FROM, end_date: TO }));
  });

  it('usage errors exit 2 and send nothing: no key, no host, an unknown filter', async () => {
    const before = await requests(sb);
    const [noKey, noHost, badParam] = await Promise.all([
      runCli(['export', 'attributionhub:conversions'], { env: { ATTRIBUTIONHUB_BASE_URL: `${sb.url}/attributionhub` } }),
      runCli(['export', 'attributionhub:conversions'], { env: { ATTRIBUTIONHUB_API_KEY: ATTRIBUTIONHUB_SANDBOX_KEYS.standard } }),
      run(['--param', 'utm_source=google']),
    ]);
    expect([noKey!.code, noKey!.stderr]).toEqual([2, 'mbuzz: no AttributionHub API key for attributionhub:conversions: set ATTRIBUTIONHUB_API_KEY, or use a profile with api_key_env\n']);
    expect([noHost!.code, noHost!.stderr]).toEqual([2, "mbuzz: AttributionHub's API host is not published: set ATTRIBUTIONHUB_BASE_URL, a profile's base_url, or --base-url\n"]);
    expect(badParam!.code).toBe(2);
    expect(badParam!.stderr).toMatch(/has no parameter "utm_source" \(known: conversion_page, meta_type, meta_id, source, medium, campaign, content, term, landing_page\)/);
    expect(await requests(sb)).toBe(before);
  });
});
