#!/usr/bin/env node
// A benchmark server that costs the client's machine little: the sandbox's conversion rows for one
// range are rendered once at start-up (by the sandbox's own generator, dist/sandbox/), kept in
// memory as bytes, and every page is cut from them. Only /api/v1/data/conversions is answered.
//
//   node scripts/bench-server.mjs --from 2025-12-22 --to 2026-05-19 [--scale 1] [--env live]
//        [--now 2026-05-20T12:00:00Z] [--latency 50] [--ties per-query|stable] [--seed 1]
//
// It prints its URL on stdout once the rows are ready. The answers are the sandbox's, byte for byte
// (same parameters parsing, same auth, same envelope, same per-query tie shuffling: checked by
// `node scripts/bench.mjs --verify`), except that bodies are never gzipped (mbuzz asks loopback
// hosts for identity; the docs' loops get identity too, so nobody pays for compression) and a day
// outside the range is a 500. GET /_sandbox/stats adds this process's CPU seconds, so the bench can
// report the server's share of the machine next to the client's.
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (m) => import(join(root, 'dist', 'sandbox', m));
const [{ SandboxWorld }, params, { hash3, hashString, shuffle }, { authenticate }, calendar] = await Promise.all(
  ['world.js', 'params.js', 'hash.js', 'auth.js', 'calendar.js'].map(load),
);

const argv = process.argv.slice(2);
const flag = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const o = {
  from: calendar.parseIsoDay(flag('from')),
  to: calendar.parseIsoDay(flag('to')),
  scale: Number(flag('scale', '1')),
  env: flag('env', 'live'),
  seed: Number(flag('seed', '1')),
  nowMs: Date.parse(flag('now', '2026-05-20T12:00:00Z')),
  latency: Number(flag('latency', '0')),
  ties: flag('ties', 'per-query'),
  port: Number(flag('port', '0')),
};
const dataStart = calendar.parseIsoDay(flag('data-start', '2025-01-01'));
if (o.from === null || o.to === null) throw new Error('--from and --to are required (YYYY-MM-DD)');
if (!['per-query', 'stable'].includes(o.ties)) throw new Error('--ties is per-query or stable');
if (o.to >= calendar.dayOfInstant(o.nowMs)) throw new Error('the range must end before --now (whole days only)');

// One day: its rows' JSON joined by ',' in the stable order, where each row starts and ends, its
// channel bit and the first row of its tie group (a conversion's credit rows tie).
const world = new SandboxWorld({ seed: o.seed, scale: o.scale, dataStart });
const source = world.source(o.env, 'conversions');
const days = new Map();
let totalRows = 0;
const CHANNELS = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'display', 'affiliate', 'referral', 'video', 'ai', 'direct', 'other'];
for (let day = Math.max(o.from, dataStart); day <= o.to; day++) {
  const view = source.view(day, { channelMask: null, funnel: null }, Infinity);
  const texts = [];
  view.render(0, view.rows, texts);
  const n = texts.length;
  const bytes = Buffer.from(texts.join(','));
  const start = new Uint32Array(n);
  const end = new Uint32Array(n);
  const bit = new Uint16Array(n);
  const group = new Uint32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = Buffer.byteLength(texts[i]);
    start[i] = at;
    end[i] = at + len;
    at += len + 1;
    bit[i] = 1 << CHANNELS.indexOf(JSON.parse(texts[i]).channel);
    group[i] = i > 0 && view.group(i)[0] === view.group(i - 1)[0] ? group[i - 1] : i;
  }
  days.set(day, { n, bytes, start, end, bit, group, counts: new Map() });
  totalRows += n;
}

/** Positions (into the day's rows) matching a channel mask, in the stable order; cached per mask. */
function matching(d, mask) {
  if (mask === null) return null;
  let m = d.counts.get(mask);
  if (!m) {
    const idx = [];
    for (let i = 0; i < d.n; i++) if (d.bit[i] & mask) idx.push(i);
    d.counts.set(mask, (m = Uint32Array.from(idx)));
  }
  return m;
}

const HEAD = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');

/** The page as the sandbox's pageRows would render it, as byte slices of the day buffers. */
function page(q, tieSeed) {
  const pieces = [HEAD];
  let rows = 0;
  let skip = q.offset;
  const push = (d, i) => {
    if (rows > 0) pieces.push(COMMA);
    pieces.push(d.bytes.subarray(d.start[i], d.end[i]));
    rows++;
  };
  for (let day = Math.max(q.from, dataStart); day <= q.to && rows < q.perPage; day++) {
    const d = days.get(day);
    if (!d) throw new Error(`day ${calendar.dayString(day)} is outside the pre-encoded range`);
    const idx = matching(d, q.filter.channelMask);
    const count = idx ? idx.length : d.n;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const at = (p) => (idx ? idx[p] : p);
    let pos = skip;
    skip = 0;
    while (pos < count && rows < q.perPage) {
      const want = q.perPage - rows;
      if (tieSeed === null) {
        const stop = Math.min(count, pos + want);
        for (; pos < stop; pos++) push(d, at(pos));
        continue;
      }
      // The tie group holding pos, in the filtered view's positions (as the sandbox's view.group).
      const g = d.group[at(pos)];
      let gs = pos;
      while (gs > 0 && d.group[at(gs - 1)] === g) gs--;
      let ge = pos + 1;
      while (ge < count && d.group[at(ge)] === g) ge++;
      const members = [];
      for (let p = gs; p < ge; p++) members.push(at(p));
      if (members.length > 1) shuffle(members, hash3(tieSeed, day, gs));
      const take = members.slice(pos - gs, Math.min(ge - gs, pos - gs + want));
      for (const i of take) push(d, i);
      pos += take.length;
    }
  }
  return { pieces, rows };
}

function total(q) {
  let n = 0;
  for (let day = Math.max(q.from, dataStart); day <= q.to; day++) {
    const d = days.get(day);
    if (!d) throw new Error(`day ${calendar.dayString(day)} is outside the pre-encoded range`);
    const idx = matching(d, q.filter.channelMask);
    n += idx ? idx.length : d.n;
  }
  return n;
}

let requests = 0;
let rowsOut = 0;
const byStatus = {};
const reply = (res, status, body) => {
  byStatus[status] = (byStatus[status] ?? 0) + 1;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const server = http.createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
  const url = req.url ?? '/';
  const qm = url.indexOf('?');
  const path = qm < 0 ? url : url.slice(0, qm);
  if (path === '/_sandbox/stats') {
    const cpu = process.cpuUsage();
    return reply(res, 200, JSON.stringify({ requests, rows: rowsOut, byStatus, cpuSeconds: (cpu.user + cpu.system) / 1e6, preEncodedRows: totalRows }));
  }
  requests++;
  if (o.latency > 0) await delay(o.latency);
  if (!/^\/api\/v1\/data\/conversions(?:\.json)?\/?$/.test(path)) return reply(res, 404, '{"error":"Not found"}');
  const auth = authenticate(req.headers.authorization);
  if (!auth.ok) return reply(res, 401, JSON.stringify({ error: auth.message }));
  if (auth.environment !== o.env) return reply(res, 500, '{"error":"bench server holds the other environment"}');
  const resolved = params.resolveQuery(params.parseRailsQuery(qm < 0 ? '' : url.slice(qm + 1)), calendar.dayOfInstant(o.nowMs));
  if (!resolved.ok) return reply(res, resolved.status, JSON.stringify({ error: resolved.error }));
  const q = { ...resolved.query, filter: { channelMask: resolved.query.filter.channelMask, funnel: null } };
  try {
    const t = total(q);
    const tieSeed = o.ties === 'stable' ? null : hashString(`${o.env}|conversions|${q.from}..${q.to}|${params.filterKey(q.filter)}|${q.offset}|${q.perPage}`, o.seed);
    const { pieces, rows } = q.offset >= t ? { pieces: [HEAD], rows: 0 } : page(q, tieSeed);
    pieces.push(Buffer.from(`],"meta":{"total_count":${t},"page":${q.page},"per_page":${q.perPage},"total_pages":${t === 0 ? 0 : Math.ceil(t / q.perPage)}}}`));
    const body = Buffer.concat(pieces);
    rowsOut += rows;
    byStatus[200] = (byStatus[200] ?? 0) + 1;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  } catch (err) {
    reply(res, 500, JSON.stringify({ error: String(err.message) }));
  }
});
server.listen(o.port, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
