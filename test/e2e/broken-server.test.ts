import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKEN_MODES } from '../../src/sandbox/broken.js';
import { BodyTooLargeError, undiciTransport } from '../../src/http/transport.js';
import { LIVE_KEY, runCli, startSandbox, tempDir, TEST_KEY } from './harness.js';

// Issue 6.2: servers that are broken for good. Each mode of `mbuzz sandbox --broken` gets the
// real CLI over a real socket; the export must end with the documented exit code (design §1:
// 4 rejected, 5 server/network after retries, 6 integrity), one line naming what went wrong,
// the key nowhere in it, and the target as it was before: an older file untouched, no temp file.

const URL_RE = String.raw`http://127\.0\.0\.1:\d+/api/v1/data/conversions\?start_date=2026-03-01&end_date=2026-03-01&page=1&per_page=\d+`;
const GAVE_UP = (n: number) => String.raw` \(gave up after ${n} attempts: GET ${URL_RE}\)`;
const deadline = (got: string) =>
  new RegExp(String.raw`^mbuzz: timed out: the whole response did not arrive within 1s \(--timeout\), the deadline for headers and body; ${got}${GAVE_UP(2)}$`);

interface ModeCase {
  mode: (typeof BROKEN_MODES)[number];
  /** Extra export flags. */
  args?: string[];
  env?: Record<string, string>;
  dataset?: 'conversions' | 'funnel';
  format: 'ndjson' | 'csv' | 'parquet';
  code: 4 | 5 | 6;
  stderr: RegExp;
  /** Requests the sandbox must have seen: retried (2 with --retries 1) or not (1). */
  requests?: number;
}

const CASES: ModeCase[] = [
  { mode: 'html-500', format: 'csv', code: 5, requests: 2, stderr: new RegExp(String.raw`^mbuzz: server error 500 \(an HTML page "500 Internal Server Error", not the API's JSON\)${GAVE_UP(2)}$`) },
  { mode: 'html-200', format: 'parquet', code: 5, requests: 2, stderr: new RegExp(String.raw`^mbuzz: an HTML page instead of JSON in a 200 response \(text/html; charset=utf-8, \d+ bytes\)${GAVE_UP(2)}$`) },
  { mode: 'missing-meta', format: 'ndjson', code: 5, requests: 2, stderr: new RegExp(String.raw`^mbuzz: unexpected response: no "meta" object in the body${GAVE_UP(2)}$`) },
  { mode: 'missing-data', format: 'csv', code: 5, requests: 2, stderr: new RegExp(String.raw`^mbuzz: unexpected response: no "data" array in the body${GAVE_UP(2)}$`) },
  { mode: 'count-more', format: 'parquet', code: 6, requests: 1, stderr: /^mbuzz: conversions 2026-03-01: the API said 656 rows and sent 596$/ },
  { mode: 'count-fewer', format: 'ndjson', code: 6, requests: 1, stderr: /^mbuzz: conversions 2026-03-01: the API said 536 rows and sent 596$/ },
  // Several pages: the count is checked page by page, not only at the end.
  {
    mode: 'count-more',
    dataset: 'funnel',
    args: ['--per-page', '200'],
    format: 'csv',
    code: 6,
    stderr: /^mbuzz: probe page 1×303 of funnel 2026-03-01: expected 303 rows, got 275 \(the data changed during the export, or the server miscounts\)$/,
  },
  // Issue 9.12: valid JSON too deep for anything that walks it; it was "Maximum call stack size exceeded (a bug)".
  {
    mode: 'deep-json',
    format: 'ndjson',
    code: 6,
    requests: 1,
    stderr: new RegExp(String.raw`^mbuzz: the response nests deeper than 512 levels, more than any real answer; refused \(200, \d+ bytes, GET ${URL_RE}\)$`),
  },
  { mode: 'pages-lie', format: 'csv', code: 6, requests: 1, stderr: /^mbuzz: conversions 2026-03-01: the API's meta contradicts itself: total_pages 2, but total_count 596 at per_page 1000 is 1 page$/ },
  { mode: 'oversize-page', format: 'ndjson', code: 6, requests: 1, stderr: /^mbuzz: conversions 2026-03-01: page 1 has 1001 rows, more than per_page 1000$/ },
  // Counts agree, the rows do not: the pipeline checks each row's date against its window.
  { mode: 'row-outside-window', format: 'csv', code: 6, requests: 1, stderr: /^mbuzz: conversions: a row's date is "2026-02-28", outside the window 2026-03-01\.\.2026-03-01 it was read for$/ },
  { mode: 'row-bad-date', format: 'parquet', code: 6, requests: 1, stderr: /^mbuzz: conversions: a row's date is "2026-13-45", not a calendar date \(YYYY-MM-DD\), in the window 2026-03-01\.\.2026-03-01 it was read for$/ },
  {
    mode: 'redirect-offhost',
    format: 'parquet',
    code: 4,
    requests: 1, // neither retried nor followed
    stderr: new RegExp(
      String.raw`^mbuzz: the server redirected \(302\) to http://mbuzz\.invalid/api/v1/data/conversions\?start_date=2026-03-01&end_date=2026-03-01&page=1&per_page=1000; not followed: that is another host, and the credentials stay with the one you named \(if it is the right API host, use it as --base-url\)$`,
    ),
  },
  { mode: 'huge-body', env: { MBUZZ_MAX_BODY_MB: '1' }, format: 'ndjson', code: 5, requests: 1, stderr: new RegExp(String.raw`^mbuzz: response body larger than the 1 MB cap \(MBUZZ_MAX_BODY_MB raises it\) from ${URL_RE}$`) },
  { mode: 'gzip-bomb', env: { MBUZZ_MAX_BODY_MB: '1' }, format: 'csv', code: 5, requests: 1, stderr: new RegExp(String.raw`^mbuzz: response body larger than the 1 MB cap \(MBUZZ_MAX_BODY_MB raises it\) from ${URL_RE}$`) },
  // --timeout is a deadline for the whole response (issue 9.9): a stall, a trickle and an endless
  // body all end the attempt after 1 s, whatever arrived; an idle timeout never fires on the last two.
  { mode: 'stall', args: ['--timeout', '1'], format: 'parquet', code: 5, requests: 2, stderr: deadline(String.raw`the headers and [\d,]+ bytes of the body had arrived`) },
  { mode: 'stall-headers', args: ['--timeout', '1'], format: 'ndjson', code: 5, requests: 2, stderr: deadline('not even the headers had arrived') },
  { mode: 'trickle', args: ['--timeout', '1'], format: 'csv', code: 5, requests: 2, stderr: deadline(String.raw`the headers and [1-9] bytes of the body had arrived`) },
  { mode: 'endless', args: ['--timeout', '1'], format: 'ndjson', code: 5, requests: 2, stderr: deadline(String.raw`the headers and [\d,]+ bytes of the body had arrived`) },
  { mode: 'huge-numbers', format: 'parquet', code: 6, requests: 1, stderr: /^mbuzz: parquet: column "credit" \(double\) needs a number that a DOUBLE holds exactly, got 1e400 in row 1$/ },
];

const root = tempDir('mbuzz-broken-');
afterAll(() => root.cleanup());

/** A target that already holds yesterday's export: a failed run must leave it exactly so. */
function preparedTarget(name: string, format: string): { dir: string; out: string } {
  const dir = join(root.path, name);
  mkdirSync(dir);
  const out = join(dir, `conversions.${format}`);
  writeFileSync(out, 'yesterday\n');
  return { dir, out };
}

function expectUntouched(expect: ExpectStatic, dir: string, out: string): void {
  expect(readdirSync(dir), 'no temp file left beside the target').toEqual([out.slice(dir.length + 1)]);
  expect(readFileSync(out, 'utf8'), 'the older file is untouched').toBe('yesterday\n');
}

function expectOneLine(expect: ExpectStatic, stderr: string, re: RegExp, key: string): void {
  expect(stderr.endsWith('\n') && stderr.split('\n').length === 2, `one line on stderr, got: ${stderr}`).toBe(true);
  expect(stderr.trimEnd()).toMatch(re);
  expect(stderr).not.toContain(key);
}

describe('mbuzz sandbox --broken <mode>: the export fails with the documented code and one line', () => {
  it('covers every mode', () => {
    // big-numbers is a server an export must succeed against: test/e2e/exact-numbers.test.ts;
    // bad-times breaks Atribu's and AttributionHub's times: test/e2e/timestamps.test.ts.
    expect(new Set(CASES.map((c) => c.mode))).toEqual(new Set(BROKEN_MODES.filter((m) => m !== 'big-numbers' && m !== 'bad-times')));
  });

  it.concurrent.for(CASES.map((c, i) => [`${c.mode}${c.dataset ? ` (${c.dataset}, ${c.args?.join(' ')})` : ''} -> exit ${c.code}, ${c.format}`, i] as const))(
    '%s',
    async ([, i], { expect }) => {
      const k = CASES[i]!;
      const sb = await startSandbox(['--broken', k.mode]);
      try {
        const { dir, out } = preparedTarget(`case-${i}`, k.format);
        const dataset = k.dataset ?? 'conversions';
        const r = await runCli(['export', dataset, '--from', '2026-03-01', '--to', '2026-03-01', '--retries', '1', '-o', out.replace('conversions.', `${dataset}.`), ...(k.args ?? [])], {
          env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, ...k.env },
        });
        expectOneLine(expect, r.stderr, k.stderr, TEST_KEY);
        expect(r.code).toBe(k.code);
        if (dataset === 'conversions') expectUntouched(expect, dir, out);
        else expect(readdirSync(dir)).toEqual(['conversions.' + k.format]);
        if (k.requests !== undefined) {
          const stats = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number };
          expect(stats.requests, 'requests the sandbox saw').toBe(k.requests);
        }
      } finally {
        await sb.stop();
      }
    },
  );
});

describe('the body cap holds for compressed bodies too', () => {
  /** The process's peak resident memory so far (Linux), in bytes. */
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;

  it('a 1 MB gzip body that inflates to 1 GB is stopped at the cap, not inflated whole', async () => {
    const sb = await startSandbox(['--broken', 'gzip-bomb']);
    const transport = undiciTransport({ maxBodyBytes: 1024 * 1024 });
    try {
      const before = peakRss();
      const err = await transport({ method: 'GET', url: `${sb.url}/api/v1/data/conversions`, headers: { authorization: `Bearer ${TEST_KEY}` } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BodyTooLargeError);
      expect(peakRss() - before).toBeLessThan(200 * 1024 * 1024);
    } finally {
      await transport.close?.();
      await sb.stop();
    }
  });
});

describe('redirects never carry the key to another host', () => {
  it('a 302 to another origin is not followed: that origin sees nothing, the export exits 4', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const other = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    const redirecting = http.createServer((req, res) => {
      res.writeHead(307, { location: `${otherUrl}${req.url}` });
      res.end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    try {
      const { dir, out } = preparedTarget('redirect-local', 'csv');
      const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out], {
        env: { MBUZZ_BASE_URL: `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`, MBUZZ_API_KEY: LIVE_KEY },
      });
      expect(r.code).toBe(4);
      expectOneLine(expect, r.stderr, new RegExp(`^mbuzz: the server redirected \\(307\\) to ${otherUrl.replaceAll('.', '\\.')}/api/v1/data/conversions\\?.*; not followed: that is another host`), LIVE_KEY);
      expect(seen).toEqual([]);
      expectUntouched(expect, dir, out);
    } finally {
      other.close();
      redirecting.close();
    }
  });
});

describe('TLS failures are named as such', () => {
  const certs = join(root.path, 'tls');
  let openssl = true;
  let server: https.Server;
  let hits = 0;
  beforeAll(async () => {
    mkdirSync(certs);
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        { stdio: 'ignore' },
      );
    } catch {
      openssl = false;
      return;
    }
    server = https.createServer({ key: readFileSync(join(certs, 'key.pem')), cert: readFileSync(join(certs, 'cert.pem')) }, (_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => server?.close());

  it('a self-signed certificate: exit 5 at once (not retried), no request reaches the handler', async ({ skip }) => {
    if (!openssl) skip('openssl is not installed');
    const { dir, out } = preparedTarget('tls-self-signed', 'ndjson');
    const port = (server.address() as { port: number }).port;
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out, '--base-url', `https://127.0.0.1:${port}`], { env: { MBUZZ_API_KEY: LIVE_KEY } });
    expect(r.code).toBe(5);
    expectOneLine(expect, r.stderr, new RegExp(String.raw`^mbuzz: TLS failure: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\) \(GET https://127\.0\.0\.1:${port}/api/v1/data/conversions\?.*\)$`), LIVE_KEY);
    expect(hits).toBe(0);
    expectUntouched(expect, dir, out);
  });

  it('https:// to a port that speaks plain http: exit 5, named as TLS', async () => {
    const sb = await startSandbox();
    try {
      const https_ = sb.url.replace('http:', 'https:');
      const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '--retries', '1', '--base-url', https_], { env: { MBUZZ_API_KEY: TEST_KEY } });
      expect(r.code).toBe(5);
      expectOneLine(expect, r.stderr, /^mbuzz: TLS failure: the server does not speak TLS there \(a plain http:\/\/ port\?\) \(ERR_SSL_WRONG_VERSION_NUMBER\) \(GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/data\/conversions\?.*\)$/, TEST_KEY);
    } finally {
      await sb.stop();
    }
  });
});
