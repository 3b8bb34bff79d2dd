// The sandbox's HTTP server: node:http on 127.0.0.1 with keep-alive, gzip when the client
// accepts it (as Thruster does in front of the real server), fixed latency, injected faults,
// broken modes (broken.ts), and GET /_sandbox/stats for benchmarks to count requests.
import http from 'node:http';
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveSandboxOptions, type SandboxOptions } from './options.js';
import { SandboxWorld } from './world.js';
import { handleApiRequest, type ApiResponse, type HandlerContext } from './handler.js';
import { FaultPicker, faultResponse, type FaultKind } from './faults.js';
import { StatsCounter, type SandboxStats } from './stats.js';
import { findMount, type MountFactory, type MountResponse, type SandboxMount } from './mounts.js';
import { sendBroken } from './broken.js';

export interface SandboxHandle {
  port: number;
  /** `http://127.0.0.1:<port>`: the base URL (the API lives under /api/v1/data/...). */
  url: string;
  close(): Promise<void>;
  stats(): SandboxStats;
}

const gzip = promisify(zlib.gzip);
// Level 1: a 1000-row page (~600 KB) compresses ~8x in a few ms; higher levels cost several
// times the CPU for a few percent, and the sandbox must never be a benchmark's bottleneck.
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 1 };

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'max-age=0, private, must-revalidate',
  vary: 'Accept-Encoding',
};

/**
 * `mounts`: the other providers' APIs to serve beside mbuzz's, each under its prefix; the
 * command passes every provider record's (the sandbox itself knows none of them).
 */
export async function startSandbox(options: Partial<SandboxOptions> = {}, mounts: readonly MountFactory[] = []): Promise<SandboxHandle> {
  const o = resolveSandboxOptions(options);
  const ctx: HandlerContext = {
    world: new SandboxWorld({ seed: o.seed, scale: o.scale, dataStart: o.dataStartDay }),
    tieOrder: o.tieOrder,
    seed: o.seed,
    nowMs: o.nowMs,
  };
  const served: SandboxMount[] = mounts.map((make) =>
    make({ seed: o.seed, scale: o.scale, tieOrder: o.tieOrder, nowMs: o.nowMs, dataStartDay: o.dataStartDay, rateLimits: o.rateLimits }),
  );
  const counter = new StatsCounter();
  const faults = new FaultPicker(o.faultRates, o.faultSeed);

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/_sandbox/stats') return send(res, { status: 200, body: JSON.stringify(counter.snapshot()), rows: 0 }, false);
    counter.request();
    if (o.latencyMs > 0) await delay(o.latencyMs);
    const fault = faults.pick();
    let answer: MountResponse;
    const body = await readBody(req);
    if (fault !== null && fault !== 'reset' && fault !== 'truncate') {
      const f = faultResponse(fault);
      answer = { status: f.status, body: f.body, rows: 0 };
      await send(res, answer, false, f.headers);
    } else {
      const query = q < 0 ? '' : url.slice(q + 1);
      const mount = findMount(served, path);
      answer = mount ? await answerMount(mount, req, path, query, body, o.log) : answerApi(ctx, req, path, query, o.log);
      const gz = acceptsGzip(req.headers['accept-encoding']);
      if (o.broken !== undefined) answer = await sendBroken(o.broken, req, res, answer);
      else if (fault === 'reset') await sendReset(res, answer, gz);
      else if (fault === 'truncate') await sendTruncated(res, answer, gz);
      else await send(res, answer, gz, answer.headers);
    }
    counter.answered(answer.status, answer.rows, fault);
    if (o.verbose) {
      const ms = (performance.now() - started).toFixed(1);
      o.log(`${req.method} ${url} ${answer.status} ${answer.rows} rows ${ms} ms${fault ? ` fault=${fault}` : ''}`);
    }
  };

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  // Clients keep connections for a whole export; don't drop them between pages.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats: () => counter.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The API's answer; an unexpected error becomes the server's generic 500, as Rails rescues it. */
function answerApi(ctx: HandlerContext, req: http.IncomingMessage, path: string, query: string, log: (line: string) => void): ApiResponse {
  try {
    return handleApiRequest(ctx, req.method ?? 'GET', path, query, req.headers.authorization);
  } catch (err) {
    log(`mbuzz sandbox: internal error on ${req.url}: ${(err as Error).message}`);
    return { status: 500, body: '{"error":"Internal server error"}', rows: 0 };
  }
}

/** Another provider's API; an unexpected error becomes a plain 500. */
async function answerMount(mount: SandboxMount, req: http.IncomingMessage, path: string, query: string, body: string, log: (line: string) => void): Promise<MountResponse> {
  try {
    return await mount.handle({ method: req.method ?? 'GET', path: path.slice(mount.prefix.length) || '/', query, headers: req.headers, body });
  } catch (err) {
    log(`mbuzz sandbox: internal error on ${req.url}: ${(err as Error).message}`);
    return { status: 500, body: '{"error":"Internal server error"}', rows: 0 };
  }
}

/** Request bodies are small JSON (AttributionHub, Sealmetrics login); cap them anyway. */
async function readBody(req: http.IncomingMessage): Promise<string> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Accept-Encoding allows gzip (by name or `*`) with a non-zero q. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gz: number | undefined;
  let star: number | undefined;
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const coding = name.trim().toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') gz = q;
    else if (coding === '*') star = q;
  }
  return (gz ?? star ?? 0) > 0;
}

async function encode(body: string | Buffer, gz: boolean): Promise<Buffer> {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return gz ? gzip(raw, GZIP_OPTIONS) : raw;
}

function headersFor(payload: Buffer, gz: boolean, extra: Record<string, string>): Record<string, string | number> {
  return {
    ...JSON_HEADERS,
    'x-request-id': randomUUID(),
    ...extra,
    ...(gz ? { 'content-encoding': 'gzip' } : {}),
    'content-length': payload.length,
  };
}

async function send(res: http.ServerResponse, answer: ApiResponse, gz: boolean, extra: Record<string, string> = {}): Promise<void> {
  const payload = await encode(answer.body, gz);
  res.writeHead(answer.status, headersFor(payload, gz, extra));
  res.end(payload);
}

/** Headers promise the whole body; half of it arrives, then the connection dies. */
async function sendReset(res: http.ServerResponse, answer: ApiResponse, gz: boolean): Promise<void> {
  const payload = await encode(answer.body, gz);
  res.writeHead(answer.status, headersFor(payload, gz, {}));
  await new Promise<void>((resolve) => res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => resolve()));
  res.destroy();
}

/** A chunked response that ends cleanly after half the JSON: only parsing it shows the damage. */
async function sendTruncated(res: http.ServerResponse, answer: ApiResponse, gz: boolean): Promise<void> {
  const raw = Buffer.from(answer.body, 'utf8');
  const payload = await encode(raw.subarray(0, Math.floor(raw.length / 2)), gz);
  const headers = headersFor(payload, gz, { 'transfer-encoding': 'chunked' });
  delete headers['content-length'];
  res.writeHead(answer.status, headers);
  res.end(payload);
}

export type { SandboxOptions, SandboxStats, FaultKind };
