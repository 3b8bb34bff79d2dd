// The parts of `npm run bench` that are not the scenarios: the servers (each in its own process,
// its CPU read from /proc so it can be reported apart from the client's), running one contender
// under /usr/bin/time, and checking its output against the sandbox's own generator.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NOW = '2026-05-20T12:00:00Z';
export const KEYS = { test: 'sk_test_0123456789abcdef0123456789abcdef', live: 'sk_live_fedcba9876543210fedcba9876543210' };
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these

// A server must not outlive the benchmark, however it ends.
const servers = new Set();
process.on('exit', () => {
  for (const child of servers) child.kill();
});

/**
 * `bench`: scripts/bench-server.mjs (pages cut from pre-rendered bytes); `sandbox`: `mbuzz sandbox`
 * (renders every page, costs the machine more). Either way its own process, on 127.0.0.1.
 */
export function startServer(kind, sc, { ties = 'per-query', bin = join(root, 'bin', 'mbuzz.js') } = {}) {
  const args =
    kind === 'bench'
      ? [join(root, 'scripts', 'bench-server.mjs'), '--from', sc.from, '--to', sc.to, '--scale', String(sc.scale), '--env', sc.env, '--now', NOW, '--ties', ties, '--latency', String(sc.latency)]
      : [bin, 'sandbox', '--port', '0', '--now', NOW, '--scale', String(sc.scale), '--tie-order', ties, ...(sc.latency ? ['--latency', String(sc.latency)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (url) =>
      resolve({
        url: url.trim(),
        kind,
        cpu: () => cpuSeconds(child.pid),
        // a fresh connection each time: a pooled one may have idled past the server's keep-alive
        stats: async () => (await fetch(`${url.trim()}/_sandbox/stats`, { headers: { connection: 'close' } })).json(),
        stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGINT')))),
      }),
    );
    child.once('exit', (c) => reject(new Error(`${kind} server exited ${c}`)));
  });
}

/** User+system CPU seconds a live process has used (Linux /proc). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14, 15)
}

/** Runs a shell command under /usr/bin/time: wall seconds, user+sys CPU seconds (children included), peak RSS MB. */
export function timed(command, env) {
  const report = join(tmpdir(), `mbuzz-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-o', report, '-f', '%e %U %S %M', 'bash', '-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const last = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ');
      rmSync(report, { force: true });
      resolve({ code, secs, cpu: Number(last[1]) + Number(last[2]), rss: Number(last[3]) / 1024, stderr: err.trim() });
    });
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- exactness: a multiset of row hashes against the generator's truth ----

const h = (s) => createHash('sha1').update(s).digest('base64').slice(0, 16);
const COLS = ['date', 'type', 'name', 'funnel', 'attribution_model', 'algorithm', 'channel', 'credit', 'revenue', 'revenue_credit', 'currency', 'utm_source', 'utm_medium', 'utm_campaign', 'is_acquisition', 'properties', 'journey_position', 'touchpoint_index', 'journey_length', 'days_to_conversion'];
const canonical = (r) => JSON.stringify(COLS.map((c) => (c === 'properties' && typeof r[c] === 'string' ? JSON.parse(r[c]) : r[c] === undefined ? null : r[c])));
// A CSV cell keeps the server's digits (1.0, 1.0e-05) and its JSON text: compared as values.
const NUMERIC = new Set(['credit', 'revenue', 'revenue_credit', 'touchpoint_index', 'journey_length', 'days_to_conversion']);
const csvCell = (c, v) => {
  if (v === null || v === undefined || v === '') return '';
  if (NUMERIC.has(c)) return String(Number(v));
  if (c === 'properties') return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};
const csvCanonical = (r) => JSON.stringify(COLS.map((c) => csvCell(c, r[c])));
const number = (v) => (v === null ? null : Number(v));
const fromParquet = (r) => ({ ...r, credit: number(r.credit), revenue: number(r.revenue), revenue_credit: number(r.revenue_credit), touchpoint_index: number(r.touchpoint_index), journey_length: number(r.journey_length), days_to_conversion: number(r.days_to_conversion) });

export async function truthRows(sc) {
  const { truthRows: rows } = await import(join(root, 'dist/sandbox/truth.js'));
  return rows('conversions', { seed: 1, scale: sc.scale, environment: sc.env, from: sc.from, to: sc.to, now: NOW, dataStart: '2025-01-01' });
}

async function truthHashes(sc, render) {
  const out = [];
  for (const row of await truthRows(sc)) out.push(h(render(row)));
  return out.sort();
}

async function duckRows(sql) {
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

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** True when the file holds exactly the generator's rows for the scenario, each once. */
export async function exact(kind, file, sc, cache) {
  if (!existsSync(file) || statSync(file).size === 0) return false;
  if (kind === 'csv') {
    cache.csv ??= await truthHashes(sc, csvCanonical);
    const rows = await duckRows(`SELECT * FROM read_csv('${file}', all_varchar = true, header = true, quote = '"', escape = '"', new_line = '\\r\\n')`);
    return same(rows.map((r) => h(csvCanonical(Object.fromEntries(COLS.map((c) => [c, r[c] ?? null]))))).sort(), cache.csv);
  }
  cache.json ??= await truthHashes(sc, canonical);
  if (kind === 'parquet') return same((await duckRows(`SELECT * FROM read_parquet('${file}')`)).map((r) => h(canonical(fromParquet(r)))).sort(), cache.json);
  const out = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line) out.push(h(canonical(JSON.parse(line))));
  return same(out.sort(), cache.json);
}
