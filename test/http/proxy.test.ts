import { describe, expect, it } from 'vitest';
import { parseNoProxy, proxyFor, proxyFromEnv } from '../../src/http/proxy.js';
import { UsageError } from '../../src/core/errors.js';
import { maskText } from '../../src/core/secrets.js';

// NO_PROXY patterns and variable precedence, as curl documents them (CURLOPT_NOPROXY, curl(1)
// ENVIRONMENT): hand-written cases, not derived from the code.

describe('NO_PROXY', () => {
  const cases: [string, string, number, boolean][] = [
    // pattern, host, port, bypass?
    ['example.com', 'example.com', 443, true],
    ['example.com', 'api.example.com', 443, true], // a name covers its subdomains
    ['example.com', 'notexample.com', 443, false],
    ['example.com', 'example.com.evil.net', 443, false],
    ['.example.com', 'example.com', 443, true], // curl: the leading dot means the same
    ['.example.com', 'a.b.example.com', 80, true],
    ['*.example.com', 'api.example.com', 443, true],
    ['EXAMPLE.com', 'Example.COM', 443, true], // case does not matter
    ['example.com.', 'example.com', 443, true], // nor a trailing dot
    ['*', 'anything.at.all', 8080, true],
    ['', 'example.com', 443, false],
    ['example.com:8443', 'example.com', 8443, true],
    ['example.com:8443', 'example.com', 443, false], // another port is proxied
    ['127.0.0.1', '127.0.0.1', 80, true],
    ['127.0.0.1', '127.0.0.10', 80, false],
    ['127.0.0.1:8080', '127.0.0.1', 8080, true],
    ['127.0.0.1:8080', '127.0.0.1', 8081, false],
    ['10.0.0.0/8', '10.20.30.40', 443, true],
    ['10.0.0.0/8', '11.0.0.1', 443, false],
    ['192.168.1.0/24', '192.168.1.255', 443, true],
    ['192.168.1.0/24', '192.168.2.1', 443, false],
    ['::1', '[::1]', 443, true], // IPv6 without brackets in the list, bracketed in URLs
    ['[::1]:8080', '[::1]', 8080, true],
    ['fd00::/8', '[fd12::1]', 443, true],
    ['1.2.3.4', 'x1.2.3.4', 443, false], // an IP is never a domain suffix
    ['localhost, .internal ,10.0.0.0/8', 'db.internal', 443, true], // commas and spaces
    ['localhost .internal', 'svc.internal', 443, true],
    ['localhost', '127.0.0.1', 80, false], // names are not resolved, as with curl
  ];
  it.each(cases)('NO_PROXY=%j, host %s:%i -> direct %s', (pattern, host, port, direct) => {
    expect(parseNoProxy(pattern)(host, port)).toBe(direct);
  });
});

describe('proxyFromEnv / proxyFor', () => {
  const at = (url: string, vars: Record<string, string>) => proxyFor(new URL(url), proxyFromEnv(vars))?.url.href;

  it('https targets use https_proxy, then HTTPS_PROXY; http targets http_proxy, then HTTP_PROXY', () => {
    expect(at('https://api.test/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })).toBe('http://lower:1/');
    expect(at('https://api.test/x', { HTTPS_PROXY: 'http://upper:1' })).toBe('http://upper:1/');
    expect(at('http://api.test/x', { http_proxy: 'http://lower:2', HTTP_PROXY: 'http://upper:2' })).toBe('http://lower:2/');
    expect(at('http://api.test/x', { HTTP_PROXY: 'http://upper:2' })).toBe('http://upper:2/');
  });

  it('an https target does not use the http proxy (curl), and both fall back to ALL_PROXY', () => {
    expect(at('https://api.test/x', { HTTP_PROXY: 'http://p:3' })).toBeUndefined();
    expect(at('https://api.test/x', { ALL_PROXY: 'http://all:4' })).toBe('http://all:4/');
    expect(at('http://api.test/x', { all_proxy: 'http://all:5' })).toBe('http://all:5/');
  });

  it('no scheme means http://; an empty value means no proxy; NO_PROXY applies', () => {
    expect(at('https://api.test/x', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128/');
    expect(at('https://api.test/x', { https_proxy: '', HTTPS_PROXY: 'http://upper:1' })).toBeUndefined();
    expect(at('https://api.test/x', { HTTPS_PROXY: 'http://p:1', no_proxy: 'api.test' })).toBeUndefined();
    expect(at('https://api.test/x', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.test' })).toBe('http://p:1/');
  });

  it('a proxy URL that cannot be used is a usage error naming the variable, its password masked', () => {
    const bad = () => proxyFromEnv({ HTTPS_PROXY: 'http://u:hunter2-secret@[bad' });
    expect(bad).toThrow(UsageError);
    expect(bad).toThrow(/^HTTPS_PROXY is not a proxy URL: "http:\/\/u:\*\*\*\*@\[bad"/);
    expect(() => proxyFromEnv({ http_proxy: 'socks5://127.0.0.1:1080' })).toThrow('http_proxy: mbuzz speaks to http:// and https:// proxies, not socks5://');
  });

  it('registers the proxy password and its Basic form as secrets, and shows the URL masked', () => {
    const settings = proxyFromEnv({ HTTPS_PROXY: 'http://me:S3cret%21Proxy@proxy.corp:3128' });
    expect(settings.https?.shown).toBe('http://me:****@proxy.corp:3128');
    expect(settings.https?.from).toBe('HTTPS_PROXY');
    const basic = Buffer.from('me:S3cret!Proxy').toString('base64');
    const masked = maskText(`a 407 said: S3cret!Proxy / S3cret%21Proxy / Basic ${basic}`);
    expect(masked).not.toContain('S3cret');
    expect(masked).not.toContain(basic);
  });
});
