#!/usr/bin/env node
// npm run bench: mbuzz against the API docs' own pagination loops, on the same sandbox data.
//
//   node scripts/bench.mjs                 scenarios (a) and (b), tables into docs/benchmarks.md
//   node scripts/bench.mjs --scenario b    one scenario
//   node scripts/bench.mjs --memory        also peak RSS at 1M and 10M rows per format (slow)
//   node scripts/bench.mjs --quick         a small run of everything, to check the harness
//
// Each contender runs alone, one after another, under /usr/bin/time -v (peak RSS); requests are
// counted by the sandbox; exactness is checked against the sandbox's own generator (truthRows) as
// a multiset of row hashes. The docs' loops are run as written except that they are pointed at the
// sandbox, given the same start_date/end_date, and print JSON (not Ruby/Python/Node reprs) so
// their output can be checked.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'mbuzz.js');
const outDir = join(root, 'bench-out');
const args = process.argv.slice(2);
const only = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : undefined;
const quick = args.includes('--quick');
const memory = args.includes('--memory');
const NOW = '2026-05-20T12:00:00Z';
const KEYS = { test: 'sk_test_0123456789abcdef0123456789abcdef', live: 'sk_live_fedcba9876543210fedcba9876543210' };

const SCENARIOS = {
  a: { title: '(a) no added latency, ~1M conversion rows', latency: 0, env: 'live', scale: 1, from: '2025-12-26', to: '2026-05-19' },
  b: { title: '(b) 50 ms latency per response, ~100k conversion rows', latency: 50, env: 'test', scale: 1, from: '2025-12-27', to: '2026-05-19' },
};
if (quick) {
  SCENARIOS.a = { ...SCENARIOS.a, from: '2026-05-01' };
  SCENARIOS.b = { ...SCENARIOS.b, from: '2026-04-20' };
}

const { truthRows } = await import(join(root, 'dist/sandbox/truth.js'));

function startSandbox(extra) {
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--now', NOW, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (url) => resolve({ url: url.trim(), child }));
    child.once('exit', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
}

async function stats(url) {
  return (await fetch(`${url}/_sandbox/stats`)).json();
}

/** Runs a shell command under /usr/bin/time -v; returns wall seconds and peak RSS in MB. */
function timed(command, env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', 'bash', '-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) / 1024;
      resolve({ code, secs, rss, stderr: err.split('\n').filter((l) => !/^\s/.test(l) && !/Command being timed/.test(l)).join('\n').trim() });
    });
  });
}

const h = (s) => createHash('sha1').update(s).digest('base64').slice(0, 16);

function truthHashes(sc, render) {
  const out = [];
  for (const row of truthRows('conversions', { seed: 1, scale: sc.scale, environment: sc.env, from: sc.from, to: sc.to, now: NOW, dataStart: '2025-01-01' })) out.push(h(render(row)));
  return out.sort();
}

async function lineHashes(file, render) {
  const out = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line) out.push(h(render(JSON.parse(line))));
  return out.sort();
}

async function duckRows(sql) {
  const { createRequire } = await import('node:module');
  const { DuckDBInstance } = createRequire(join(root, '.cache/test-tools/package.json'))('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const COLS = ['date', 'type', 'name', 'funnel', 'attribution_model', 'algorithm', 'channel', 'credit', 'revenue', 'revenue_credit', 'currency', 'utm_source', 'utm_medium', 'utm_campaign', 'is_acquisition', 'properties', 'journey_position', 'touchpoint_index', 'journey_length', 'days_to_conversion'];
const canonical = (r) => JSON.stringify(COLS.map((c) => (c === 'properties' && typeof r[c] === 'string' ? JSON.parse(r[c]) : r[c] === undefined ? null : r[c])));
const csvCanonical = (r) => JSON.stringify(COLS.map((c) => (r[c] === null || r[c] === undefined ? '' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c]))));
const number = (v) => (v === null ? null : Number(v));
const fromParquet = (r) => ({ ...r, credit: number(r.credit), revenue: number(r.revenue), revenue_credit: number(r.revenue_credit), touchpoint_index: number(r.touchpoint_index), journey_length: number(r.journey_length), days_to_conversion: number(r.days_to_conversion) });

async function exactness(kind, file, sc, cache) {
  if (!existsSync(file) || statSync(file).size === 0) return false;
  if (kind === 'csv') {
    cache.csv ??= truthHashes(sc, csvCanonical);
    const rows = await duckRows(`SELECT * FROM read_csv('${file}', all_varchar = true, header = true, quote = '"', escape = '"', new_line = '\\r\\n')`);
    const got = rows.map((r) => h(csvCanonical(Object.fromEntries(COLS.map((c) => [c, r[c] ?? null]))))).sort();
    return same(got, cache.csv);
  }
  cache.json ??= truthHashes(sc, canonical);
  if (kind === 'parquet') {
    const rows = await duckRows(`SELECT * FROM read_parquet('${file}')`);
    return same(rows.map((r) => h(canonical(fromParquet(r)))).sort(), cache.json);
  }
  return same(await lineHashes(file, canonical), cache.json);
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function docsLoops(sc, url, key) {
  const q = `start_date=${sc.from}&end_date=${sc.to}`;
  const curl = `page=1
total_pages=1
while [ "$page" -le "$total_pages" ]; do
response=$(curl -s -H "Authorization: Bearer $MBUZZ_API_KEY" \\
"${url}/api/v1/data/conversions?${q}&per_page=1000&page=$page")
echo "$response" | jq -c '.data[]'
total_pages=$(echo "$response" | jq '.meta.total_pages')
page=$((page + 1))
done`;
  const python = `import os, json, requests
def each_page(path, **params):
    page = 1
    while True:
        r = requests.get(
            f"${url}{path}",
            params={**params, "page": page, "per_page": 1000},
            headers={"Authorization": f"Bearer {os.environ['MBUZZ_API_KEY']}"},
        )
        body = r.json()
        for row in body["data"]:
            yield row
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
for row in each_page("/api/v1/data/conversions", start_date="${sc.from}", end_date="${sc.to}"):
    print(json.dumps(row))`;
  const node = `async function* eachPage(path, params = {}) {
  let page = 1;
  while (true) {
    const url = new URL(\`${url}\${path}\`);
    Object.entries({ ...params, page, per_page: 1000 })
      .forEach(([k, v]) => url.searchParams.set(k, v));
    const res = await fetch(url, {
      headers: { Authorization: \`Bearer \${process.env.MBUZZ_API_KEY}\` }
    });
    const body = await res.json();
    for (const row of body.data) yield row;
    if (page >= body.meta.total_pages) break;
    page += 1;
  }
}
for await (const row of eachPage('/api/v1/data/conversions', { start_date: '${sc.from}', end_date: '${sc.to}' })) {
  console.log(JSON.stringify(row));
}`;
  // The floor: every page over keep-alive, as many in flight as mbuzz's default, JSON.parse, no output.
  const floor = `const base = '${url}/api/v1/data/conversions?${q}&per_page=1000&page=';
const headers = { Authorization: 'Bearer ' + process.env.MBUZZ_API_KEY };
const first = await (await fetch(base + 1, { headers })).json();
let rows = first.data.length, next = 2;
const worker = async () => { for (let p = next++; p <= first.meta.total_pages; p = next++) rows += (await (await fetch(base + p, { headers })).json()).data.length; };
await Promise.all([worker(), worker(), worker(), worker()]);
console.error('rows', rows);`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'loop.sh'), curl);
  writeFileSync(join(outDir, 'loop.py'), python);
  writeFileSync(join(outDir, 'loop.mjs'), node);
  writeFileSync(join(outDir, 'floor.mjs'), floor);
  void key;
}

async function runScenario(id) {
  const sc = SCENARIOS[id];
  const { url, child } = await startSandbox(sc.latency ? ['--latency', String(sc.latency)] : []);
  const key = KEYS[sc.env];
  const env = { MBUZZ_BASE_URL: url, MBUZZ_API_KEY: key };
  docsLoops(sc, url, key);
  const o = (name) => join(outDir, name);
  const mbuzz = (fmt, extra = '') => `${bin} export conversions --from ${sc.from} --to ${sc.to} -o ${o(`mbuzz${extra ? '-c8' : ''}.${fmt}`)} --quiet ${extra}`;
  const contenders = [
    { name: 'mbuzz ndjson', cmd: mbuzz('ndjson'), out: o('mbuzz.ndjson'), kind: 'ndjson' },
    { name: 'mbuzz csv', cmd: mbuzz('csv'), out: o('mbuzz.csv'), kind: 'csv' },
    { name: 'mbuzz parquet', cmd: mbuzz('parquet'), out: o('mbuzz.parquet'), kind: 'parquet' },
    { name: 'mbuzz ndjson --concurrency 8', cmd: mbuzz('ndjson', '--concurrency 8'), out: o('mbuzz-c8.ndjson'), kind: 'ndjson' },
    { name: 'mbuzz csv --concurrency 8', cmd: mbuzz('csv', '--concurrency 8'), out: o('mbuzz-c8.csv'), kind: 'csv' },
    { name: 'mbuzz parquet --concurrency 8', cmd: mbuzz('parquet', '--concurrency 8'), out: o('mbuzz-c8.parquet'), kind: 'parquet' },
    { name: 'docs: curl + jq loop', cmd: `bash ${o('loop.sh')} > ${o('curl.ndjson')}`, out: o('curl.ndjson'), kind: 'ndjson', docs: true },
    { name: 'docs: Python requests loop', cmd: `python3 ${o('loop.py')} > ${o('python.ndjson')}`, out: o('python.ndjson'), kind: 'ndjson', docs: true },
    { name: 'docs: Node fetch loop', cmd: `${process.execPath} ${o('loop.mjs')} > ${o('node.ndjson')}`, out: o('node.ndjson'), kind: 'ndjson', docs: true },
    { name: 'Node parse floor (4 in flight, no output)', cmd: `${process.execPath} ${o('floor.mjs')}`, kind: 'floor' },
  ];
  const total = [...truthRows('conversions', { seed: 1, scale: sc.scale, environment: sc.env, from: sc.from, to: sc.to, now: NOW, dataStart: '2025-01-01' })].length;
  console.log(`\n${sc.title}: ${total.toLocaleString('en-US')} rows, ${sc.from}..${sc.to}, ${sc.env} key`);
  const results = [];
  const cache = {};
  for (const c of contenders) {
    const before = (await stats(url)).requests;
    const r = await timed(c.cmd, env);
    const requests = (await stats(url)).requests - before;
    const exact = c.kind === 'floor' ? undefined : await exactness(c.kind, c.out, sc, cache);
    const res = { ...c, ...r, requests, exact, rowsPerSec: total / r.secs };
    results.push(res);
    console.log(`  ${c.name.padEnd(42)} ${r.secs.toFixed(2).padStart(7)} s ${Math.round(res.rowsPerSec).toLocaleString('en-US').padStart(9)} rows/s ${String(requests).padStart(5)} req ${r.rss.toFixed(0).padStart(4)} MB  exact: ${exact ?? 'n/a'}${r.code ? `  EXIT ${r.code}: ${r.stderr.slice(0, 200)}` : ''}`);
    if (c.out && c.kind !== 'parquet') rmSync(c.out, { force: true });
  }
  child.kill('SIGINT');
  return { id, sc, total, results };
}

function table({ sc, total, results }) {
  const docs = results.filter((r) => r.docs);
  const fastest = docs.reduce((a, b) => (a.secs <= b.secs ? a : b));
  const lines = [
    `### ${sc.title}`,
    '',
    `${total.toLocaleString('en-US')} rows, \`--from ${sc.from} --to ${sc.to}\`, ${sc.env} key, sandbox \`--now ${NOW}${sc.latency ? ` --latency ${sc.latency}` : ''}\` (tie order per-query). Fastest docs loop: ${fastest.name.replace('docs: ', '')}.`,
    '',
    '| contender | wall s | rows/s | requests | peak RSS MB | vs fastest docs loop | exact |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const exact = r.exact === undefined ? 'n/a' : r.exact ? 'yes' : '**no**';
    lines.push(`| ${r.name} | ${r.secs.toFixed(2)} | ${Math.round(r.rowsPerSec).toLocaleString('en-US')} | ${r.requests} | ${r.rss.toFixed(0)} | ${(fastest.secs / r.secs).toFixed(2)}x | ${exact} |`);
  }
  return lines.join('\n');
}

async function memoryRuns() {
  const lines = ['### Peak RSS by size and format', '', '| rows | format | wall s | rows/s | peak RSS MB |', '|---:|---|---:|---:|---:|'];
  for (const [label, scale, from, to] of [['~1M', 1, '2025-12-26', '2026-05-19'], ['~10M', 10, '2025-12-26', '2026-05-19']]) {
    const { url, child } = await startSandbox(['--scale', String(scale)]);
    for (const fmt of ['ndjson', 'csv', 'parquet']) {
      const out = join(outDir, `mem.${fmt}`);
      const r = await timed(`${bin} export conversions --from ${from} --to ${to} -o ${out} --quiet`, { MBUZZ_BASE_URL: url, MBUZZ_API_KEY: KEYS.live });
      const rows = (await stats(url)).rows; // rows served so far (approximate per run)
      lines.push(`| ${label} | ${fmt} | ${r.secs.toFixed(1)} | ${Math.round((scale * 1_004_000) / r.secs).toLocaleString('en-US')} | ${r.rss.toFixed(0)} |`);
      console.log(`  memory ${label} ${fmt}: ${r.secs.toFixed(1)} s, ${r.rss.toFixed(0)} MB${r.code ? ` EXIT ${r.code} ${r.stderr}` : ''} (served ${rows})`);
      rmSync(out, { force: true });
    }
    child.kill('SIGINT');
  }
  return lines.join('\n');
}

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${spawnSync('uname', ['-sr'], { encoding: 'utf8' }).stdout.trim()}`;
const sections = [];
for (const id of Object.keys(SCENARIOS)) if (!only || only === id) sections.push(table(await runScenario(id)));
if (memory) sections.push(await memoryRuns());
const report = `## End-to-end benchmark (npm run bench)\n\nCommand: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\` on ${machine}, ${new Date().toISOString().slice(0, 10)}.\n\n${sections.join('\n\n')}\n`;
writeFileSync(join(outDir, 'report.md'), report);
console.log(`\nreport: ${join(outDir, 'report.md')}`);
void readFileSync;
