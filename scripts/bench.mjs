#!/usr/bin/env node
// npm run bench: mbuzz against the API docs' own pagination loops and a Node fetch+parse floor, on
// the same data, from a server that costs the machine little (scripts/bench-server.mjs).
//
//   node scripts/bench.mjs                      scenarios (a) and (b) and start-up; report in bench-out/report.md
//   node scripts/bench.mjs --scenario b         one scenario (a, b, startup, memory, profile, verify)
//   node scripts/bench.mjs --memory             also peak RSS at 300k, 1M and 10M rows per format (slow; --sizes 300k,1M for fewer)
//   node scripts/bench.mjs --destinations       also ~1M rows into a file, partitions, S3 and PostgreSQL (bench-destinations.mjs)
//   node scripts/bench.mjs --profile            top self-time functions of one NDJSON export (node --cpu-prof)
//   node scripts/bench.mjs --verify             the bench server's answers equal the sandbox's, byte for byte
//   options: --runs N (median of N), --quick (small ranges), --mbuzz-only, --server sandbox,
//            --ties stable, --bin PATH (another build's bin/mbuzz.js), --before PATH (each mbuzz
//            contender also run with that build, right before this one's, for before/after tables)
//
// Each contender runs alone under /usr/bin/time: wall seconds, client CPU seconds (user+sys of the
// client and its children), peak RSS. The server's CPU during the run is read from /proc and shown
// beside it. Requests are counted by the server; exactness is checked against the sandbox's own
// generator (truthRows) as a multiset of row hashes. The machine is shared: CPU seconds are the
// figure to compare; wall seconds move with whatever else runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { exact, KEYS, median, root, startServer, timed, truthRows } from './bench-lib.mjs';
import { writeLoops } from './bench-loops.mjs';
import { destinationRuns, memoryRuns, profileRun, startupRuns, verifyServer } from './bench-extra.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const quick = args.includes('--quick');
const runs = Number(opt('runs', '1'));
const bin = resolve(opt('bin', join(root, 'bin', 'mbuzz.js')));
const before = args.includes('--before') ? resolve(opt('before')) : undefined;
const serverKind = opt('server', 'bench');
const ties = opt('ties', 'per-query');
const outDir = join(root, 'bench-out');
const only = opt('scenario');

export const SCENARIOS = {
  a: { title: '(a) CPU-bound: ~1M conversion rows, no added latency', env: 'live', scale: 1, from: quick ? '2026-05-01' : '2025-12-22', to: '2026-05-19', latency: 0 },
  b: { title: '(b) latency-bound: 50 ms per response, ~1,700-row days', env: 'live', scale: 0.25, from: quick ? '2026-05-01' : '2026-03-21', to: '2026-05-19', latency: 50 },
};

async function runScenario(id) {
  const sc = SCENARIOS[id];
  const server = await startServer(serverKind, sc, { ties, bin });
  const env = { MBUZZ_BASE_URL: server.url, MBUZZ_API_KEY: KEYS[sc.env] };
  writeLoops(outDir, sc, server.url);
  const o = (name) => join(outDir, name);
  const build = (b, label) => (fmt, extra = '') => ({
    name: `${label}mbuzz ${fmt}${extra ? ` ${extra}` : ''}`,
    cmd: `${b} export conversions --from ${sc.from} --to ${sc.to} -o ${o(`mbuzz.${fmt}`)} --quiet ${extra}`,
    out: o(`mbuzz.${fmt}`),
    kind: fmt,
  });
  // --before: the other build right before this one, so both meet the same load
  const mbuzz = (fmt, extra) => [...(before ? [build(before, 'before: ')(fmt, extra)] : []), build(bin, before ? 'after: ' : '')(fmt, extra)];
  const contenders = [
    ...mbuzz('ndjson'),
    ...mbuzz('csv'),
    ...mbuzz('parquet'),
    ...mbuzz('ndjson', '--concurrency 8'),
    ...(args.includes('--mbuzz-only')
      ? []
      : [
          { name: 'docs: curl + jq loop', cmd: `bash ${o('loop.sh')} > ${o('curl.ndjson')}`, out: o('curl.ndjson'), kind: 'ndjson', docs: true },
          { name: 'docs: Python requests loop', cmd: `python3 ${o('loop.py')} > ${o('python.ndjson')}`, out: o('python.ndjson'), kind: 'ndjson', docs: true },
          { name: 'docs: Node fetch loop', cmd: `${process.execPath} ${o('loop.mjs')} > ${o('node.ndjson')}`, out: o('node.ndjson'), kind: 'ndjson', docs: true },
          { name: 'floor: Node fetch + JSON.parse, 4 in flight', cmd: `${process.execPath} ${o('floor4.mjs')}`, kind: 'floor' },
          { name: 'floor: Node fetch + JSON.parse, 8 in flight', cmd: `${process.execPath} ${o('floor8.mjs')}`, kind: 'floor' },
        ]),
  ];
  let total = 0;
  for (const _ of await truthRows(sc)) total++;
  console.log(`\n${sc.title}: ${total.toLocaleString('en-US')} rows, ${sc.from}..${sc.to}, ${sc.env} key, scale ${sc.scale}, ${server.kind} server, ties ${ties}`);
  const results = [];
  const cache = {};
  for (const c of contenders) {
    const tries = [];
    for (let i = 0; i < (c.name.startsWith('docs: curl') ? 1 : runs); i++) {
      const at = { stats: await server.stats(), cpu: server.cpu() };
      const r = await timed(c.cmd, env);
      const requests = (await server.stats()).requests - at.stats.requests;
      tries.push({ ...r, requests, serverCpu: server.cpu() - at.cpu });
      if (r.code) break;
    }
    const exactOut = c.kind === 'floor' ? undefined : await exact(c.kind, c.out, sc, cache);
    const res = {
      ...c,
      code: tries.find((t) => t.code)?.code ?? 0,
      stderr: tries.at(-1).stderr,
      secs: median(tries.map((t) => t.secs)),
      cpu: median(tries.map((t) => t.cpu)),
      serverCpu: median(tries.map((t) => t.serverCpu)),
      rss: Math.max(...tries.map((t) => t.rss)),
      requests: tries.at(-1).requests,
      exact: exactOut,
    };
    res.rowsPerSec = total / res.secs;
    results.push(res);
    console.log(
      `  ${c.name.padEnd(46)} ${res.secs.toFixed(2).padStart(7)} s ${Math.round(res.rowsPerSec).toLocaleString('en-US').padStart(9)} rows/s ${String(res.requests).padStart(5)} req  cpu ${res.cpu.toFixed(2).padStart(6)} s  server ${res.serverCpu.toFixed(2).padStart(5)} s ${res.rss.toFixed(0).padStart(4)} MB  exact: ${exactOut ?? 'n/a'}${res.code ? `  EXIT ${res.code}: ${res.stderr.slice(0, 300)}` : ''}`,
    );
    if (c.out) rmSync(c.out, { force: true });
  }
  await server.stop();
  return { sc, total, results };
}

function table({ sc, total, results }) {
  const docs = results.filter((r) => r.docs && !r.code);
  const fastest = docs.length ? docs.reduce((a, b) => (a.secs <= b.secs ? a : b)) : undefined;
  const floors = results.filter((r) => r.kind === 'floor' && !r.code);
  const floor = floors.length ? floors.reduce((a, b) => (a.secs <= b.secs ? a : b)) : undefined;
  const lines = [
    `### ${sc.title}`,
    '',
    `${total.toLocaleString('en-US')} rows, \`--from ${sc.from} --to ${sc.to}\`, ${sc.env} key, scale ${sc.scale}${sc.latency ? `, ${sc.latency} ms per response` : ''}; ${serverKind} server, ties ${ties}${runs > 1 ? `; median of ${runs} runs (curl + jq: one)` : ''}.${fastest ? ` Fastest docs loop: ${fastest.name.replace('docs: ', '')}.` : ''}${floor ? ` Floor: ${floor.name.replace('floor: ', '')}.` : ''}`,
    '',
    '| contender | wall s | rows/s | requests | client CPU s | server CPU s | peak RSS MB | vs fastest docs loop | % of floor rows/s | exact |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const ex = r.code ? `**exit ${r.code}**` : r.exact === undefined ? 'n/a' : r.exact ? 'yes' : '**no**';
    const vs = fastest ? `${(fastest.secs / r.secs).toFixed(2)}x` : '';
    const pf = floor ? `${Math.round((100 * floor.secs) / r.secs)}%` : '';
    lines.push(`| ${r.name} | ${r.secs.toFixed(2)} | ${Math.round(r.rowsPerSec).toLocaleString('en-US')} | ${r.requests} | ${r.cpu.toFixed(2)} | ${r.serverCpu.toFixed(2)} | ${r.rss.toFixed(0)} | ${vs} | ${pf} | ${ex} |`);
  }
  return lines.join('\n');
}

const wanted = (id) => (only ? only === id : ['a', 'b', 'startup'].includes(id) || args.includes(`--${id}`));
mkdirSync(outDir, { recursive: true });
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${spawnSync('uname', ['-sr'], { encoding: 'utf8' }).stdout.trim()}, load average ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ')} at the start`;
const sections = [];
if (wanted('verify')) sections.push(await verifyServer());
for (const id of ['a', 'b']) if (wanted(id)) sections.push(table(await runScenario(id)));
if (wanted('startup')) sections.push(await startupRuns(bin, quick ? 5 : 21, before));
if (wanted('memory')) sections.push(await memoryRuns(bin, outDir, { quick, serverKind, sizes: opt('sizes')?.split(',') }));
if (wanted('profile')) sections.push(await profileRun(bin, outDir, SCENARIOS.a, { quick }));
// Every destination (file, partitions, S3 object and prefix, PostgreSQL), each its own servers
if (wanted('destinations')) sections.push(destinationRuns(bin, { quick }));
const report = `## End-to-end benchmark (npm run bench)\n\nCommand: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\`${bin !== join(root, 'bin', 'mbuzz.js') ? ` (mbuzz: ${bin})` : ''}${before ? ` (before: ${before})` : ''} on ${machine}, ${new Date().toISOString().slice(0, 10)}.\n\n${sections.join('\n\n')}\n`;
const file = resolve(opt('report', join(outDir, 'report.md')));
writeFileSync(file, report);
console.log(`\nreport: ${file}`);
