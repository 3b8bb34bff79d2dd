import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truthRows } from '../../src/sandbox/truth.js';
import { canon, NOW, parseNdjson, runCli, tempDir, TEST_KEY, useSandbox } from './harness.js';
import { forwardProxy, selfSignedCert, tlsFront, type TinyServer } from './tiny-servers.js';

// Issue 13.1: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and lower-case forms), read the way curl reads
// them. A real forward proxy on 127.0.0.1 records every request and tunnel that goes through it;
// rows are checked against the sandbox's own generator.

const DAY = ['--from', '2026-03-01', '--to', '2026-03-01'];
const PROXY_PASSWORD = 'pr0xy-s3cret-Passw0rd';
const PROXY_BASIC = Buffer.from(`proxyuser:${PROXY_PASSWORD}`).toString('base64');
const expected = () => canon(truthRows('spend', { seed: 1, scale: 1, environment: 'test', from: '2026-03-01', to: '2026-03-01', now: NOW, dataStart: '2025-01-01' }));

function requestsIn(stderr: string): number {
  return Number(/\((\d+) windows?, (\d+) requests/.exec(stderr)?.[2]);
}

describe('proxies from the environment', () => {
  const { sb } = useSandbox();
  let open: Awaited<ReturnType<typeof forwardProxy>>;
  let guarded: Awaited<ReturnType<typeof forwardProxy>>;
  beforeAll(async () => {
    open = await forwardProxy();
    guarded = await forwardProxy({ user: 'proxyuser', password: PROXY_PASSWORD });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });
  const fresh = (p: typeof open) => {
    p.log.requests.length = 0;
    p.log.connects.length = 0;
    p.log.proxyAuth.length = 0;
    p.log.authorization.length = 0;
  };

  it('HTTP_PROXY: every request of an http:// export goes through the proxy in absolute form, rows exact', async () => {
    fresh(open);
    const r = await runCli(['export', 'spend', ...DAY], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, HTTP_PROXY: open.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(canon(parseNdjson(r.stdout))).toEqual(expected());
    expect(open.log.requests.length).toBeGreaterThan(0);
    expect(open.log.requests.length).toBe(requestsIn(r.stderr));
    for (const target of open.log.requests) expect(target.startsWith(`${sb.url}/api/v1/data/spend?`), target).toBe(true);
  });

  it('http_proxy (lower case) wins over HTTP_PROXY; its credentials are sent as Proxy-Authorization and masked in --verbose', async () => {
    fresh(guarded);
    fresh(open);
    const proxyUrl = guarded.url.replace('http://', `http://proxyuser:${PROXY_PASSWORD}@`);
    const r = await runCli(['export', 'spend', ...DAY, '--verbose'], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, http_proxy: proxyUrl, HTTP_PROXY: open.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(canon(parseNdjson(r.stdout))).toEqual(expected());
    expect(open.log.requests).toEqual([]);
    expect(guarded.log.requests.length).toBe(requestsIn(r.stderr));
    expect(new Set(guarded.log.proxyAuth)).toEqual(new Set([`Basic ${PROXY_BASIC}`]));
    expect(r.stderr).toContain(` via ${guarded.url.replace('http://', 'http://proxyuser:****@')}`);
    expect(r.stderr).not.toContain(PROXY_PASSWORD);
    expect(r.stderr).not.toContain(PROXY_BASIC);
  });

  it('a proxy that refuses the credentials: exit 3, one line naming the proxy, the password masked', async () => {
    fresh(guarded);
    const wrong = 'wr0ng-Passw0rd-123';
    const r = await runCli(['export', 'spend', ...DAY, '--verbose'], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, HTTP_PROXY: guarded.url.replace('http://', `http://proxyuser:${wrong}@`) },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^mbuzz: the proxy asks for credentials \(407 Proxy Authentication Required\): put user:password in the proxy URL \(through the proxy http:\/\/proxyuser:\*\*\*\*@127\.0\.0\.1:\d+ from HTTP_PROXY\)$/,
    );
    expect(r.stderr).not.toContain(wrong);
    expect(r.stderr).not.toContain(Buffer.from(`proxyuser:${wrong}`).toString('base64'));
  });

  it('an unreachable proxy: exit 5, the message names it (password masked)', async () => {
    const r = await runCli(['export', 'spend', ...DAY, '--retries', '0'], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, HTTP_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:1` },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^mbuzz: connect ECONNREFUSED 127\.0\.0\.1:1 \(ECONNREFUSED\) \(through the proxy http:\/\/proxyuser:\*\*\*\*@127\.0\.0\.1:1 from HTTP_PROXY\)/);
    expect(r.stderr).not.toContain(PROXY_PASSWORD);
  });

  // Each NO_PROXY form that names the sandbox sends the export direct; one that names another port does not.
  const bypass = (port: string) => ['127.0.0.1', `127.0.0.1:${port}`, '*', '127.0.0.0/8', 'example.invalid, 127.0.0.1'];
  it.each([0, 1, 2, 3, 4])('NO_PROXY form %i reaches the sandbox directly: the proxy sees nothing', async (i) => {
    fresh(open);
    const noProxy = bypass(new URL(sb.url).port)[i]!;
    const r = await runCli(['export', 'spend', ...DAY], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, HTTP_PROXY: open.url, [i % 2 ? 'no_proxy' : 'NO_PROXY']: noProxy } });
    expect(r.code, r.stderr).toBe(0);
    expect(canon(parseNdjson(r.stdout))).toEqual(expected());
    expect(open.log.requests, `NO_PROXY=${noProxy}`).toEqual([]);
  });

  it('NO_PROXY for another port of the same host does not bypass', async () => {
    fresh(open);
    const r = await runCli(['export', 'spend', ...DAY], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, HTTP_PROXY: open.url, NO_PROXY: '127.0.0.1:1,localhost' } });
    expect(r.code, r.stderr).toBe(0);
    expect(open.log.requests.length).toBe(requestsIn(r.stderr));
  });

  it.each([
    ['HTTPS_PROXY', 'http://[not-a-host', /^mbuzz: HTTPS_PROXY is not a proxy URL: "http:\/\/\[not-a-host" \(expected e\.g\. http:\/\/proxy\.example\.com:3128\)$/],
    ['https_proxy', 'socks5://127.0.0.1:1080', /^mbuzz: https_proxy: mbuzz speaks to http:\/\/ and https:\/\/ proxies, not socks5:\/\/$/],
  ])('%s=%s is a usage error (exit 2) and nothing is sent', async (name, value, line) => {
    fresh(open);
    const r = await runCli(['export', 'spend', ...DAY, '--base-url', 'https://127.0.0.1:1'], { env: { MBUZZ_API_KEY: TEST_KEY, [name]: value } });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(line);
  });
});

const certDir = tempDir('mbuzz-proxy-tls-');
afterAll(() => certDir.cleanup());
const tls = selfSignedCert(certDir.path);

describe.skipIf(!tls)('https:// through HTTPS_PROXY: a CONNECT tunnel, so the proxy never reads the key (needs openssl for a certificate)', () => {
  const { sb } = useSandbox();
  let front: TinyServer & { seen: string[] };
  let proxy: Awaited<ReturnType<typeof forwardProxy>>;
  beforeAll(async () => {
    front = await tlsFront(sb.url, tls!);
    proxy = await forwardProxy({ user: 'proxyuser', password: PROXY_PASSWORD });
  });
  afterAll(async () => {
    await front?.close();
    await proxy?.close();
  });

  it('the export tunnels through CONNECT, rows exact; the proxy saw no Authorization header', async () => {
    const r = await runCli(['export', 'spend', ...DAY, '--verbose'], {
      env: {
        MBUZZ_BASE_URL: front.url,
        MBUZZ_API_KEY: TEST_KEY,
        HTTPS_PROXY: proxy.url.replace('http://', `http://proxyuser:${PROXY_PASSWORD}@`),
        // An http_proxy alone is not used for https:// targets (curl's rule); this one would fail.
        http_proxy: 'http://127.0.0.1:1',
        NODE_EXTRA_CA_CERTS: tls!.certFile,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(canon(parseNdjson(r.stdout))).toEqual(expected());
    expect(proxy.log.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.log.connects)).toEqual(new Set([`127.0.0.1:${front.port}`]));
    expect(proxy.log.requests).toEqual([]);
    expect(proxy.log.authorization).toEqual([]);
    expect(front.seen.length).toBe(requestsIn(r.stderr));
    expect(r.stderr).not.toContain(PROXY_PASSWORD);
  });

  it('a CONNECT the proxy refuses for its credentials: exit 3, not retried, the password masked', async () => {
    proxy.log.connects.length = 0;
    const wrong = 'wr0ng-Passw0rd-456';
    const r = await runCli(['export', 'spend', ...DAY], {
      env: { MBUZZ_BASE_URL: front.url, MBUZZ_API_KEY: TEST_KEY, HTTPS_PROXY: proxy.url.replace('http://', `http://proxyuser:${wrong}@`), NODE_EXTRA_CA_CERTS: tls!.certFile },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /^mbuzz: the proxy asks for credentials \(407 Proxy Authentication Required\): put user:password in the proxy URL \(through the proxy http:\/\/proxyuser:\*\*\*\*@127\.0\.0\.1:\d+ from HTTPS_PROXY\)\n$/,
    );
    expect(proxy.log.connects).toHaveLength(1);
  });

  it('NO_PROXY bypasses the tunnel for https:// too', async () => {
    proxy.log.connects.length = 0;
    front.seen.length = 0;
    const r = await runCli(['export', 'spend', ...DAY], {
      env: { MBUZZ_BASE_URL: front.url, MBUZZ_API_KEY: TEST_KEY, HTTPS_PROXY: proxy.url, NO_PROXY: '.invalid,127.0.0.1', NODE_EXTRA_CA_CERTS: tls!.certFile },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(canon(parseNdjson(r.stdout))).toEqual(expected());
    expect(proxy.log.connects).toEqual([]);
    expect(front.seen.length).toBe(requestsIn(r.stderr));
  });
});
