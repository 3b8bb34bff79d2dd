#!/usr/bin/env node
// The S3 destination's cost: rows/s and peak RSS streaming N conversions-shaped rows through a
// writer into an S3 object (multipart, 8 MiB parts, 2 in flight) on a local S3-protocol server
// (s3rver, the test harness's, its own process), next to the same rows into a local file.
// Each case runs in its own child process, so its peak RSS is its own (the server's is not in it).
//
//   npm run build && node scripts/bench-s3.mjs [--rows 1000000] [--only ndjson,raw]
//
// Runs against dist/. Rows are those of scripts/bench-writers.mjs (same generator, same seed).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { conversions } from './bench-rows.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROWS = Number(arg('--rows', '1000000'));
const RAW_MB = Number(arg('--raw-mb', '500'));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const WRITER = { accessKeyId: 'MBUZZBENCH', secretAccessKey: 'mbuzz-bench-secret-0123456789' };


// --- the cases ----------------------------------------------------------------------------

async function s3Out(endpoint, key, gzip = false) {
  const { S3Store } = await dist('destinations/s3/store.js');
  const store = await S3Store.open('bench', { vars: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1' }, home: tmpdir(), credentials: WRITER });
  const out = await store.openOutput(key, { gzip });
  return { out, close: () => store.close() };
}

async function viaWriter(format, target, gzip = false) {
  const { writerFor } = await dist('writers/index.js');
  const { CONVERSIONS_COLUMNS } = await dist('providers/mbuzz/schemas.js');
  const { openFileSink } = await dist('destinations/file.js');
  const s3 = target.endpoint ? await s3Out(target.endpoint, `bench.${format}${gzip ? '.gz' : ''}`, gzip) : undefined;
  const out = s3 ? s3.out : await openFileSink(target.path, { gzip });
  const n = await writerFor(format)(conversions(ROWS), out.sink, { columns: CONVERSIONS_COLUMNS });
  await out.commit();
  s3?.close();
  return { rows: n, bytes: s3 ? out.bytes : statSync(target.path).size };
}

const CASES = {
  'ndjson -> local file': (t) => viaWriter('ndjson', { path: t.path }),
  'ndjson -> S3': (t) => viaWriter('ndjson', t),
  'ndjson.gz -> S3': (t) => viaWriter('ndjson', t, true),
  'csv -> S3': (t) => viaWriter('csv', t),
  'parquet -> local file': (t) => viaWriter('parquet', { path: t.path }),
  'parquet -> S3': (t) => viaWriter('parquet', t),
  [`raw ${RAW_MB} MB in 64 KiB chunks -> S3`]: async (t) => {
    const { out, close } = await s3Out(t.endpoint, 'raw.bin');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    // a fresh chunk each time, as writers hand over chunks they never reuse
    for (let n = 0; n < RAW_MB * 1024 * 1024; n += chunk.length) await out.sink.write(Buffer.from(chunk));
    await out.commit();
    close();
    return { rows: 0, bytes: out.bytes };
  },
};

// --- driver ---------------------------------------------------------------------------------

async function child(name, endpoint) {
  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-bench-s3-'));
  try {
    const t0 = performance.now();
    const { rows, bytes } = await CASES[name]({ endpoint, path: join(dir, 'out') });
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ name, rows, seconds, bytes, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function parent() {
  const only = arg('--only', undefined)?.split(',');
  const names = Object.keys(CASES).filter((n) => !only || only.some((o) => n.includes(o)));
  const store = mkdtempSync(join(tmpdir(), 'mbuzz-bench-s3rver-'));
  const server = spawn(process.execPath, [join(ROOT, 'test/destinations/s3/server/s3-server.mjs'), JSON.stringify({ dir: store, buckets: ['bench'], accounts: { writer: WRITER } })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port } = JSON.parse(await new Promise((res) => createInterface({ input: server.stdout }).once('line', res)));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    console.log(`mbuzz S3 destination, ${ROWS.toLocaleString('en')} conversions rows, node ${process.version}, ${cpus().length} CPUs; s3rver on 127.0.0.1 in its own process\n`);
    console.log('| case | rows/s | MB/s | seconds | peak RSS MB | object MB |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const name of names) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, '--endpoint', endpoint, '--rows', String(ROWS), '--raw-mb', String(RAW_MB)], { encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
      if (r.status !== 0) {
        console.log(`| ${name} | failed: ${(r.stderr || '').trim().split('\n').at(-1)} | | | | |`);
        continue;
      }
      const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
      const rate = res.rows ? Math.round(res.rows / res.seconds).toLocaleString('en') : '-';
      console.log(`| ${name} | ${rate} | ${(res.bytes / 1e6 / res.seconds).toFixed(0)} | ${res.seconds.toFixed(2)} | ${Math.round(res.peakRssMB)} | ${(res.bytes / 1e6).toFixed(1)} |`);
    }
  } finally {
    server.kill('SIGTERM');
    rmSync(store, { recursive: true, force: true });
  }
}

const childName = arg('--child', undefined);
if (childName) await child(childName, arg('--endpoint', undefined));
else await parent();
