import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_KEY, runCli, tempDir, useSandbox } from './harness.js';
import { listen, type TinyServer } from './tiny-servers.js';

// Issue 9.13: a server that echoes what it was sent (the Authorization header, Basic credentials,
// the request body) into its error bodies, with terminal escapes mixed in. Whatever it echoes,
// stderr holds no key, no password, no ESC or BEL; URL passwords are masked in --verbose, in
// errors and in the manifest.

const ESC = '\u001b';
const BEL = '\u0007';
const SA_USER = 'mbuzz-export.1a2b3c.mp-service-account';
const SA_SECRET = 'Sa-S3cret-0123456789abcdefABCDEF';
const SA_BASIC = Buffer.from(`${SA_USER}:${SA_SECRET}`).toString('base64');
const SEAL_PASSWORD = 'Seal-Passw0rd-9876543210';
const URL_PASSWORD = 'url-Passw0rd-13579';

/** The echoed text, with a title-setting escape and a bell around it (a hostile terminal payload). */
const hostile = (what: string) => `${ESC}]0;pwned${BEL}${ESC}[2J you sent ${what} ${ESC}[31mred${ESC}[0m${BEL}`;

/** `/s<status>/...` answers that status; the body quotes the request's Authorization header and body, in several shapes. */
function echoServer(): http.Server {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url?.startsWith('/jsonl/')) {
        // A 200 whose first JSONL line is the Authorization header: the exporter quotes bad lines.
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`${req.headers.authorization}${ESC}[2J\n{"event":"x","properties":{"time":1772323200}}\n`);
      }
      const status = Number(/^\/s(\d{3})\//.exec(req.url ?? '')?.[1] ?? 400);
      const echoed = hostile(`${req.headers.authorization ?? ''} ${body}`);
      const shapes: Record<number, unknown> = {
        400: { error: echoed },
        401: { error: { message: echoed } },
        403: { message: echoed },
        404: { error: echoed, path: req.url },
        422: { errors: [echoed], error: echoed },
        501: { error: echoed },
      };
      if (status === 500) {
        // No JSON: a proxy-style HTML page whose title is what was sent.
        res.writeHead(500, { 'content-type': 'text/html' });
        return res.end(`<html><head><title>${ESC}]0;x${BEL}${req.headers.authorization ?? ''}</title></head></html>`);
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(shapes[status] ?? { error: echoed }));
    });
  });
}

const CODES: Record<number, number> = { 400: 4, 401: 3, 403: 3, 404: 4, 422: 4, 501: 5, 500: 5 };
const STATUSES = [400, 401, 403, 404, 422, 501, 500];
const DAY = ['--from', '2026-03-01', '--to', '2026-03-01', '--retries', '0'];

function expectClean(stderr: string, secrets: string[]): void {
  for (const s of secrets) expect(stderr, `stderr holds ${s}`).not.toContain(s);
  expect(stderr.includes(ESC), 'an ESC byte reached stderr').toBe(false);
  expect(stderr.includes(BEL), 'a BEL byte reached stderr').toBe(false);
}

describe('a server that echoes credentials into its errors', () => {
  let echo: TinyServer;
  const dir = tempDir('mbuzz-echo-');
  beforeAll(async () => {
    echo = await listen(echoServer());
  });
  afterAll(async () => {
    await echo.close();
    dir.cleanup();
  });

  it.each(STATUSES)('mbuzz, Bearer key echoed in a %i: documented exit, the key masked, no controls', async (status) => {
    const r = await runCli(['export', 'conversions', ...DAY, '--verbose'], { env: { MBUZZ_BASE_URL: `${echo.url}/s${status}`, MBUZZ_API_KEY: LIVE_KEY } });
    expect(r.code, r.stderr).toBe(CODES[status]);
    expectClean(r.stderr, [LIVE_KEY]);
    // The echo was quoted, masked: this is what shows the test reads the server's words at all.
    expect(r.stderr).toContain('Bearer sk_live_…3210');
  });

  it.each(STATUSES)('mixpanel:export, a Basic service account echoed in a %i: neither the secret nor its base64 shows', async (status) => {
    const r = await runCli(['export', 'mixpanel:export', ...DAY, '--verbose'], {
      env: {
        MIXPANEL_BASE_URL: `${echo.url}/s${status}`,
        MIXPANEL_SERVICE_ACCOUNT_USERNAME: SA_USER,
        MIXPANEL_SERVICE_ACCOUNT_SECRET: SA_SECRET,
        MIXPANEL_PROJECT_ID: '123456',
      },
    });
    expect(r.code, r.stderr).toBe(CODES[status]);
    expectClean(r.stderr, [SA_SECRET, SA_BASIC]);
    // (A 500's HTML title is quoted only up to 80 characters: Basic and 88 of base64 are longer, so not shown.)
    if (status !== 500) expect(r.stderr).toContain('Basic …');
  });

  it('mixpanel:export, the Basic header as a bad JSONL line in a 200: exit 6, not even part of the secret shows', async () => {
    const r = await runCli(['export', 'mixpanel:export', ...DAY], {
      env: { MIXPANEL_BASE_URL: `${echo.url}/jsonl`, MIXPANEL_SERVICE_ACCOUNT_USERNAME: SA_USER, MIXPANEL_SERVICE_ACCOUNT_SECRET: SA_SECRET, MIXPANEL_PROJECT_ID: '123456' },
    });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/is not JSON: Basic …/);
    // The first 52 characters of the base64 encode the user and the colon; the next ones, the secret.
    expectClean(r.stderr, [SA_SECRET, SA_BASIC.slice(0, 56)]);
  });

  it.each([401, 422])('sealmetrics, the login body (with the password) echoed in a %i: the password never shows', async (status) => {
    const r = await runCli(['export', 'sealmetrics:microconversions', ...DAY, '--verbose'], {
      env: { SEALMETRICS_BASE_URL: `${echo.url}/s${status}`, SEALMETRICS_EMAIL: 'analyst@example.com', SEALMETRICS_PASSWORD: SEAL_PASSWORD, SEALMETRICS_ACCOUNT_ID: 'acc1' },
    });
    expect(r.code, r.stderr).toBe(CODES[status]);
    expectClean(r.stderr, [SEAL_PASSWORD, encodeURIComponent(SEAL_PASSWORD)]);
    expect(r.stderr).toContain('analyst@example.com');
  });

  it('a base URL with a password: masked in the error line', async () => {
    const base = echo.url.replace('http://', `http://alice:${URL_PASSWORD}@`);
    const r = await runCli(['export', 'conversions', ...DAY, '--base-url', `${base}/s501`], { env: { MBUZZ_API_KEY: LIVE_KEY } });
    expect(r.code).toBe(5);
    expectClean(r.stderr, [URL_PASSWORD, LIVE_KEY]);
    expect(r.stderr).toMatch(/\(GET http:\/\/alice:\*\*\*\*@127\.0\.0\.1:\d+\/s501\/api\/v1\/data\/conversions\?/);
  });
});

describe('server text printed outside the HTTP client (a progress note) is masked by the stderr mask', () => {
  const TOKEN = 'seal-token-0123456789abcdefABCDEF';
  let seal: TinyServer;
  beforeAll(async () => {
    // Logs in, then names the only account after what it was sent: the password and the bearer token.
    let password = '';
    seal = await listen(
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          if (req.url === '/api/auth/login') {
            password = (JSON.parse(body) as { password: string }).password;
            return res.end(JSON.stringify({ access_token: TOKEN, expires_at: '2099-01-01 00:00:00' }));
          }
          if (req.url === '/api/auth/accounts') return res.end(JSON.stringify({ status: 'ok', data: { acc1: hostile(`${password} ${req.headers.authorization}`) } }));
          res.statusCode = 401;
          res.end(JSON.stringify({ message: 'no' }));
        });
      }),
    );
  });
  afterAll(() => seal.close());

  it('the account name quoting the password and the token: neither shows, nor any control', async () => {
    const r = await runCli(['export', 'sealmetrics:microconversions', ...DAY], {
      env: { SEALMETRICS_BASE_URL: seal.url, SEALMETRICS_EMAIL: 'analyst@example.com', SEALMETRICS_PASSWORD: SEAL_PASSWORD },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^mbuzz: no SEALMETRICS_ACCOUNT_ID: using analyst@example\.com's only account, acc1 \(.*you sent …3210 Bearer …CDEF/m);
    expectClean(r.stderr, [SEAL_PASSWORD, TOKEN]);
  });
});

describe('a base URL with a password, on a run that succeeds', () => {
  const { sb, dir } = useSandbox();

  it('is masked in every --verbose line, the summary and the manifest', async () => {
    const base = sb.url.replace('http://', `http://alice:${URL_PASSWORD}@`);
    const out = join(dir.path, 'spend.ndjson');
    const r = await runCli(['export', 'spend', '--from', '2026-03-01', '--to', '2026-03-02', '--verbose', '--base-url', base, '-o', out, '--manifest'], { env: { MBUZZ_API_KEY: LIVE_KEY } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mbuzz: GET http:\/\/alice:\*\*\*\*@127\.0\.0\.1:\d+\/api\/v1\/data\/spend\?.* 200 /m);
    expectClean(r.stderr, [URL_PASSWORD, LIVE_KEY]);
    const manifest = readFileSync(`${out}.manifest.json`, 'utf8');
    expect(JSON.parse(manifest).args).toContain(`http://alice:****@127.0.0.1:${new URL(sb.url).port}`);
    for (const f of readdirSync(dir.path)) expect(readFileSync(join(dir.path, f), 'utf8'), f).not.toContain(URL_PASSWORD);
  });

  it('`mbuzz profiles` shows a profile\'s base_url with its password masked', async () => {
    const cwd = join(dir.path, 'profiles');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.mbuzzrc.yaml'), `profiles:\n  gw:\n    base_url: http://alice:${URL_PASSWORD}@gateway.example.com\n`, { mode: 0o600 });
    const r = await runCli(['profiles'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString()).toContain('base_url=http://alice:****@gateway.example.com');
    expect(r.stdout.toString() + r.stderr).not.toContain(URL_PASSWORD);
  });
});
