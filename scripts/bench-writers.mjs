#!/usr/bin/env node
// Micro-benchmark of the row writers: rows/s and peak RSS writing N conversions-shaped rows
// from an in-memory source to a file. Each case runs in its own child process so peak RSS
// belongs to that case alone.
//
//   npx tsc -p tsconfig.json && node scripts/bench-writers.mjs [--rows 1000000] [--only a,b]
//                                       [--parquetjs /tmp/deps/node_modules/parquetjs-lite]
//
// Runs against dist/ (the compiled writers). --parquetjs points at a parquetjs-lite
// installed OUTSIDE this repo; it is only a comparison and never a dependency.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROWS = Number(arg('--rows', '1000000'));
const PARQUETJS = arg('--parquetjs', undefined);

// --- the source: deterministic rows shaped like mbuzz conversions -------------------------

const CHANNELS = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'display', 'affiliate', 'referral', 'video', 'ai', 'direct', 'other'];
const ALGOS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'u_shaped', 'participation', 'markov_chain', 'shapley_value'];
const MODELS = ['First Touch', 'Last Touch', 'Linear', 'Time Decay', 'U-Shaped', 'Participation', 'Markov', 'Shapley'];
const NAMES = ['purchase', 'signup', 'trial_start', 'demo_booked', 'upgrade'];
const SOURCES = Array.from({ length: 20 }, (_, i) => `source_${i}`);
const MEDIUMS = ['cpc', 'email', 'social', 'referral', 'display', 'organic'];
const CAMPAIGNS = Array.from({ length: 200 }, (_, i) => (i % 17 === 0 ? `spring, "sale" ${i}` : `campaign_${i}`));
const POSITIONS = ['first_touch', 'assisted', 'last_touch'];
const DAY0 = Date.UTC(2026, 3, 1);

async function* conversions(n) {
  // mulberry32: cheap, and unlike a float LCG it does not fall into a short cycle (which
  // would flatter every compressor).
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const model = i % 8;
    const hasRevenue = rand() < 0.7;
    const revenue = hasRevenue ? Math.round(rand() * 50000) / 100 : null;
    const idx = rand() < 0.9 ? Math.floor(rand() * 5) : null;
    yield {
      date: new Date(DAY0 + Math.floor(i / 25000) * 86400000).toISOString().slice(0, 10),
      type: 'conversion',
      name: NAMES[i % 5],
      funnel: i % 4 === 0 ? null : 'checkout',
      attribution_model: MODELS[model],
      algorithm: ALGOS[model],
      channel: CHANNELS[Math.floor(rand() * 12)],
      credit: Math.round(rand() * 10000) / 10000,
      revenue,
      revenue_credit: hasRevenue ? Math.round(revenue * 2500) / 10000 : null,
      currency: hasRevenue ? 'USD' : null,
      utm_source: rand() < 0.8 ? SOURCES[Math.floor(rand() * 20)] : null,
      utm_medium: rand() < 0.8 ? MEDIUMS[Math.floor(rand() * 6)] : null,
      utm_campaign: rand() < 0.8 ? CAMPAIGNS[Math.floor(rand() * 200)] : null,
      is_acquisition: rand() < 0.3,
      properties: { order_id: `ord_${Math.floor(i / 8)}`, plan: i % 3 ? 'pro' : 'team', items: 1 + (i % 4) },
      journey_position: idx === null ? null : POSITIONS[Math.min(idx, 2)],
      touchpoint_index: idx,
      journey_length: idx === null ? null : 5,
      days_to_conversion: rand() < 0.9 ? Math.floor(rand() * 60) : null,
    };
  }
}

// --- the cases --------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));

async function fileOut(path, gzip = false) {
  const { openFileSink } = await dist('writers/index.js');
  return openFileSink(path, { gzip });
}

async function viaWriter(format, path, extra = {}, gzip = false) {
  const { writerFor } = await dist('writers/index.js');
  const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
  const out = await fileOut(path, gzip);
  const n = await writerFor(format)(conversions(ROWS), out.sink, { columns: CONVERSIONS_COLUMNS, ...extra });
  await out.commit();
  return n;
}

const CASES = {
  'source only (no writer)': async () => {
    let n = 0;
    for await (const _ of conversions(ROWS)) n++;
    return n;
  },
  'ndjson projected': (p) => viaWriter('ndjson', p),
  'ndjson passThrough': (p) => viaWriter('ndjson', p, { passThrough: true }),
  'ndjson projected + gzip': (p) => viaWriter('ndjson', p, {}, true),
  'csv plain RFC 4180 escaper (chosen)': (p) => viaWriter('csv', p),
  'csv csv-stringify sync, 1000-row batches': async (p) => {
    const { stringify } = await import('csv-stringify/sync');
    const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
    const { textOf } = await dist('writers/index.js');
    const names = CONVERSIONS_COLUMNS.map((c) => c.name);
    const types = CONVERSIONS_COLUMNS.map((c) => c.type);
    // quote_record_delimiter must be forced on: setting record_delimiter turns it off.
    const opts = { record_delimiter: '\r\n', quote_record_delimiter: true };
    const out = await fileOut(p);
    await out.sink.write(stringify([names], opts));
    let batch = [];
    let n = 0;
    for await (const row of conversions(ROWS)) {
      batch.push(names.map((name, i) => textOf(types[i], row[name])));
      n++;
      if (batch.length === 1000) {
        await out.sink.write(stringify(batch, opts));
        batch = [];
      }
    }
    if (batch.length) await out.sink.write(stringify(batch, opts));
    await out.commit();
    return n;
  },
  'csv csv-stringify stream API': async (p) => {
    const { stringify } = await import('csv-stringify');
    const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
    let n = 0;
    async function* counted() {
      for await (const row of conversions(ROWS)) {
        n++;
        yield row;
      }
    }
    await pipeline(
      Readable.from(counted()),
      stringify({
        header: true,
        columns: CONVERSIONS_COLUMNS.map((c) => c.name),
        record_delimiter: '\r\n',
        quote_record_delimiter: true,
        cast: { boolean: (b) => (b ? 'true' : 'false') },
      }),
      createWriteStream(p),
    );
    return n;
  },
  ...Object.fromEntries(
    [10_000, 25_000, 50_000, 100_000].map((g) => [`parquet hyparquet-writer SNAPPY, ${g / 1000}k-row groups`, (p) => viaWriter('parquet', p, { rowGroupSize: g })]),
  ),
  'parquet hyparquet-writer GZIP (node:zlib), 25k-row groups': (p) => viaWriter('parquet', p, { parquetCodec: 'GZIP', rowGroupSize: 25_000 }),
  'parquet hyparquet-writer BROTLI q4 (node:zlib), 25k-row groups': (p) => viaWriter('parquet', p, { parquetCodec: 'BROTLI', rowGroupSize: 25_000 }),
  'parquet hyparquet-writer UNCOMPRESSED, 25k-row groups': (p) => viaWriter('parquet', p, { parquetCodec: 'UNCOMPRESSED', rowGroupSize: 25_000 }),
  'parquet parquetjs-lite 0.8.7 SNAPPY, 25k-row groups (comparison only)': async (p) => {
    if (!PARQUETJS) return -1;
    const parquet = createRequire(import.meta.url)(PARQUETJS);
    const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
    const { daysFromIsoDate, jsonText } = await dist('writers/index.js');
    const TYPES = { string: 'UTF8', json: 'UTF8', date: 'DATE', double: 'DOUBLE', int32: 'INT32', int64: 'INT64', boolean: 'BOOLEAN' };
    const fields = Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, { type: TYPES[c.type], optional: c.nullable, compression: 'SNAPPY' }]));
    const writer = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema(fields), p);
    writer.setRowGroupSize(25_000);
    let n = 0;
    for await (const row of conversions(ROWS)) {
      await writer.appendRow({ ...row, date: daysFromIsoDate(row.date), properties: jsonText(row.properties) });
      n++;
    }
    await writer.close();
    return n;
  },
};

// --- driver -------------------------------------------------------------------------------

async function child(name) {
  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-bench-'));
  const path = join(dir, 'out');
  try {
    const t0 = performance.now();
    const rows = await CASES[name](path);
    const seconds = (performance.now() - t0) / 1000;
    let bytes = 0;
    try {
      bytes = statSync(path).size;
    } catch {}
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ name, rows, seconds, bytes, peakRssMB })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parent() {
  const only = arg('--only', undefined)?.split(',');
  const names = Object.keys(CASES).filter((n) => !only || only.some((o) => n.includes(o)));
  const { version } = createRequire(import.meta.url)(join(ROOT, 'package.json'));
  console.log(`mbuzz ${version} writers, ${ROWS.toLocaleString('en')} conversions rows, node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})\n`);
  console.log('| case | rows/s | seconds | peak RSS MB | output MB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const name of names) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, '--rows', String(ROWS), ...(PARQUETJS ? ['--parquetjs', PARQUETJS] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) {
      console.log(`| ${name} | failed: ${(r.stderr || '').trim().split('\n').at(-1)} | | | |`);
      continue;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (res.rows < 0) {
      console.log(`| ${name} | skipped (no --parquetjs) | | | |`);
      continue;
    }
    const rate = Math.round(res.rows / res.seconds).toLocaleString('en');
    const mb = (res.bytes / 1e6).toFixed(1);
    console.log(`| ${name} | ${rate} | ${res.seconds.toFixed(2)} | ${Math.round(res.peakRssMB)} | ${res.bytes ? mb : '-'} |`);
  }
}

const childName = arg('--child', undefined);
if (childName) await child(childName);
else parent();
