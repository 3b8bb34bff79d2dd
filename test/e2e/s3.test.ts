import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import { truthRows } from '../../src/sandbox/truth.js';
import { READ_ONLY, startS3Server, type S3Server } from '../destinations/s3/harness.js';
import { fromDuck } from '../providers/atribu/formats.js';
import { parseCsvWithPython } from '../writers/helpers.js';
import { csvRecordOf, jsonCellsAsValues } from './part-rows.js';
import { canon, NOW, parseNdjson, runCli, TEST_KEY, useSandbox } from './harness.js';

// `mbuzz export ... -o s3://bucket/key`: the real CLI, a real sandbox, a real S3-protocol server.
// Expected rows come from the sandbox's generator; objects are read back through our own SDK
// client, CSV by Python's csv module, Parquet by hyparquet.

const FROM = '2026-03-01';
const TO = '2026-03-06';
const truth = () => [...truthRows('conversions', { seed: 1, scale: 1, environment: 'test', from: FROM, to: TO, now: NOW, dataStart: '2025-01-01' })];

/** A value as hyparquet hands it back, as the API sent it: DATE as YYYY-MM-DD, JSON text parsed, BIGINT as a number. */
function fromParquet(v: unknown, type: Column['type']): unknown {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'bigint') return Number(v);
  return fromDuck(v, type);
}

describe('mbuzz export -o s3://', () => {
  const { sb } = useSandbox();
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const env = (extra: Record<string, string> = {}) => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, ...s3.vars(), ...extra });
  const exportTo = (url: string, extra: Record<string, string> = {}, args: string[] = []) => runCli(['export', 'conversions', '--from', FROM, '--to', TO, '-o', url, ...args], { env: env(extra) });

  /** Every stderr line is mbuzz's own: no SDK warning slips through. */
  const expectOwnStderr = (stderr: string) => {
    for (const line of stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^mbuzz: /);
  };

  it.each([
    ['ndjson', 'exports/conv.ndjson'],
    ['ndjson', 'exports/conv.jsonl.gz'],
    ['csv', 'exports/conv.csv'],
    ['csv', 'exports/conv.csv.gz'],
    ['parquet', 'exports/conv.parquet'],
  ] as const)('%s to s3://mbuzz-test/%s: exactly the sandbox rows', async (format, key) => {
    const r = await exportTo(`s3://mbuzz-test/${key}`);
    expect(r.code).toBe(0);
    expectOwnStderr(r.stderr);
    expect(r.stderr).toMatch(/^mbuzz: [\d,]+ rows of conversions 2026-03-01..2026-03-06/m);
    let bytes = (await s3.get(key))!;
    expect(bytes).toBeDefined();
    if (key.endsWith('.gz')) bytes = gunzipSync(bytes);
    const expected = truth();
    expect(expected.length).toBeGreaterThan(0);
    if (format === 'ndjson') {
      expect(canon(parseNdjson(bytes))).toEqual(canon(expected));
    } else if (format === 'csv') {
      const [header, ...records] = parseCsvWithPython(bytes.toString('utf8'));
      expect(header).toEqual(CONVERSIONS_COLUMNS.map((c) => c.name));
      expect(canon(jsonCellsAsValues(records))).toEqual(canon(expected.map(csvRecordOf)));
    } else {
      const back = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
      const norm = (row: Record<string, unknown>, read: typeof fromParquet) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, read(row[c.name], c.type)]));
      expect(canon(back.map((row) => norm(row, fromParquet)))).toEqual(canon(expected.map((row) => norm(row, fromDuck))));
    }
  });

  it('refuses before any request: a malformed URL, a missing bucket, read-only or no credentials (exit 2, one line, no secret)', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['s3:/mbuzz-test/x.csv', {}, /^mbuzz: s3:\/mbuzz-test\/x\.csv is not an s3:\/\/ URL/],
      ['s3://Bad_Bucket/x.csv', {}, /is not a valid bucket name/],
      ['s3://mbuzz-test/', {}, /names a bucket or a prefix, not an object/],
      ['s3://no-such-bucket/x.csv', {}, /^mbuzz: cannot write s3:\/\/no-such-bucket\/x\.csv: the bucket does not exist \(NoSuchBucket\)$/],
      ['s3://mbuzz-test/ro.csv', { AWS_ACCESS_KEY_ID: READ_ONLY.accessKeyId, AWS_SECRET_ACCESS_KEY: READ_ONLY.secretAccessKey }, /^mbuzz: cannot write s3:\/\/mbuzz-test\/ro\.csv: permission denied \(AccessDenied\)/],
      ['s3://mbuzz-test/bad.csv', { AWS_SECRET_ACCESS_KEY: 'wrong-secret-0123456789abcdef' }, /^mbuzz: cannot write s3:\/\/mbuzz-test\/bad\.csv: the AWS credentials were refused \(SignatureDoesNotMatch\)$/],
      ['s3://mbuzz-test/none.csv', { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }, /^mbuzz: cannot write s3:\/\/mbuzz-test\/none\.csv: no AWS credentials found/],
    ];
    const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
    const before = await requests();
    for (const [url, extra, message] of cases) {
      const r = await exportTo(url, extra);
      expect([url, r.code]).toEqual([url, 2]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr).not.toContain(READ_ONLY.secretAccessKey);
      expect(r.stderr).not.toContain('wrong-secret');
    }
    // none of them reached the API: the S3 check comes before the first request
    expect(await requests()).toBe(before);
    expect(await s3.keys('ro')).toEqual([]);
    expect(await s3.uploads()).toEqual([]);
  });

  it('a run that fails leaves no object (and an older one as it was)', async () => {
    const key = 'exports/fail.ndjson';
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await s3.reader.send(new PutObjectCommand({ Bucket: 'mbuzz-test', Key: key, Body: '{"older":true}\n' }));
    // nothing listens on port 9 of 127.0.0.1: the API is unreachable, exit 5 without retrying
    const broken = await runCli(['export', 'conversions', '--from', FROM, '--to', TO, '--retries', '0', '-o', `s3://mbuzz-test/${key}`], { env: { ...env(), MBUZZ_BASE_URL: 'http://127.0.0.1:9/' } });
    expect(broken.code).toBe(5);
    expectOwnStderr(broken.stderr);
    expect((await s3.get(key))?.toString()).toBe('{"older":true}\n');
    const fresh = await runCli(['export', 'conversions', '--from', FROM, '--to', TO, '--retries', '0', '-o', 's3://mbuzz-test/exports/never.ndjson'], { env: { ...env(), MBUZZ_BASE_URL: 'http://127.0.0.1:9/' } });
    expect(fresh.code).toBe(5);
    expect(await s3.get('exports/never.ndjson')).toBeUndefined();
    expect(await s3.uploads()).toEqual([]);
  });

  it('says what S3 cannot do rather than writing a local path named s3:', async () => {
    const all = await runCli(['export', 'all', '--from', FROM, '--to', TO, '-o', 's3://mbuzz-test/all'], { env: env() });
    expect([all.code, all.stderr.trim()]).toEqual([2, 'mbuzz: `mbuzz export all -o s3://` writes partitions: add --partition-by date (one prefix per dataset)']);
    const resume = await exportTo('s3://mbuzz-test/r.csv', {}, ['--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('an s3:// upload cannot be continued');
  });
});
