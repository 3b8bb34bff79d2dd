import { Agent, request } from 'undici';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { UsageError } from '../cli/errors.js';

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
  /** The bytes `body` was decoded from, when the transport has them (json/parse.ts scans them). */
  bytes?: Buffer;
}

/** One HTTP exchange. Redirects are not followed: a redirect is answered to the caller. */
export type Transport = ((req: HttpRequest) => Promise<HttpResponse>) & { close?: () => Promise<void> };

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
 * `body` is decoded on first use: a JSON page is parsed from `bytes` (json/parse.ts), so the
 * text of a successful page is never needed, only that of an error to quote.
 */
function decodedResponse(status: number, headers: Record<string, string>, bytes: Buffer): HttpResponse {
  let text: string | undefined;
  return {
    status,
    headers,
    bytes,
    get body() {
      return (text ??= utf8.decode(bytes));
    },
  };
}

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

/**
 * undici with a keep-alive pool. gzip is asked for and decoded here so every provider gets text.
 * `connections` bounds sockets per origin, which is what keeps us polite to one small host.
 */
export function undiciTransport(options: { connections?: number; maxBodyBytes?: number } = {}): Transport {
  let cap: number | undefined = options.maxBodyBytes;
  // Read on the first request, so a bad MBUZZ_MAX_BODY_MB is a usage error through main, not a crash.
  const maxBodyBytes = () => (cap ??= maxBodyFromEnv(process.env) ?? MAX_BODY_BYTES);
  let dispatcher: Agent | undefined;
  const agent = () =>
    (dispatcher ??= new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    }));
  const transport: Transport = async (req) => {
    const maxBody = maxBodyBytes();
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
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      res.body.destroy();
      throw new BodyTooLargeError(maxBody);
    }
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
    const decoded = await decode(headers['content-encoding'], raw, maxBody);
    if (decoded.length > maxBody) throw new BodyTooLargeError(maxBody);
    return decodedResponse(res.statusCode, headers, decoded);
  };
  transport.close = async () => {
    await dispatcher?.close();
    dispatcher = undefined;
  };
  return transport;
}
