// Broken servers on purpose (`mbuzz sandbox --broken <mode>`): every API answer is damaged the
// same way, so an end-to-end test can show what the exporter does when a host, a proxy or a
// captive portal misbehaves. Unlike faults (occasional, and retrying cures them), a broken mode is
// permanent: the export has to fail, with the documented exit code and a one-line reason. The two
// number modes (big-numbers.ts) are the exception: they test that every digit survives, and that
// a value no column type holds stops a Parquet export (exit 6) rather than being rounded.
import type http from 'node:http';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { withBigNumbers, withHugeNumbers } from './big-numbers.js';
import type { MountResponse } from './mounts.js';

export const BROKEN_MODES = [
  'html-500',
  'html-200',
  'missing-meta',
  'missing-data',
  'count-more',
  'count-fewer',
  'pages-lie',
  'oversize-page',
  'redirect-offhost',
  'huge-body',
  'gzip-bomb',
  'stall',
  'stall-headers',
  'big-numbers',
  'huge-numbers',
] as const;
export type BrokenMode = (typeof BROKEN_MODES)[number];

export const BROKEN_DESCRIPTIONS: Record<BrokenMode, string> = {
  'html-500': "status 500 with a proxy's HTML error page",
  'html-200': 'status 200 with an HTML page (a login or captive portal) instead of JSON',
  'missing-meta': 'the envelope has no "meta"',
  'missing-data': 'the envelope has no "data"',
  'count-more': 'meta.total_count promises more rows than the API serves',
  'count-fewer': 'meta.total_count promises fewer rows than the API serves',
  'pages-lie': 'meta.total_pages disagrees with total_count and per_page',
  'oversize-page': 'a page holds more rows than per_page',
  'redirect-offhost': 'a 302 to http://mbuzz.invalid/... (another host)',
  'huge-body': 'a 300 MB body, streamed (more than any client should buffer)',
  'gzip-bomb': 'a 1 MB gzip body that inflates to 1 GB',
  stall: 'headers and half the body, then silence (the connection stays open)',
  'stall-headers': 'the request is read, then nothing is ever sent',
  'big-numbers': 'rows carry numbers JavaScript would change: ids past 2^60, 0.50, 2.0, nested 12345678901234567890, -0, 1e400',
  'huge-numbers': "conversions' credit is 1e400, which no Parquet column type holds",
};

export function isBrokenMode(s: string): s is BrokenMode {
  return (BROKEN_MODES as readonly string[]).includes(s);
}

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
    case 'oversize-page': {
      const rows = env.data;
      for (let i = 0; rows.length > 0 && rows.length <= meta.per_page; i++) rows.push(rows[i]);
      break;
    }
    default:
      return answer;
  }
  return { status: 200, headers: json, body: JSON.stringify(env), rows: env.data?.length ?? 0 };
}

/** Modes that misbehave on the socket rather than in the body. */
const SOCKET_MODES = new Set<BrokenMode>(['huge-body', 'gzip-bomb', 'stall', 'stall-headers']);

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
    default:
      return counted;
  }
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
