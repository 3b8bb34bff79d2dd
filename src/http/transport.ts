import type { Agent, Dispatcher, ProxyAgent } from 'undici';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { UsageError } from '../core/errors.js';
import { DeadlineError, withDeadline } from './deadline.js';
import { proxyFor, proxyFromEnv, type ProxyRoute, type ProxySettings } from './proxy.js';

// The exchange's shape is the environment's (core/env.ts): the client and tests see only that.
import type { HttpRequest, HttpResponse, Transport } from '../core/env.js';
export type { HttpRequest, HttpResponse, Transport };

/** Bodies above this are refused rather than buffered: a 1000-row page is ~1 MB. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** MBUZZ_MAX_BODY_MB overrides the cap (tests, or a host known to send bigger pages). */
export const MAX_BODY_ENV = 'MBUZZ_MAX_BODY_MB';

/** The cap MBUZZ_MAX_BODY_MB asks for, in bytes; undefined when unset; a UsageError when it is not a size. */
export function maxBodyFromEnv(vars: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = vars[MAX_BODY_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const mb = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(mb > 0) || mb > 4096) {
    throw new UsageError(`${MAX_BODY_ENV} must be a number of megabytes above 0 and at most 4096, got ${JSON.stringify(raw)}`);
  }
  return Math.round(mb * 1024 * 1024);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than the ${formatMb(limit)} MB cap (${MAX_BODY_ENV} raises it)`);
  }
}

function formatMb(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return mb >= 10 ? String(Math.round(mb)) : String(Number(mb.toFixed(2)));
}

const gunzip = promisify(zlib.gunzip);
/** What Buffer#toString('utf8') gives (a BOM kept, bad bytes as U+FFFD), ~25% faster on a 500 KB page. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * `body` is decoded on first use: a JSON page is parsed from `bodyBytes` (json/parse.ts), so the
 * text of a successful page is never needed, only that of an error to quote.
 */
function decodedResponse(status: number, headers: Record<string, string>, decoded: Buffer, wireBytes: number, via: string | undefined): HttpResponse {
  let text: string | undefined;
  return {
    status,
    headers,
    bytes: wireBytes,
    via,
    bodyBytes: decoded,
    get body() {
      return (text ??= utf8.decode(decoded));
    },
  };
}

type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | undefined;
/**
 * undici is ~40 modules: loaded by the first request, not at start-up, so `mbuzz --version`,
 * `--help` and every command that sends nothing never pay for it.
 */
const loadUndici = (): Promise<Undici> => (undiciModule ??= import('undici'));

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

/** Decompresses, never past `maxBody` bytes: a small gzip body can inflate to gigabytes. */
async function decode(encoding: string | undefined, raw: Buffer, maxBody: number): Promise<Buffer> {
  const limit = { maxOutputLength: maxBody };
  try {
    switch ((encoding ?? '').trim().toLowerCase()) {
      case '':
      case 'identity':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return await gunzip(raw, limit);
      case 'deflate':
        return await inflate(raw, limit);
      case 'br':
        return await brotli(raw, limit);
      default:
        throw new Error(`unsupported content-encoding ${encoding}`);
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(maxBody);
    throw err;
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The proxy a failed request went through, for its message (errors come from undici, so they are not ours to extend). */
const proxyOfError = new WeakMap<object, ProxyRoute>();

export function proxyOf(err: unknown): ProxyRoute | undefined {
  return typeof err === 'object' && err !== null ? proxyOfError.get(err) : undefined;
}

export interface TransportOptions {
  connections?: number;
  maxBodyBytes?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY, NO_PROXY are read (process.env by default). */
  vars?: Readonly<Record<string, string | undefined>>;
}

/**
 * undici with a keep-alive pool. gzip is asked for and decoded here so every provider gets text.
 * `connections` bounds sockets per origin, which is what keeps us polite to one small host.
 * Requests go through the proxy the environment names (proxy.ts); `timeoutMs` is a deadline for
 * the whole response (deadline.ts), so a trickled or endless body cannot hold a run forever.
 */
export function undiciTransport(options: TransportOptions = {}): Transport {
  let cap: number | undefined = options.maxBodyBytes;
  // Read on the first request, so a bad MBUZZ_MAX_BODY_MB or proxy URL is a usage error through main, not a crash.
  const maxBodyBytes = () => (cap ??= maxBodyFromEnv(options.vars ?? process.env) ?? MAX_BODY_BYTES);
  let proxies: ProxySettings | undefined;
  const settings = () => (proxies ??= proxyFromEnv(options.vars ?? process.env));
  const pool = { connections: options.connections ?? 16, keepAliveTimeout: 30_000, pipelining: 1 };
  let direct: Agent | undefined;
  const viaProxy = new Map<string, ProxyAgent>();
  const dispatcherFor = (undici: Undici, url: string): { dispatcher: Dispatcher; proxy?: ProxyRoute } => {
    const proxy = proxyFor(new URL(url), settings());
    if (!proxy) return { dispatcher: (direct ??= new undici.Agent(pool)) };
    let agent = viaProxy.get(proxy.url.href);
    // proxyTunnel: false sends http:// requests to an http proxy in absolute form, as curl does;
    // https:// always goes through a CONNECT tunnel, so the proxy never sees the key.
    if (!agent) viaProxy.set(proxy.url.href, (agent = new undici.ProxyAgent({ ...pool, uri: proxy.url.href, proxyTunnel: false })));
    return { dispatcher: agent, proxy };
  };

  const transport: Transport = async (req) => {
    const maxBody = maxBodyBytes();
    const undici = await loadUndici();
    const { request } = undici;
    const { dispatcher, proxy } = dispatcherFor(undici, req.url);
    const timeout = req.timeoutMs ?? 60_000;
    try {
      return await withDeadline(timeout, req.signal, async (signal, progress) => {
        const res = await request(req.url, {
          method: req.method,
          // Compression pays for itself across a network; on this machine it only burns CPU twice.
          headers: { 'accept-encoding': isLoopbackUrl(req.url) ? 'identity' : 'gzip', ...req.headers },
          body: req.body,
          dispatcher,
          // undici's own timers measure gaps, not the whole; the deadline decides. These stay as
          // a backstop past it, so they never fire first.
          headersTimeout: timeout + 1_000,
          bodyTimeout: timeout + 1_000,
          signal,
        });
        progress.headers();
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBody) {
          res.body.destroy();
          throw new BodyTooLargeError(maxBody);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          progress.bytes(size);
          if (size > maxBody) {
            res.body.destroy();
            throw new BodyTooLargeError(maxBody);
          }
          chunks.push(chunk as Buffer);
        }
        const headers = flatHeaders(res.headers);
        const raw = Buffer.concat(chunks, size);
        const decoded = await decode(headers['content-encoding'], raw, maxBody);
        if (decoded.length > maxBody) throw new BodyTooLargeError(maxBody);
        return decodedResponse(res.statusCode, headers, decoded, size, proxy?.shown);
      });
    } catch (err) {
      if (proxy && typeof err === 'object' && err !== null && !(err instanceof DeadlineError) && !(err instanceof BodyTooLargeError)) proxyOfError.set(err, proxy);
      throw err;
    }
  };
  transport.close = async () => {
    const agents: Dispatcher[] = [...viaProxy.values(), ...(direct ? [direct] : [])];
    viaProxy.clear();
    direct = undefined;
    await Promise.all(agents.map((a) => a.close()));
  };
  return transport;
}
