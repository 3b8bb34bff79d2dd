// Broken servers on purpose (`mbuzz sandbox --broken <mode>`): every API answer is damaged the
// same way, so an end-to-end test can show what the exporter does when a host, a proxy or a
// captive portal misbehaves. Unlike faults (occasional, and retrying cures them), a broken mode is
// permanent: the export has to fail, with the documented exit code and a one-line reason. The two
// number modes (big-numbers.ts) are the exception: they test that every digit survives, and that
// a value no column type holds stops a Parquet export (exit 6) rather than being rounded.
import type http from 'node:http';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { withBadTimes } from './bad-times.js';
import { withBigNumbers, withHugeNumbers } from './big-numbers.js';
import type { MountResponse } from './mounts.js';

export { BROKEN_MODES, BROKEN_DESCRIPTIONS, isBrokenMode, type BrokenMode } from './broken-modes.js';
import { DEEP_LEVELS, ENDLESS_CHUNK, ENDLESS_MS, TRICKLE_MS, type BrokenMode } from './broken-modes.js';

/** Where the off-host redirect points: a name that can never resolve (RFC 2606). */
export const OFFHOST = 'http://mbuzz.invalid';

const HUGE_BODY_BYTES = 300 * 1024 * 1024;
const BOMB_BYTES = 1024 * 1024 * 1024;

const htmlPage = (title: string, text: string) =>
  `<!DOCTYPE html>\r\n<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<p>${text}</p>\r\n</body>\r\n</html>\r\n`;

interface Envelope {
  data?: unknown[];
  meta?: { total_count: number; page: number; per_page: number; total_pages: number };
}

/** The mbuzz envelope of a 200 answer, or undefined (errors, other providers' bodies). */
function envelopeOf(answer: MountResponse): Envelope | undefined {
  if (answer.status !== 200) return undefined;
  try {
    const j = JSON.parse(answer.body) as Envelope;
    return Array.isArray(j?.data) && typeof j.meta === 'object' && j.meta !== null ? j : undefined;
  } catch {
    return undefined;
  }
}

const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const pagesFor = (total: number, perPage: number) => (total === 0 ? 0 : Math.ceil(total / perPage));

/** The damaged answer, for the modes that replace or edit the body. Pure. */
export function breakAnswer(mode: BrokenMode, answer: MountResponse, url: string): MountResponse {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  switch (mode) {
    case 'html-500':
      return { status: 500, headers: { 'content-type': 'text/html' }, body: htmlPage('500 Internal Server Error', 'nginx'), rows: 0 };
    case 'html-200':
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: htmlPage('Sign in', 'Please sign in to continue.'), rows: 0 };
    case 'redirect-offhost':
      return { status: 302, headers: { 'content-type': 'text/html', location: `${OFFHOST}${url}` }, body: htmlPage('302 Found', 'You are being redirected.'), rows: 0 };
    default:
      break;
  }
  if (mode === 'bad-times') return answer.status === 200 ? { ...answer, body: withBadTimes(answer.body) } : answer;
  const env = envelopeOf(answer);
  if (env && (mode === 'big-numbers' || mode === 'huge-numbers')) {
    return { ...answer, headers: json, body: mode === 'big-numbers' ? withBigNumbers(answer.body) : withHugeNumbers(answer.body) };
  }
  if (!env || !env.meta || !env.data) return answer;
  const meta = env.meta;
  const shift = Math.max(1, Math.round(meta.total_count * 0.1));
  switch (mode) {
    case 'missing-meta':
      delete env.meta;
      break;
    case 'missing-data':
      delete env.data;
      break;
    case 'count-more':
      meta.total_count += shift;
      meta.total_pages = pagesFor(meta.total_count, meta.per_page);
      break;
    case 'count-fewer':
      meta.total_count = Math.max(0, meta.total_count - shift);
      meta.total_pages = pagesFor(meta.total_count, meta.per_page);
      break;
    case 'pages-lie':
      meta.total_pages += 1;
      break;
    case 'deep-json': {
      // Built as text: JSON.stringify itself cannot go this deep.
      const first = env.data[0] as Record<string, unknown> | undefined;
      if (!first) return answer;
      first.nested = '@DEEP@';
      const body = JSON.stringify(env).replace('"@DEEP@"', '['.repeat(DEEP_LEVELS) + ']'.repeat(DEEP_LEVELS));
      return { status: 200, headers: json, body, rows: env.data.length };
    }
    case 'oversize-page': {
      const rows = env.data;
      for (let i = 0; rows.length > 0 && rows.length <= meta.per_page; i++) rows.push(rows[i]);
      break;
    }
    case 'row-outside-window':
    case 'row-bad-date': {
      // The row's first field is its day (date, spend_date); an older day would land in an older partition.
      const last = env.data[env.data.length - 1] as Record<string, unknown> | undefined;
      const start = new URL(url, 'http://sandbox').searchParams.get('start_date');
      if (!last || !start) return answer;
      const key = Object.keys(last)[0]!;
      last[key] = mode === 'row-bad-date' ? '2026-13-45' : dayBefore(start);
      break;
    }
    default:
      return answer;
  }
  return { status: 200, headers: json, body: JSON.stringify(env), rows: env.data?.length ?? 0 };
}

/** Modes that misbehave on the socket rather than in the body. */
const SOCKET_MODES = new Set<BrokenMode>(['huge-body', 'gzip-bomb', 'stall', 'stall-headers', 'trickle', 'endless']);

/**
 * Sends the broken answer. Resolves once the server has done its part (a stalled response stays
 * open until the client gives up or the sandbox closes), with what the stats should count.
 */
export async function sendBroken(mode: BrokenMode, req: http.IncomingMessage, res: http.ServerResponse, answer: MountResponse): Promise<MountResponse> {
  if (!SOCKET_MODES.has(mode)) {
    const broken = breakAnswer(mode, answer, req.url ?? '/');
    const payload = Buffer.from(broken.body, 'utf8');
    res.writeHead(broken.status, { 'content-type': 'application/json; charset=utf-8', ...broken.headers, 'content-length': payload.length });
    res.end(payload);
    return broken;
  }
  const counted: MountResponse = { status: 200, body: '', rows: 0 };
  switch (mode) {
    case 'stall-headers':
      return counted;
    case 'stall': {
      const payload = Buffer.from(answer.body, 'utf8');
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
      res.write(payload.subarray(0, Math.floor(payload.length / 2)));
      return { ...counted, status: answer.status };
    }
    case 'gzip-bomb': {
      const bomb = gzipBomb();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip', 'content-length': bomb.length });
      res.end(bomb);
      return counted;
    }
    case 'huge-body':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      await streamHugeBody(res);
      return counted;
    case 'trickle': {
      const payload = Buffer.from(answer.body, 'utf8');
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
      let sent = 0;
      drip(res, TRICKLE_MS, () => {
        res.write(payload.subarray(sent, ++sent));
        if (sent < payload.length) return true;
        res.end();
        return false;
      });
      return { ...counted, status: answer.status };
    }
    case 'endless':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.write('{"data":[');
      drip(res, ENDLESS_MS, () => {
        res.write(ENDLESS_CHUNK);
        return true;
      });
      return counted;
    default:
      return counted;
  }
}

/** Calls `step` every `ms` until it returns false or the client leaves. */
function drip(res: http.ServerResponse, ms: number, step: () => boolean): void {
  const timer = setInterval(() => {
    if (res.destroyed || !step()) clearInterval(timer);
  }, ms);
  res.once('close', () => clearInterval(timer));
}

/** `{"data":[],"padding":"xxx…"}`, 300 MB in 1 MB chunks, with backpressure; stops when the client leaves. */
async function streamHugeBody(res: http.ServerResponse): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  let closed = false;
  res.once('close', () => (closed = true));
  res.write('{"data":[],"meta":{"total_count":0,"page":1,"per_page":1000,"total_pages":0},"padding":"');
  for (let sent = 0; sent < HUGE_BODY_BYTES && !closed; sent += chunk.length) {
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  if (!closed) res.end('"}');
}

let bombCache: Buffer | undefined;

/**
 * 1 GB of spaces (JSON whitespace) as gzip: one member holding 8 MB, repeated 128 times
 * (readers must accept concatenated members, RFC 1952 §2.2), so it is built in milliseconds.
 */
function gzipBomb(): Buffer {
  if (!bombCache) {
    const block = 8 * 1024 * 1024;
    const member = zlib.gzipSync(Buffer.alloc(block, ' '), { level: 9 });
    bombCache = Buffer.concat(Array.from({ length: BOMB_BYTES / block }, () => member));
  }
  return bombCache;
}
