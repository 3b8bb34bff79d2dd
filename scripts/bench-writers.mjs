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
import { conversions } from './bench-rows.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROWS = Number(arg('--rows', '1000000'));
const PARQUETJS = arg('--parquetjs', undefined);

// --- the source: deterministic rows shaped like mbuzz conversions (bench-rows.mjs) ----------

// --- the cases --------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));

async function fileOut(path, gzip = false) {
  const { openFileSink } = await dist('destinations/file.js');
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
