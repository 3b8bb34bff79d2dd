import { Agent, request } from 'undici';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Time allowed for the headers, and then for each gap in the body. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Decoded (gunzipped) body text. */
  body: string;
}

/** One HTTP exchange. Redirects are not followed: a redirect is answered to the caller. */
export type Transport = ((req: HttpRequest) => Promise<HttpResponse>) & { close?: () => Promise<void> };

/** Bodies above this are refused rather than buffered: a 1000-row page is ~1 MB. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${Math.round(limit / 1024 / 1024)} MB`);
  }
}

const gunzip = promisify(zlib.gunzip);

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

async function decode(encoding: string | undefined, raw: Buffer): Promise<Buffer> {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return gunzip(raw);
    case 'deflate':
      return inflate(raw);
    case 'br':
      return brotli(raw);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
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

/**
 * undici with a keep-alive pool. gzip is asked for and decoded here so every provider gets text.
 * `connections` bounds sockets per origin, which is what keeps us polite to one small host.
 */
export function undiciTransport(options: { connections?: number; maxBodyBytes?: number } = {}): Transport {
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  let dispatcher: Agent | undefined;
  const agent = () =>
    (dispatcher ??= new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    }));
  const transport: Transport = async (req) => {
    const timeout = req.timeoutMs ?? 60_000;
    const res = await request(req.url, {
      method: req.method,
      // Compression pays for itself across a network; on this machine it only burns CPU twice.
      headers: { 'accept-encoding': isLoopbackUrl(req.url) ? 'identity' : 'gzip', ...req.headers },
      body: req.body,
      dispatcher: agent(),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: req.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBody) {
        res.body.destroy();
        throw new BodyTooLargeError(maxBody);
      }
      chunks.push(chunk as Buffer);
    }
    const headers = flatHeaders(res.headers);
    const raw = Buffer.concat(chunks, size);
    const decoded = await decode(headers['content-encoding'], raw);
    if (decoded.length > maxBody) throw new BodyTooLargeError(maxBody);
    return { status: res.statusCode, headers, body: decoded.toString('utf8') };
  };
  transport.close = async () => {
    await dispatcher?.close();
    dispatcher = undefined;
  };
  return transport;
}
