#!/usr/bin/env node
// The destinations end to end: `mbuzz export conversions` of ~1M rows (the sandbox's live key,
// 2025-12-26..2026-05-19) into a local file, a local partition directory, an S3 object and an S3
// prefix of partitions (the test harness's S3-protocol server, its own process), and a
// PostgreSQL table (a throwaway cluster, as test/destinations/postgres/pg-server.ts starts one).
// Each export runs alone under /usr/bin/time -v: wall time, rows/s, and the peak RSS of mbuzz
// itself (the servers are other processes). The rows each run reports are checked against the
// sandbox's own count for the range.
//
//   npm run build && node scripts/bench-destinations.mjs [--quick] [--format parquet] [--only s3,pg] [--bin PATH]
//   (npm run bench -- --destinations runs it for each format)
//
// Writes the table to stdout and to bench-out/destinations.md. PostgreSQL is skipped, saying why,
// when its server binaries are missing (apt-get install postgresql) or cannot be run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
// --bin: another build's bin/mbuzz.js (npm run bench passes its own)
const BIN = arg('--bin', join(ROOT, 'bin', 'mbuzz.js'));
const QUICK = args.includes('--quick');
const FORMAT = arg('--format', 'parquet');
const ONLY = arg('--only', undefined)?.split(',');
const NOW = '2026-05-20T12:00:00Z';
const LIVE_KEY = 'sk_live_fedcba9876543210fedcba9876543210';
const FROM = QUICK ? '2026-05-01' : '2025-12-26';
const TO = '2026-05-19';
const S3_WRITER = { accessKeyId: 'MBUZZBENCH', secretAccessKey: 'mbuzz-bench-secret-0123456789' };
const PG_USER = 'mbuzz_bench';
const PG_PASSWORD = 'mbuzz-bench-pw';

function lineOf(child) {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
  });
}

async function startSandbox() {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--now', NOW], { stdio: ['ignore', 'pipe', 'ignore'] });
  return { url: (await lineOf(child)).trim(), stop: () => child.kill('SIGINT') };
}

async function startS3(dir) {
  const config = { dir: join(dir, 's3'), buckets: ['bench'], accounts: { writer: S3_WRITER } };
  const child = spawn(process.execPath, [join(ROOT, 'test/destinations/s3/server/s3-server.mjs'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port } = JSON.parse(await lineOf(child));
  return {
    env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: S3_WRITER.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_WRITER.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' },
    stop: () => child.kill('SIGTERM'),
  };
}

// --- PostgreSQL: initdb + pg_ctl into a temp directory (as the `postgres` user when we are root)
function pgBin() {
  const base = '/usr/lib/postgresql';
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return join(spawnSync('readlink', ['-f', onPath], { encoding: 'utf8' }).stdout.trim(), '..');
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).filter((d) => existsSync(join(base, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, 'bin') : undefined;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startPostgres() {
  const bin = pgBin();
  if (!bin) return { skip: 'no PostgreSQL server binaries (apt-get install postgresql)' };
  const root = process.getuid?.() === 0;
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (root && id('-u').status !== 0) return { skip: 'running as root with no postgres user to run the server as' };
  const run = (cmd, argv) => execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...argv] : argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  // a directory of its own, which the server's user may enter (the work directory is ours alone)
  const pgdir = mkdtempSync(join(tmpdir(), 'mbuzz-bench-pg-'));
  const own = (p) => root && chownSync(p, Number(id('-u').stdout), Number(id('-g').stdout));
  own(pgdir);
  const pw = join(pgdir, 'pw');
  writeFileSync(pw, `${PG_PASSWORD}\n`, { mode: 0o600 });
  own(pw);
  run(join(bin, 'initdb'), ['-D', join(pgdir, 'data'), '-U', PG_USER, `--pwfile=${pw}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  // durability settings as a test server's: this measures mbuzz's COPY path, not the disk
  run(join(bin, 'pg_ctl'), ['-D', join(pgdir, 'data'), '-l', join(pgdir, 'log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${pgdir} -c fsync=off -c synchronous_commit=off`, 'start']);
  return {
    url: `postgresql://${PG_USER}@127.0.0.1:${port}/postgres?table=conversions_bench`,
    env: { PGPASSWORD: PG_PASSWORD },
    stop: () => {
      run(join(bin, 'pg_ctl'), ['-D', join(pgdir, 'data'), '-m', 'immediate', '-w', 'stop']);
      rmSync(pgdir, { recursive: true, force: true });
    },
  };
}

/** One export under /usr/bin/time -v: wall seconds, peak RSS (MB), the rows its summary reports. */
function timed(argv, env) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, BIN, ...argv], { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) / 1024;
      const rows = Number((/^mbuzz: ([\d,]+) rows of /m.exec(err)?.[1] ?? '0').replaceAll(',', ''));
      const message = err.split('\n').find((l) => l.startsWith('mbuzz: ') && !/ rows of /.test(l)) ?? '';
      resolve({ code, secs, rss, rows, message });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'mbuzz-bench-dest-'));
const sandbox = await startSandbox();
const s3 = await startS3(work);
const pg = await startPostgres().catch((err) => ({ skip: `PostgreSQL did not start: ${String(err.stderr ?? err.message).trim().split('\n')[0]}` }));
const base = { MBUZZ_BASE_URL: sandbox.url, MBUZZ_API_KEY: LIVE_KEY };
const range = ['export', 'conversions', '--from', FROM, '--to', TO];
const CASES = [
  ['local file', [...range, '-o', join(work, `conv.${FORMAT}`)], {}],
  ['local partitions', [...range, '-f', FORMAT, '-o', join(work, 'parts'), '--partition-by', 'date'], {}],
  ['S3 object', [...range, '-o', `s3://bench/conv.${FORMAT}`], s3.env],
  ['S3 partitions', [...range, '-f', FORMAT, '-o', 's3://bench/parts', '--partition-by', 'date'], s3.env],
  ['PostgreSQL table (COPY)', pg.skip ? undefined : [...range, '-o', pg.url], pg.env ?? {}],
];

const expected = (await (await fetch(`${sandbox.url}/api/v1/data/conversions?start_date=${FROM}&end_date=${TO}&per_page=1`, { headers: { Authorization: `Bearer ${LIVE_KEY}` } })).json())?.meta?.total_count;
const lines = [
  `## Destinations (scripts/bench-destinations.mjs)`,
  '',
  `\`node scripts/bench-destinations.mjs${args.length ? ` ${args.join(' ')}` : ''}\`: conversions ${FROM}..${TO} from the sandbox (live key${expected ? `, ${expected.toLocaleString('en-US')} rows` : ''}), ${FORMAT} where a format applies; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Peak RSS is mbuzz's own (/usr/bin/time -v); the sandbox, S3 server and PostgreSQL run in other processes on the same machine.`,
  '',
  '| destination | rows | wall s | rows/s | peak RSS MB |',
  '|---|---:|---:|---:|---:|',
];
try {
  // the sandbox generates its rows on first use: paid once here, not by the first case timed
  await timed([...range, '-o', join(work, 'warm-up.ndjson'), '--quiet'], base);
  rmSync(join(work, 'warm-up.ndjson'), { force: true });
  for (const [name, argv, env] of CASES) {
    if (ONLY && !ONLY.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue;
    if (!argv) {
      lines.push(`| ${name} | skipped: ${pg.skip} | | | |`);
      continue;
    }
    const r = await timed(argv, { ...base, ...env });
    const ok = r.code === 0 && (expected === undefined || r.rows === expected);
    lines.push(ok ? `| ${name} | ${r.rows.toLocaleString('en-US')} | ${r.secs.toFixed(1)} | ${Math.round(r.rows / r.secs).toLocaleString('en-US')} | ${r.rss.toFixed(0)} |` : `| ${name} | FAILED (exit ${r.code}, ${r.rows} rows): ${r.message} | | | |`);
    console.error(lines.at(-1));
  }
} finally {
  sandbox.stop();
  s3.stop();
  if (pg.stop) pg.stop();
  rmSync(work, { recursive: true, force: true });
}
const report = `${lines.join('\n')}\n`;
mkdirSync(join(ROOT, 'bench-out'), { recursive: true });
writeFileSync(join(ROOT, 'bench-out', 'destinations.md'), report);
process.stdout.write(report);
