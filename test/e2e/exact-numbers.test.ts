import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NESTED_NUMBERS, SESSION_ID_SHIFT } from '../../src/sandbox/big-numbers.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { runCli, TEST_KEY, useSandbox } from './harness.js';

// Issue 9.8, numbers are kept exactly, with the real CLI against `mbuzz sandbox --broken
// big-numbers` (src/sandbox/big-numbers.ts: ids past 2^60, 0.50, 2.0, nested 12345678901234567890,
// -0, 1e400). What the server sent is read straight from its pages over HTTP, one page per day so
// the reading is exact, and cut into rows by the splitter below; numbers are compared as text by
// Python's json module (parse_int/parse_float keep each token's text), CSV is read by Python's csv
// module and Parquet by DuckDB. The exports use --per-page 100 against a sandbox that reorders ties
// on every query, so page-edge repair runs on these rows too.

const DAYS = ['2026-03-01', '2026-03-02'];

/** The rows of a compact `{"data":[...],...}` body as the server's own text (strings respected). */
function rowTexts(body: string): string[] {
  const rows: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = body.indexOf('[') + 1; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (depth === 0) break; // the end of the data array
      if (--depth === 0) rows.push(body.slice(start, i + 1));
    }
  }
  return rows;
}

/** JSON texts parsed by Python with every number kept as {"$n": its text}. */
function exactly(texts: string[]): unknown[] {
  const script = [
    'import json, sys',
    'tag = lambda s: {"$n": s}',
    'out = [json.loads(t, parse_int=tag, parse_float=tag) for t in json.load(sys.stdin)]',
    'sys.stdout.write(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), maxBuffer: 256 * 1024 * 1024 }).toString('utf8')) as unknown[];
}

const sorted = (xs: string[]) => [...xs].sort();

describe('numbers are kept exactly: NDJSON bytes, CSV digits, Parquet values or exit 6', () => {
  const { sb, dir } = useSandbox(['--broken', 'big-numbers', '--tie-order', 'random']);
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const served = async (dataset: string): Promise<string[]> => {
    const rows: string[] = [];
    for (const day of DAYS) {
      const res = await fetch(`${sb.url}/api/v1/data/${dataset}?start_date=${day}&end_date=${day}&per_page=1000&page=1`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      const body = await res.text();
      const total = (JSON.parse(body) as { meta: { total_count: number } }).meta.total_count;
      const day_rows = rowTexts(body);
      expect(day_rows.length, `one page holds ${day}`).toBe(total);
      rows.push(...day_rows);
    }
    return rows;
  };
  const exportTo = async (dataset: string, file: string) => {
    const out = join(dir.path, file);
    const r = await runCli(['export', dataset, '--from', DAYS[0]!, '--to', DAYS.at(-1)!, '--per-page', '100', '-o', out], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    return out;
  };

  it('the sandbox really serves the values (the fixture is what it claims)', async () => {
    const rows = await served('conversions');
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.every((r) => r.includes(`"properties":{${NESTED_NUMBERS}`))).toBe(true);
    expect(rows.some((r) => r.includes('"credit":1.00,'))).toBe(true);
    expect(rows.some((r) => /"touchpoint_index":\d+\.0,/.test(r))).toBe(true);
  });

  it('NDJSON: every line is the server\'s row, byte for byte, each row exactly once', async () => {
    const out = await exportTo('conversions', 'conv.ndjson');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(sorted(lines)).toEqual(sorted(await served('conversions')));
  });

  it('NDJSON, funnel: session ids past 2^60 keep their digits', async () => {
    const out = await exportTo('funnel', 'funnel.ndjson');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const server = await served('funnel');
    expect(sorted(lines)).toEqual(sorted(server));
    const ids = (exactly(lines) as { session_id: { $n: string } | null }[]).filter((r) => r.session_id).map((r) => BigInt(r.session_id!.$n));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id > SESSION_ID_SHIFT)).toBe(true);
  });

  it('CSV: number cells hold the server\'s digits (0.50, 2.0) and JSON cells its nested numbers', async () => {
    const out = await exportTo('conversions', 'conv.csv');
    const [header, ...records] = parseCsvWithPython(readFileSync(out, 'utf8'));
    const col = (name: string) => header!.indexOf(name);
    const server = exactly(await served('conversions')) as Record<string, unknown>[];
    const numberText = (v: unknown) => (v === null ? '' : (v as { $n: string }).$n);
    const expected = server.map((r) => JSON.stringify([numberText(r.credit), numberText(r.touchpoint_index), numberText(r.revenue_credit), r.properties]));
    const propertiesCells = exactly(records.map((rec) => rec[col('properties')]!));
    const got = records.map((rec, i) => JSON.stringify([rec[col('credit')], rec[col('touchpoint_index')], rec[col('revenue_credit')], propertiesCells[i]]));
    expect(sorted(got)).toEqual(sorted(expected));
    expect(got.some((g) => g.includes('"12345678901234567890"') && g.includes('"-0"') && g.includes('"1e400"') && g.includes('"1.50"'))).toBe(true);
  });

  it('Parquet: DOUBLE and INTEGER columns hold the values, JSON text keeps every digit', async () => {
    const out = await exportTo('conversions', 'conv.parquet');
    const back = await duckdb(`SELECT credit, touchpoint_index, properties FROM read_parquet(${sqlString(out)})`);
    const server = exactly(await served('conversions')) as Record<string, { $n: string } | null>[];
    const expected = server.map((r) => JSON.stringify([Number(r.credit!.$n), r.touchpoint_index === null ? null : Number(r.touchpoint_index.$n), r.properties]));
    const properties = exactly(back.map((r) => r.properties as string));
    const got = back.map((r, i) => JSON.stringify([r.credit, r.touchpoint_index, properties[i]]));
    expect(sorted(got)).toEqual(sorted(expected));
  });

  it('Parquet, funnel: a BIGINT column gets the exact id past 2^60', async () => {
    const out = await exportTo('funnel', 'funnel.parquet');
    const back = await duckdb(`SELECT CAST(session_id AS VARCHAR) AS id FROM read_parquet(${sqlString(out)}) WHERE session_id IS NOT NULL`);
    const server = exactly(await served('funnel')) as { session_id: { $n: string } | null }[];
    expect(sorted(back.map((r) => r.id as string))).toEqual(sorted(server.filter((r) => r.session_id).map((r) => r.session_id!.$n)));
  });
});

describe('a value no column type holds', () => {
  const { sb, dir } = useSandbox(['--broken', 'huge-numbers']);
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY });
  const args = (out: string) => ['export', 'conversions', '--from', DAYS[0]!, '--to', DAYS[0]!, '-o', join(dir.path, out)];

  it('Parquet stops with exit 6 naming the column, the value and the row, and writes nothing', async () => {
    const r = await runCli(args('huge.parquet'), { env: env() });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('mbuzz: parquet: column "credit" (double) needs a number that a DOUBLE holds exactly, got 1e400 in row 1\n');
    expect(existsSync(join(dir.path, 'huge.parquet'))).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.includes('huge'))).toEqual([]);
  });

  it('NDJSON and CSV carry the digits as they came', async () => {
    const nd = await runCli(args('huge.ndjson'), { env: env() });
    expect(nd.code, nd.stderr).toBe(0);
    const lines = readFileSync(join(dir.path, 'huge.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((l) => l.includes('"credit":1e400,'))).toBe(true);
    const csv = await runCli(args('huge.csv'), { env: env() });
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...records] = parseCsvWithPython(readFileSync(join(dir.path, 'huge.csv'), 'utf8'));
    expect(new Set(records.map((r) => r[header!.indexOf('credit')]))).toEqual(new Set(['1e400']));
  });
});
