import { BlockList, isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import { maskUrlUserinfo, registerUrlCredentials } from '../core/secrets.js';

// Which proxy, if any, a request goes through: the environment read the way curl reads it.
// https:// targets use https_proxy / HTTPS_PROXY, http:// targets http_proxy / HTTP_PROXY, both
// fall back to all_proxy / ALL_PROXY; the lower-case name wins; an empty value means none.
// no_proxy / NO_PROXY lists hosts reached directly: `*` (every host), a name (itself and its
// subdomains; a leading `.` or `*.` means the same), `host:port`, an IP, or a CIDR block.
// Unlike Go, loopback is not exempt by itself: as with curl, list it in NO_PROXY.

export interface ProxyRoute {
  /** The proxy's URL, userinfo included (undici sends it as Proxy-Authorization). */
  url: URL;
  /** The variable it came from, for messages. */
  from: string;
  /** For messages: the URL with its password masked. */
  shown: string;
}

export interface ProxySettings {
  http?: ProxyRoute;
  https?: ProxyRoute;
  noProxy: NoProxy;
}

type Vars = Readonly<Record<string, string | undefined>>;

function pick(vars: Vars, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = vars[name]?.trim();
    if (value !== undefined) return value === '' ? undefined : { name, value };
  }
  return undefined;
}

function route(vars: Vars, ...names: string[]): ProxyRoute | undefined {
  const found = pick(vars, ...names) ?? pick(vars, 'all_proxy', 'ALL_PROXY');
  if (!found) return undefined;
  // curl takes `proxy.corp:3128` to mean http://proxy.corp:3128.
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${found.name} is not a proxy URL: ${JSON.stringify(maskUrlUserinfo(found.value))} (expected e.g. http://proxy.example.com:3128)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${found.name}: mbuzz speaks to http:// and https:// proxies, not ${url.protocol}//`);
  }
  // The proxy's password is a secret like any key: masked wherever it could be shown.
  registerUrlCredentials(url.href);
  return { url, from: found.name, shown: maskUrlUserinfo(url.href.replace(/\/$/, '')) };
}

/** The proxies the environment asks for; a UsageError for a proxy URL that cannot be used. */
export function proxyFromEnv(vars: Vars): ProxySettings {
  return {
    http: route(vars, 'http_proxy', 'HTTP_PROXY'),
    https: route(vars, 'https_proxy', 'HTTPS_PROXY'),
    noProxy: parseNoProxy(pick(vars, 'no_proxy', 'NO_PROXY')?.value ?? ''),
  };
}

/** The proxy for this URL, or undefined to go direct. */
export function proxyFor(target: URL, settings: ProxySettings): ProxyRoute | undefined {
  const chosen = target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : undefined;
  if (!chosen) return undefined;
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  return settings.noProxy(target.hostname, port) ? undefined : chosen;
}

/** true = reach this host directly. */
export type NoProxy = (hostname: string, port: number) => boolean;

interface NameRule {
  name: string;
  port?: number;
}

/** A NO_PROXY value as a matcher. */
export function parseNoProxy(value: string): NoProxy {
  const names: NameRule[] = [];
  const blocks = new BlockList();
  let ips = 0;
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return () => true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(unbracket(cidr[1]!))) {
      const ip = unbracket(cidr[1]!);
      const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      const prefix = Number(cidr[2]);
      if (prefix <= (family === 'ipv6' ? 128 : 32)) {
        blocks.addSubnet(ip, prefix, family);
        ips++;
      }
      continue;
    }
    // host:port, [v6]:port; a bare IPv6 address has colons but no port.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    const host = unbracket(withPort ? withPort[1]! : entry).replace(/^\*?\./, '').replace(/\.$/, '');
    const port = withPort ? Number(withPort[2]) : undefined;
    if (isIP(host) && port === undefined) {
      blocks.addAddress(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
      ips++;
    } else {
      names.push({ name: host, port });
    }
  }
  return (hostname, port) => {
    const host = unbracket(hostname.toLowerCase()).replace(/\.$/, '');
    const family = isIP(host);
    if (ips > 0 && family !== 0 && blocks.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
    return names.some((r) => (r.port === undefined || r.port === port) && (host === r.name || (family === 0 && host.endsWith(`.${r.name}`))));
  };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
