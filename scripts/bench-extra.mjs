// The benchmark's other sections: start-up, memory by size and format, a CPU profile summary, and
// the check that the benchmark server answers exactly as the sandbox does.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KEYS, median, NOW, root, startServer, timed } from './bench-lib.mjs';

const node = process.execPath;

/** `mbuzz --version` and friends against `node -e 0`, interleaved, median of n each. */
export async function startupRuns(bin, n, before) {
  const commands = ['--version', '--help', 'export --help', 'datasets'];
  const cases = [
    ['node -e 0', `${node} -e 0`],
    ...commands.flatMap((c) => [...(before ? [[`before: mbuzz ${c}`, `${node} ${before} ${c}`]] : []), [`${before ? 'after: ' : ''}mbuzz ${c}`, `${node} ${bin} ${c}`]]),
  ];
  const got = new Map(cases.map(([name]) => [name, []]));
  for (let i = 0; i < n; i++) for (const [name, cmd] of cases) got.get(name).push(await timed(`${cmd} > /dev/null`, {}));
  const base = got.get('node -e 0');
  const [w0, c0] = [median(base.map((r) => r.secs)), median(base.map((r) => r.cpu))];
  const lines = [
    '### Start-up',
    '',
    `Median of ${n} runs each, interleaved; CPU = user+sys of the process.`,
    '',
    '| command | wall ms | CPU ms | wall over `node -e 0` ms | CPU over `node -e 0` ms | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [name] of cases) {
    const rs = got.get(name);
    const [w, c] = [median(rs.map((r) => r.secs)), median(rs.map((r) => r.cpu))];
    lines.push(`| ${name} | ${(w * 1000).toFixed(0)} | ${(c * 1000).toFixed(0)} | ${((w - w0) * 1000).toFixed(0)} | ${((c - c0) * 1000).toFixed(0)} | ${median(rs.map((r) => r.rss)).toFixed(0)} |`);
    console.log(`  start-up ${name.padEnd(22)} wall ${(w * 1000).toFixed(0)} ms, cpu ${(c * 1000).toFixed(0)} ms`);
  }
  return lines.join('\n');
}

const SIZES = [
  // label, scale, from, to, server
  ['~300k', 1, '2026-04-05', '2026-05-19', 'bench'],
  ['~1M', 1, '2025-12-22', '2026-05-19', 'bench'],
  // ten times the data: pre-rendering it would take ~5 GB, so the sandbox serves it (its CPU is not the point here)
  ['~10M', 10, '2025-12-22', '2026-05-19', 'sandbox'],
];

/** Peak RSS by size, format and destination. */
export async function memoryRuns(bin, outDir, { quick, sizes }) {
  const lines = ['### Peak RSS by size, format and destination', '', '| rows | output | wall s | client CPU s | peak RSS MB | exit |', '|---:|---|---:|---:|---:|---|'];
  // sizes: the labels to run (--sizes 300k,1M), all three by default
  const chosen = SIZES.filter(([label]) => !sizes || sizes.includes(label.slice(1)));
  for (const [label, scale, from, to, kind] of quick ? [['~100k', 0.25, '2026-04-01', '2026-05-19', 'bench']] : chosen) {
    const server = await startServer(kind, { env: 'live', scale, from, to, latency: 0 }, { bin });
    const env = { MBUZZ_BASE_URL: server.url, MBUZZ_API_KEY: KEYS.live };
    const base = `${bin} export conversions --from ${from} --to ${to} --quiet`;
    const outputs = [
      ['ndjson file', `${base} -o ${join(outDir, 'mem.ndjson')}`],
      ['csv file', `${base} -o ${join(outDir, 'mem.csv')}`],
      ['parquet file', `${base} -o ${join(outDir, 'mem.parquet')}`],
      ['ndjson stdout', `${base} > /dev/null`],
      ['ndjson --partition-by date', `rm -rf ${join(outDir, 'mem-parts')} && ${base} --partition-by date -o ${join(outDir, 'mem-parts')}`],
    ];
    for (const [what, cmd] of outputs) {
      const r = await timed(cmd, env);
      lines.push(`| ${label} | ${what} | ${r.secs.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.rss.toFixed(0)} | ${r.code}${r.code ? ` ${r.stderr.slice(0, 120)}` : ''} |`);
      console.log(`  memory ${label} ${what}: ${r.secs.toFixed(1)} s, cpu ${r.cpu.toFixed(1)} s, ${r.rss.toFixed(0)} MB${r.code ? ` EXIT ${r.code} ${r.stderr}` : ''}`);
    }
    for (const f of ['mem.ndjson', 'mem.csv', 'mem.parquet', 'mem-parts']) rmSync(join(outDir, f), { recursive: true, force: true });
    await server.stop();
  }
  return lines.join('\n');
}

/** scripts/bench-destinations.mjs (its own S3 and PostgreSQL servers) for every format; its tables. */
export function destinationRuns(bin, { quick }) {
  const tables = [];
  for (const format of ['ndjson', 'csv', 'parquet']) {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-destinations.mjs'), '--format', format, '--bin', bin, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(r.stdout);
    tables.push(`#### ${format}\n\n${r.stdout.trim()}`);
  }
  return `### Destinations: ~1M rows into each (peak RSS of mbuzz alone)\n\n${tables.join('\n\n')}`;
}

/** node --cpu-prof of one NDJSON export; the top 10 functions by self time. */
export async function profileRun(bin, outDir, sc, { quick }) {
  const range = { ...sc, from: quick ? '2026-05-10' : '2026-03-09' }; // ~500k rows
  const dir = join(outDir, 'cpu-prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startServer('bench', range, { bin });
  const r = await timed(`${node} --cpu-prof --cpu-prof-dir=${dir} ${bin} export conversions --from ${range.from} --to ${range.to} -o ${join(outDir, 'prof.ndjson')} --quiet`, {
    MBUZZ_BASE_URL: server.url,
    MBUZZ_API_KEY: KEYS.live,
  });
  await server.stop();
  rmSync(join(outDir, 'prof.ndjson'), { force: true });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const top = topSelfTime(JSON.parse(readFileSync(join(dir, file), 'utf8')), 10);
  const lines = [
    '### CPU profile: top 10 functions by self time',
    '',
    `\`node --cpu-prof ${basename(bin)} export conversions --from ${range.from} --to ${range.to} -o prof.ndjson\` (${r.cpu.toFixed(1)} s CPU; the main thread's samples).`,
    '',
    '| function | where | self ms | % |',
    '|---|---|---:|---:|',
    ...top.map((t) => `| ${t.name} | ${t.where} | ${t.ms.toFixed(0)} | ${t.pct.toFixed(1)} |`),
  ];
  for (const t of top) console.log(`  ${t.pct.toFixed(1).padStart(5)}% ${t.ms.toFixed(0).padStart(6)} ms  ${t.name}  ${t.where}`);
  return lines.join('\n');
}

export function topSelfTime(profile, n) {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const agg = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}\t${where}`;
    agg.set(key, (agg.get(key) ?? 0) + us);
    total += us;
  }
  return [...agg]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => ({ name: k.split('\t')[0], where: k.split('\t')[1], ms: us / 1000, pct: (100 * us) / total }));
}

/** The benchmark server against the sandbox's own request handler, on queries of every kind mbuzz and the loops send. */
export async function verifyServer() {
  const { handleApiRequest } = await import(join(root, 'dist/sandbox/handler.js'));
  const { SandboxWorld } = await import(join(root, 'dist/sandbox/world.js'));
  const sc = { env: 'live', scale: 0.25, from: '2026-05-01', to: '2026-05-19', latency: 0 };
  const auth = `Bearer ${KEYS.live}`;
  const queries = [];
  for (let p = 1; p <= 36; p++) queries.push(`start_date=${sc.from}&end_date=${sc.to}&per_page=1000&page=${p}`);
  for (const d of ['2026-05-01', '2026-05-02..2026-05-04', '2026-05-19'])
    for (const ch of [[], ['direct'], ['email', 'ai', 'other'], ['paid_search', 'organic_search']])
      for (const [pp, pg] of [[1000, 1], [1000, 2], [667, 2], [1, 1], [333, 4], [2, 500]]) {
        const [a, b = a] = d.split('..');
        queries.push(`start_date=${a}&end_date=${b}${ch.map((c) => `&channels%5B%5D=${c}`).join('')}&page=${pg}&per_page=${pp}`);
      }
  const lines = ['### The benchmark server answers as the sandbox does', ''];
  for (const ties of ['per-query', 'stable']) {
    const server = await startServer('bench', sc, { ties });
    const ctx = { world: new SandboxWorld({ seed: 1, scale: sc.scale, dataStart: 20089 }), tieOrder: ties, seed: 1, nowMs: () => Date.parse(NOW) };
    let differ = 0;
    for (const q of queries) {
      const mine = await (await fetch(`${server.url}/api/v1/data/conversions?${q}`, { headers: { authorization: auth } })).text();
      if (mine !== handleApiRequest(ctx, 'GET', '/api/v1/data/conversions', q, auth).body) differ++;
    }
    await server.stop();
    lines.push(`- ties ${ties}: ${queries.length} queries (whole-range pages, days and runs of days, channel filters, probe sizes, one-row counts, past the end), ${differ} differ from the sandbox's bodies.`);
    console.log(`  verify ties ${ties}: ${queries.length} queries, ${differ} differ`);
  }
  return lines.join('\n');
}
