import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Small real servers on 127.0.0.1 for end-to-end tests: a server that misbehaves in one exact
// way, a forward/CONNECT proxy that records what went through it, and a TLS front for the sandbox.

export interface TinyServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: http.Server | https.Server, scheme = 'http'): Promise<TinyServer> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface ProxyLog {
  /** Absolute-form request targets (plain http through the proxy). */
  requests: string[];
  /** CONNECT targets, host:port. */
  connects: string[];
  /** Every Proxy-Authorization header received (undefined when absent). */
  proxyAuth: (string | undefined)[];
  /** Authorization headers the proxy could read (it must never see one for an https target). */
  authorization: string[];
}

/**
 * A forward proxy: absolute-form requests are forwarded, CONNECT opens a tunnel. With `user` and
 * `password` it answers 407 to anything without the matching Basic Proxy-Authorization.
 */
export async function forwardProxy(options: { user?: string; password?: string } = {}): Promise<TinyServer & { log: ProxyLog }> {
  const log: ProxyLog = { requests: [], connects: [], proxyAuth: [], authorization: [] };
  const expected = options.user !== undefined ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}` : undefined;
  const allowed = (h: http.IncomingHttpHeaders) => {
    log.proxyAuth.push(h['proxy-authorization']);
    return expected === undefined || h['proxy-authorization'] === expected;
  };
  const server = http.createServer((req, res) => {
    log.requests.push(req.url ?? '');
    if (req.headers.authorization) log.authorization.push(req.headers.authorization);
    if (!allowed(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-type': 'text/plain' });
      return res.end('proxy credentials required');
    }
    if (!/^http:\/\//.test(req.url ?? '')) {
      res.writeHead(400);
      return res.end('not a proxy request');
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(req.url!, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.connects.push(req.url ?? '');
    if (!allowed(req.headers)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  return { ...(await listen(server)), log };
}

/** A self-signed certificate for 127.0.0.1 (openssl at test time); undefined when openssl is missing. */
export function selfSignedCert(dir: string): { key: string; cert: string; certFile: string } | undefined {
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), certFile: join(dir, 'cert.pem') };
}

/** https://127.0.0.1:PORT in front of a plain-http server (the sandbox), passing requests through. */
export async function tlsFront(target: string, tls: { key: string; cert: string }): Promise<TinyServer & { seen: string[] }> {
  const seen: string[] = [];
  const server = https.createServer(tls, (req, res) => {
    seen.push(req.url ?? '');
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return { ...(await listen(server, 'https')), seen };
}
