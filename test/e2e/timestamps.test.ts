import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ATRIBU_SANDBOX_KEYS } from '../../src/sandbox/atribu/keys.js';
import { atribuCustomerRows } from '../../src/sandbox/atribu/truth.js';
import { ATTRIBUTIONHUB_SANDBOX_KEYS } from '../../src/sandbox/attributionhub/mount.js';
import { pgSkipReason, startPostgres, type PgServer } from '../destinations/postgres/pg-server.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { epochMicros, utcText } from '../providers/atribu/formats.js';
import { NOW, runCli, startSandbox, tempDir, useSandbox } from './harness.js';

// Issue 13.10, through the real CLI: Atribu's conversion_time (ISO 8601 with a zone, as the
// sandbox serves it per the docs) is a UTC instant in CSV, Parquet and a PostgreSQL table made
// from `mbuzz schema --as sql`, the server's text in NDJSON; a time that names no instant stops
// the run with exit 6. Expected instants come from the sandbox's truth, read with Date.

const TRUTH = { seed: 1, scale: 1, now: NOW, dataStart: '2025-01-01' };
const FROM = '2026-05-06';
const TO = '2026-05-08';
const ARGS = ['atribu:customers', '--from', FROM, '--to', TO, '--param', 'goal=payment_received'];
const truth = () => atribuCustomerRows({ ...TRUTH, from: FROM, to: TO, goal: 'payment_received' });

describe('timestamps: Atribu conversion_time in every format', () => {
  const { sb, dir } = useSandbox(['--rate-limits', 'off']);
  const env = () => ({ ATRIBU_BASE_URL: `${sb.url}/atribu`, ATRIBU_API_KEY: ATRIBU_SANDBOX_KEYS.full });
  const exportAs = async (format: string) => {
    const out = join(dir.path, `customers.${format}`);
    const r = await runCli(['export', ...ARGS, '-o', out, '-q'], { env: env() });
    expect([r.code, r.stderr]).toEqual([0, '']);
    return out;
  };

  it('the sandbox sends ISO 8601 with a zone, as the docs show', () => {
    const times = truth().map((r) => r.conversion_time as string);
    expect(times.length).toBeGreaterThan(5);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("NDJSON: the server's text, unchanged", async () => {
    const lines = readFileSync(await exportAs('ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => /"conversion_time":"([^"]*)"/.exec(l)?.[1])).toEqual(truth().map((r) => r.conversion_time));
  });

  it('CSV: RFC 3339 UTC cells', async () => {
    const [header, ...records] = parseCsvWithPython(readFileSync(await exportAs('csv'), 'utf8'));
    const at = header!.indexOf('conversion_time');
    expect(records.map((r) => r[at])).toEqual(truth().map((r) => utcText(r.conversion_time)));
  });

  it('Parquet: DuckDB reads TIMESTAMP WITH TIME ZONE holding the exact instants', async () => {
    const path = sqlString(await exportAs('parquet'));
    const [described] = await duckdb(`SELECT column_type FROM (DESCRIBE SELECT conversion_time FROM read_parquet(${path}))`);
    expect(described!.column_type).toBe('TIMESTAMP WITH TIME ZONE');
    const back = await duckdb(`SELECT epoch_us(conversion_time) AS us FROM read_parquet(${path})`);
    expect(back.map((r) => r.us)).toEqual(truth().map((r) => epochMicros(r.conversion_time)));
  });

  it('DuckDB: the CSV loads into the table `mbuzz schema --as sql` creates, with the same instants', async () => {
    const csv = await exportAs('csv');
    const ddl = await runCli(['schema', 'atribu:customers', '--as', 'sql']);
    expect(ddl.stdout.toString()).toMatch(/\n  conversion_time +TIMESTAMPTZ NOT NULL,\n/);
    const back = await duckdb(
      `${ddl.stdout.toString()} COPY atribu_customers FROM ${sqlString(csv)} (HEADER); SELECT epoch_us(conversion_time) AS us, typeof(conversion_time) AS t FROM atribu_customers`,
    );
    expect(back.map((r) => r.us)).toEqual(truth().map((r) => epochMicros(r.conversion_time)));
    expect(new Set(back.map((r) => r.t))).toEqual(new Set(['TIMESTAMP WITH TIME ZONE']));
  });

  describe.skipIf(pgSkipReason !== undefined)(`PostgreSQL${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
    let pg: PgServer;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it('the --dialect postgres DDL makes timestamptz columns that COPY ... CSV fills from the export', async () => {
      const csv = await exportAs('csv');
      const ddl = await runCli(['schema', 'atribu:customers', '--as', 'sql', '--dialect', 'postgres']);
      expect(ddl.code).toBe(0);
      const client = await pg.client();
      try {
        await client.query(ddl.stdout.toString());
        const type = await client.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'atribu_customers'::regclass AND attname = 'conversion_time'");
        expect(type.rows[0].t).toBe('timestamp with time zone');
        // The server's own session zone must not matter: the cells say Z.
        await client.query("SET TIME ZONE 'America/Caracas'");
        await pipeline(createReadStream(csv), client.query(copyFrom('COPY atribu_customers FROM STDIN WITH (FORMAT csv, HEADER true)')));
        const back = await client.query('SELECT (extract(epoch FROM conversion_time) * 1000000)::bigint::text AS us FROM atribu_customers');
        expect(back.rows.map((r) => r.us)).toEqual(truth().map((r) => epochMicros(r.conversion_time)));
      } finally {
        await client.end();
      }
    });
  });

  it('mbuzz datasets states the time zone handling; schema --as json marks the column timestamp', async () => {
    const text = (await runCli(['datasets', 'atribu:customers'])).stdout.toString();
    expect(text).toMatch(/^ {2}times: conversion_time and event_time are instants: the API sends ISO 8601 with a zone/m);
    expect(text).toContain('conversion_time timestamp,');
    const json = JSON.parse((await runCli(['datasets', '--json'])).stdout.toString()) as Array<{ name: string; times: string; columns: Array<{ name: string; type: string; timeFormat?: string }> }>;
    for (const d of json) expect([d.name, typeof d.times, d.times.length > 20]).toEqual([d.name, 'string', true]);
    const mixpanel = json.find((d) => d.name === 'mixpanel:export')!;
    expect(mixpanel.times).toMatch(/projects created from 1 January 2023.*older projects/);
    expect(mixpanel.columns.find((c) => c.name === 'time')).toEqual({ name: 'time', type: 'timestamp', nullable: false, timeFormat: 'epoch-seconds' });
    // Every dataset's instants, written out by hand (the e2e readers take column types from the
    // schemas, so a column turned back into a string would pass there): exactly these, no more.
    const stamps = json.flatMap((d) => d.columns.filter((c) => c.type === 'timestamp').map((c) => `${d.name}.${c.name}`)).sort();
    expect(stamps).toEqual(['atribu:customers.conversion_time', 'atribu:journey.event_time', 'atribu:journeys.event_time', 'attributionhub:conversions.timestamp', 'mixpanel:export.time']);
  });
});

describe('timestamps: a time that names no instant stops the run (sandbox --broken bad-times)', () => {
  const dir = tempDir('mbuzz-bad-times-');
  afterAll(() => dir.cleanup());

  it.each(['ndjson', 'csv', 'parquet'])('atribu:customers -> %s: exit 6, one line naming dataset, window, column and value; the older file untouched', async (format) => {
    const sb = await startSandbox(['--rate-limits', 'off', '--broken', 'bad-times']);
    try {
      const sub = join(dir.path, format);
      mkdirSync(sub);
      const out = join(sub, `customers.${format}`);
      writeFileSync(out, 'yesterday\n');
      const r = await runCli(['export', ...ARGS, '-o', out], { env: { ATRIBU_BASE_URL: `${sb.url}/atribu`, ATRIBU_API_KEY: ATRIBU_SANDBOX_KEYS.full } });
      expect(r.stderr).toBe(
        `mbuzz: atribu:customers ${FROM}..${TO}: column conversion_time holds "2026-13-45T99:00:00Z", not an ISO 8601 date-time with a zone (Z or ±HH:MM) between years 0001 and 9999\n`,
      );
      expect(r.code).toBe(6);
      expect(readdirSync(sub)).toEqual([`customers.${format}`]);
      expect(readFileSync(out, 'utf8')).toBe('yesterday\n');
    } finally {
      await sb.stop();
    }
  });

  it('attributionhub:conversions: its zone-less form, refused the same way', async () => {
    const sb = await startSandbox(['--broken', 'bad-times']);
    try {
      const r = await runCli(['export', 'attributionhub:conversions', '--from', '2026-05-01', '--to', '2026-05-02', '-f', 'csv'], {
        env: { ATTRIBUTIONHUB_BASE_URL: `${sb.url}/attributionhub`, ATTRIBUTIONHUB_API_KEY: ATTRIBUTIONHUB_SANDBOX_KEYS.standard },
      });
      expect(r.stderr).toBe(
        'mbuzz: attributionhub:conversions 2026-05-01..2026-05-02: column timestamp holds "2026-13-45 99:00:00", not an ISO 8601 date-time with a zone (Z or ±HH:MM) between years 0001 and 9999\n',
      );
      expect(r.code).toBe(6);
    } finally {
      await sb.stop();
    }
  });
});
