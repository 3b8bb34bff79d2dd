#!/usr/bin/env node
// npm run soak: mbuzz exports, one after another, against a sandbox with every fault kind on and
// ties in a new random order on every request, for a fixed time (10 minutes by default), and must
// get every row exactly once every time.
//
//   node scripts/soak.mjs                      10 minutes, results into docs/reliability.md
//   node scripts/soak.mjs --minutes 1 --no-write   a short run that writes nothing
//   options: --minutes N  --fault-rate P  --scale X  --min-rows N  --report PATH  --no-write
//
// Each export is a real `mbuzz export` process; its resident memory is sampled every 200 ms from
// /proc/<pid>/status (VmRSS, and VmHWM, the kernel's own peak). Each output file is read back
// (NDJSON, gzip NDJSON, CSV by a small RFC 4180 reader here, Parquet by hyparquet) and compared
// with the sandbox's own generator (truthRows) as a multiset of row hashes. The sandbox's
// /_sandbox/stats gives requests and faults by kind; each export's summary line gives its retries.
// Exit 0 only if every export succeeded, every output was exact and at least --min-rows were read.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'mbuzz.js');
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const MINUTES = Number(flag('--minutes', '10'));
const FAULT_RATE = flag('--fault-rate', '0.1');
const SCALE = flag('--scale', '0.25');
const MIN_ROWS = Number(flag('--min-rows', '1000000'));
const REPORT = flag('--report', join(root, 'docs', 'reliability.md'));
const WRITE = !args.includes('--no-write');
if (!(MINUTES > 0)) throw new Error('--minutes must be above 0');

const NOW = '2026-05-20T12:00:00Z';
const SEED = 1;
const KEY = 'sk_live_fedcba9876543210fedcba9876543210';

const { truthRows } = await import(join(root, 'dist/sandbox/truth.js'));
const { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } = await import(join(root, 'dist/providers/mbuzz/schemas.js'));
const COLUMNS = { conversions: CONVERSIONS_COLUMNS, funnel: FUNNEL_COLUMNS, spend: SPEND_COLUMNS };

// The jobs, taken in turn: every dataset, every format, windows of different lengths and months.
const MONTHS = [
  ['2026-01-01', '2026-01-31'],
  ['2026-02-01', '2026-02-28'],
  ['2026-03-01', '2026-03-31'],
  ['2026-04-01', '2026-04-30'],
  ['2025-12-01', '2025-12-31'],
  ['2026-04-20', '2026-05-19'],
];
const SHAPES = [
  { dataset: 'conversions', ext: 'ndjson' },
  { dataset: 'funnel', ext: 'csv' },
  { dataset: 'conversions', ext: 'parquet' },
  { dataset: 'spend', ext: 'ndjson.gz' },
  { dataset: 'conversions', ext: 'csv' },
  { dataset: 'funnel', ext: 'parquet' },
  { dataset: 'funnel', ext: 'ndjson' },
  { dataset: 'spend', ext: 'csv' },
];
const job = (i) => {
  const shape = SHAPES[i % SHAPES.length];
  const [from, to] = MONTHS[Math.floor(i / SHAPES.length + i) % MONTHS.length];
  return { ...shape, from, to };
};

// ---- sandbox ------------------------------------------------------------------------------------
function startSandbox(extra) {
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--now', NOW, '--seed', String(SEED), '--scale', SCALE, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (url) => resolve({ url: url.trim(), child }));
    child.once('exit', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
}

// ---- memory ---------------------------------------------------------------------------------------
function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return undefined; // exited between samples
  }
}

/** Runs one export, sampling its memory every 200 ms. */
function runExport(j, out, url) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'export', j.dataset, '--from', j.from, '--to', j.to, '-o', out, '--no-progress'], {
      env: { PATH: process.env.PATH, HOME: tmpdir(), MBUZZ_BASE_URL: url, MBUZZ_API_KEY: KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const peak = { rss: 0, hwm: 0, samples: 0 };
    const sample = () => {
      const m = memOf(child.pid);
      if (!m) return;
      peak.samples++;
      peak.rss = Math.max(peak.rss, m.rss);
      peak.hwm = Math.max(peak.hwm, m.hwm);
    };
    const timer = setInterval(sample, 200);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stderr, ms: Date.now() - started, peak });
    });
  });
}

// ---- exactness ------------------------------------------------------------------------------------
const sha = (s) => createHash('sha1').update(s).digest('base64');

function addTo(map, key, n) {
  const v = (map.get(key) ?? 0) + n;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}

/** A value as every format can say it: dates as YYYY-MM-DD, numbers as numbers, JSON as its text. */
function norm(type, v) {
  if (v === null || v === undefined) return null;
  if (type === 'date') return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  if (type === 'int32' || type === 'int64' || type === 'double') return Number(v);
  if (type === 'json') return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);
  return v;
}

/** What a CSV cell says for an API value (RFC 4180 + the README's rules), independent of the writer. */
function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end in CRLF');
  return records;
}

/** Hashes of the rows in an output file, in the form `keyOf` gives the truth's rows. */
async function fileRows(path, ext, columns) {
  const keys = [];
  if (ext === 'ndjson' || ext === 'ndjson.gz') {
    const raw = readFileSync(path);
    const text = (ext === 'ndjson.gz' ? gunzipSync(raw) : raw).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') keys.push(sha(JSON.stringify(JSON.parse(line))));
  } else if (ext === 'csv') {
    const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
    if (header.join(',') !== columns.map((c) => c.name).join(',')) throw new Error(`unexpected CSV header ${header.join(',')}`);
    for (const r of records) keys.push(sha(JSON.stringify(r)));
  } else {
    const buf = readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const rows = await parquetReadObjects({ file });
    for (const r of rows) keys.push(sha(JSON.stringify(columns.map((c) => norm(c.type, r[c.name])))));
  }
  return keys;
}

function truthKey(ext, columns, row) {
  if (ext === 'ndjson' || ext === 'ndjson.gz') return sha(JSON.stringify(row));
  if (ext === 'csv') return sha(JSON.stringify(columns.map((c) => csvCell(row[c.name]))));
  return sha(JSON.stringify(columns.map((c) => norm(c.type, row[c.name]))));
}

async function check(j, out) {
  const columns = COLUMNS[j.dataset];
  const diff = new Map();
  let expected = 0;
  for (const row of truthRows(j.dataset, { seed: SEED, scale: Number(SCALE), environment: 'live', from: j.from, to: j.to, now: NOW, dataStart: '2025-01-01' })) {
    addTo(diff, truthKey(j.ext, columns, row), 1);
    expected++;
  }
  const got = await fileRows(out, j.ext, columns);
  for (const k of got) addTo(diff, k, -1);
  return { expected, got: got.length, exact: diff.size === 0 && got.length === expected, differing: diff.size };
}

// ---- the run ------------------------------------------------------------------------------------
const mb = (b) => (b / 1024 / 1024).toFixed(0);
const work = mkdtempSync(join(tmpdir(), 'mbuzz-soak-'));
const sandbox = await startSandbox(['--fault-rate', FAULT_RATE, '--tie-order', 'random']);
const sandboxPeak = { rss: 0 };
const sandboxTimer = setInterval(() => {
  const m = memOf(sandbox.child.pid);
  if (m) sandboxPeak.rss = Math.max(sandboxPeak.rss, m.hwm);
}, 1000);
const started = Date.now();
const deadline = started + MINUTES * 60_000;
const results = [];
let failures = 0;
console.error(`soak: ${MINUTES} min against ${sandbox.url} (fault rate ${FAULT_RATE} over every kind, random tie order, scale ${SCALE}, live key)`);
try {
  for (let i = 0; Date.now() < deadline; i++) {
    const j = job(i);
    const out = join(work, `${i}.${j.dataset}.${j.ext}`);
    const r = await runExport(j, out, sandbox.url);
    const summary = /^mbuzz: ([\d,]+) rows of .* \((\d+) windows, (\d+) requests(?:, (\d+) retries)?\)/m.exec(r.stderr);
    const retries = Number(summary?.[4] ?? 0);
    let verdict;
    if (r.code !== 0 || !summary) {
      failures++;
      verdict = { expected: 0, got: 0, exact: false, error: `exit ${r.code}: ${r.stderr.trim().split('\n').pop()}` };
    } else {
      verdict = await check(j, out);
      if (!verdict.exact) failures++;
    }
    rmSync(out, { force: true });
    results.push({ ...j, ...verdict, retries, requests: Number(summary?.[3] ?? 0), ms: r.ms, peak: r.peak });
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    console.error(
      `soak: ${elapsed}s #${i + 1} ${j.dataset} ${j.from}..${j.to} ${j.ext}: ${verdict.error ?? `${verdict.got.toLocaleString('en-US')} rows ${verdict.exact ? 'exact' : `NOT EXACT (${verdict.differing} row hashes differ, expected ${verdict.expected})`}`}, ${retries} retries, peak RSS ${mb(r.peak.hwm)} MB, ${(r.ms / 1000).toFixed(1)}s`,
    );
  }
} finally {
  clearInterval(sandboxTimer);
}
const stats = await (await fetch(`${sandbox.url}/_sandbox/stats`)).json();
sandbox.child.kill('SIGINT');
rmSync(work, { recursive: true, force: true });

// ---- the report ----------------------------------------------------------------------------------
const sum = (f) => results.reduce((n, r) => n + f(r), 0);
const rows = sum((r) => (r.exact ? r.got : 0));
const minutes = (Date.now() - started) / 60_000;
const peaks = results.map((r) => r.peak.hwm);
const peak = Math.max(...peaks);
const firstQuarter = peaks.slice(0, Math.max(1, Math.floor(peaks.length / 4)));
const lastQuarter = peaks.slice(-Math.max(1, Math.floor(peaks.length / 4)));
const faults = Object.entries(stats.faults).sort(([a], [b]) => a.localeCompare(b));
const faultTotal = faults.reduce((n, [, v]) => n + v, 0);
const byShape = new Map();
for (const r of results) {
  const k = `${r.dataset} → ${r.ext}`;
  const e = byShape.get(k) ?? { runs: 0, rows: 0, exact: 0, peak: 0, retries: 0 };
  e.runs++;
  e.rows += r.got;
  e.exact += r.exact ? 1 : 0;
  e.peak = Math.max(e.peak, r.peak.hwm);
  e.retries += r.retries;
  byShape.set(k, e);
}
const ok = failures === 0 && rows >= MIN_ROWS;
const START = '<!-- soak:start (written by scripts/soak.mjs) -->';
const END = '<!-- soak:end -->';
const n = (x) => x.toLocaleString('en-US');

const section = `${START}
## The soak run

\`npm run soak\` (scripts/soak.mjs) runs real \`mbuzz export\` processes one after another for
${MINUTES} minutes against \`mbuzz sandbox --fault-rate ${FAULT_RATE} --tie-order random --scale ${SCALE}\`
(live key, clock fixed at ${NOW}). ${Number(FAULT_RATE) * 100}% of requests get a fault, spread evenly
over every kind the sandbox has: 500 (JSON), 502/503/504 (the proxy's HTML pages), 429 with and
without Retry-After, a connection reset halfway through the body, and a body cut short that parses
as broken JSON. Rows that tie on the sort key come back in a new order on every request, so naive
paging would repeat and drop rows at page edges. Jobs cycle through conversions, funnel and spend,
NDJSON, gzip NDJSON, CSV and Parquet, over month-long windows. Every output file is read back
(CSV by an RFC 4180 reader in the script, Parquet by hyparquet) and compared with the sandbox's own
generator (\`truthRows\`) as a multiset of row hashes. Each export's memory is sampled every 200 ms
from \`/proc/<pid>/status\` (VmHWM is the kernel's own peak for the process).

### Last run: ${ok ? 'pass' : 'FAIL'}

${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${mb(totalmem())} MB RAM, Node ${process.version}; the defaults
(\`--concurrency 4\`, \`--retries 5\`, 1000-row pages).

| | |
|---|---|
| exports | ${results.length}: ${results.length - failures} exact, ${failures} failed or inexact |
| duration | ${minutes.toFixed(1)} min |
| rows exported and verified exact | ${n(rows)} |
| requests (counted by the sandbox) | ${n(stats.requests)} |
| faults injected | ${n(faultTotal)} (${((faultTotal / stats.requests) * 100).toFixed(1)}% of requests) |
| faults by kind | ${faults.map(([k, v]) => `${k}: ${n(v)}`).join(', ')} |
| retries (from the exports' summary lines) | ${n(sum((r) => r.retries))} |
| peak RSS of one export (VmHWM) | ${mb(peak)} MB |
| peak RSS, exports in the first vs the last quarter of the run | ${mb(Math.max(...firstQuarter))} MB vs ${mb(Math.max(...lastQuarter))} MB |
| peak RSS of the sandbox | ${mb(sandboxPeak.rss)} MB |

| dataset → format | exports | rows | exact | retries | peak RSS |
|---|---:|---:|---:|---:|---:|
${[...byShape].map(([k, e]) => `| ${k} | ${e.runs} | ${n(e.rows)} | ${e.exact}/${e.runs} | ${n(e.retries)} | ${mb(e.peak)} MB |`).join('\n')}

\`\`\`sh
npm run soak                                   # 10 minutes; rewrites this section
node scripts/soak.mjs --minutes 2 --no-write   # a shorter run that writes nothing
\`\`\`
${END}`;
let report = section + '\n';
try {
  const old = readFileSync(REPORT, 'utf8');
  const a = old.indexOf(START);
  const b = old.indexOf(END);
  if (a >= 0 && b > a) report = old.slice(0, a) + section + old.slice(b + END.length);
} catch {
  /* no report yet: the section alone */
}
if (WRITE) writeFileSync(REPORT, report);
console.error(`soak: ${ok ? 'PASS' : 'FAIL'}: ${results.length} exports, ${n(rows)} rows exact, ${failures} failed, ${n(stats.requests)} requests, ${n(faultTotal)} faults, peak RSS ${mb(peak)} MB${WRITE ? `; wrote ${REPORT}` : ''}`);
process.exitCode = ok ? 0 : 1;
