#!/usr/bin/env node
// Chooses the PostgreSQL driver by measurement: rows/s and peak RSS loading N conversions-shaped
// rows through COPY ... FROM STDIN (format csv), the CSV coming from mbuzz's own writer, with
// `pg` + `pg-copy-streams` and with `postgres` (porsager), then the destination itself
// (openPostgresLoad, on pg). Each case runs in its own child process so its peak RSS is its own.
// (porsager was faster here but never settles a COPY whose last rows the server refuses,
// porsager/postgres#1173, so a load would hang instead of failing: pg was chosen.)
//
//   npm run build && node scripts/bench-pg-drivers.mjs --url postgresql://u:p@127.0.0.1:5432/db \
//       [--rows 1000000] [--node-modules /tmp/pgdrivers/node_modules]
//
// --node-modules points at an install holding both drivers; `postgres` is only a comparison,
// never a dependency, so it lives OUTSIDE this repo:
//   mkdir /tmp/pgdrivers && cd /tmp/pgdrivers && npm i pg pg-copy-streams postgres
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conversions, DAY0 } from './bench-rows.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROWS = Number(arg('--rows', '1000000'));
const URL_ = arg('--url', process.env.DATABASE_URL);
const MODULES = arg('--node-modules', join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules'));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const need = (name) => createRequire(join(MODULES, 'x.js'))(name);


async function prepare(run) {
  const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
  const { createTable } = await dist('schema/ddl.js');
  const table = `bench_${process.pid}`;
  const ddl = createTable(table, CONVERSIONS_COLUMNS, 'postgres');
  const names = CONVERSIONS_COLUMNS.map((c) => `"${c.name}"`).join(', ');
  return { table, ddl, copy: `COPY ${table} (${names}) FROM STDIN WITH (FORMAT csv)`, columns: CONVERSIONS_COLUMNS, run };
}

/**
 * Writes the CSV (no header) into a Node Writable through mbuzz's StreamSink; `yieldEvery` bytes
 * gives the event loop a turn (what src/destinations/postgres/copy-sink.ts does).
 */
async function writeInto(stream, columns, yieldEvery = Infinity) {
  const { writeCsv } = await dist('writers/index.js');
  const { StreamSink } = await dist('writers/stream-sink.js');
  const inner = new StreamSink(stream, (e) => (e instanceof Error ? e : new Error(String(e))));
  let since = 0;
  const sink = {
    async write(chunk) {
      await inner.write(chunk);
      since += chunk.length;
      if (since >= yieldEvery) {
        since = 0;
        await new Promise((r) => setImmediate(r));
      }
    },
    flushed: () => inner.flushed(),
  };
  const n = await writeCsv(conversions(ROWS), sink, { columns, header: false });
  await sink.flushed();
  return n;
}

async function viaPg(yieldEvery) {
  const { Client } = need('pg');
  const { from } = need('pg-copy-streams');
  const b = await prepare();
  const client = new Client({ connectionString: URL_ });
  await client.connect();
  await client.query('BEGIN');
  await client.query(b.ddl);
  const stream = client.query(from(b.copy));
  const done = new Promise((res, rej) => {
    stream.on('finish', res);
    stream.on('error', rej);
  });
  const n = await writeInto(stream, b.columns, yieldEvery);
  stream.end();
  await done;
  await client.query('ROLLBACK');
  await client.end();
  return n;
}

async function viaPorsager() {
  const postgres = need('postgres');
  const b = await prepare();
  const sql = postgres(URL_, { max: 1, onnotice: () => {} });
  let n = 0;
  await sql
    .begin(async (tx) => {
      await tx.unsafe(b.ddl);
      const stream = await tx.unsafe(b.copy).writable();
      const done = new Promise((res, rej) => {
        stream.on('finish', res);
        stream.on('error', rej);
      });
      n = await writeInto(stream, b.columns);
      stream.end();
      await done;
      throw Object.assign(new Error('rollback'), { rollback: true });
    })
    .catch((e) => {
      if (!e.rollback) throw e;
    });
  await sql.end();
  return n;
}

/** The destination itself (dist/), driver pg: check, then one load of all the rows' days. */
async function viaMbuzz() {
  const { openPostgresLoad, checkPostgresTarget, parsePostgresUrl } = await dist('destinations/postgres/index.js');
  const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
  const target = parsePostgresUrl(`${URL_}${URL_.includes('?') ? '&' : '?'}table=bench_load_${process.pid}`, { vars: process.env });
  const spec = { dataset: 'conversions', columns: CONVERSIONS_COLUMNS, dateColumn: 'date' };
  await checkPostgresTarget(target, spec, { vars: process.env });
  const days = Array.from({ length: Math.ceil(ROWS / 25000) }, (_, i) => new Date(DAY0 + i * 86400000).toISOString().slice(0, 10));
  const load = await openPostgresLoad(target, { spec, scope: { days }, version: 'bench', vars: process.env });
  const n = await load.writer(conversions(ROWS), load.sink, { columns: CONVERSIONS_COLUMNS });
  await load.commit();
  return n;
}

const CASES = {
  'csv writer to nothing (baseline)': async () => {
    const { writeCsv } = await dist('writers/index.js');
    const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
    return writeCsv(conversions(ROWS), { write: async () => {} }, { columns: CONVERSIONS_COLUMNS, header: false });
  },
  'pg 8 + pg-copy-streams 7': () => viaPg(Infinity),
  'pg 8 + pg-copy-streams 7, event loop turn every 1 MB': () => viaPg(1 << 20),
  'postgres 3 (porsager)': viaPorsager,
  'mbuzz openPostgresLoad (pg; DELETE, COPY, count check, load record, COMMIT)': viaMbuzz,
};

async function child(name) {
  const t0 = performance.now();
  const rows = await CASES[name]();
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ name, rows, seconds, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function parent() {
  if (!URL_) throw new Error('give --url postgresql://... (or DATABASE_URL)');
  const only = arg('--only', undefined)?.split(',');
  const names = Object.keys(CASES).filter((n) => !only || only.some((o) => n.includes(o)));
  const { version } = createRequire(import.meta.url)(join(ROOT, 'package.json'));
  console.log(`mbuzz ${version}, COPY of ${ROWS.toLocaleString('en')} conversions rows, node ${process.version}, ${cpus().length} CPUs\n`);
  console.log('| case | rows/s | seconds | peak RSS MB |');
  console.log('|---|---:|---:|---:|');
  for (const name of names) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, '--rows', String(ROWS), '--url', URL_, '--node-modules', MODULES], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`| ${name} | failed: ${(r.stderr || '').trim().split('\n').at(-1)} | | |`);
      continue;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
    console.log(`| ${name} | ${Math.round(res.rows / res.seconds).toLocaleString('en')} | ${res.seconds.toFixed(2)} | ${Math.round(res.peakRssMB)} |`);
  }
}

const childName = arg('--child', undefined);
if (childName) await child(childName);
else parent();
