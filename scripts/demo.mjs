#!/usr/bin/env node
// npm run demo: start the sandbox on a free loopback port, export each mbuzz dataset in each
// format with the sandbox's documented test key, and show what was written.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'mbuzz.js');
const outDir = join(root, 'demo-out');
const TEST_KEY = 'sk_test_0123456789abcdef0123456789abcdef';

function startSandbox() {
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (url) => resolve({ url: url.trim(), child }));
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before printing its URL`)));
  });
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function parquetRows(file) {
  try {
    const { parquetMetadata } = await import('hyparquet');
    const buf = readFileSync(file);
    const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return Number(meta.num_rows);
  } catch {
    return undefined;
  }
}

function countLines(file) {
  const text = readFileSync(file, 'utf8');
  return text === '' ? 0 : text.split('\n').length - 1;
}

const { url, child } = await startSandbox();
let failed = false;
try {
  console.log(`sandbox: ${url} (test key ${TEST_KEY})\n`);
  mkdirSync(outDir, { recursive: true });
  const env = { MBUZZ_BASE_URL: url, MBUZZ_API_KEY: TEST_KEY };
  for (const dataset of ['conversions', 'funnel', 'spend']) {
    for (const ext of ['ndjson', 'csv', 'parquet']) {
      const file = join(outDir, `${dataset}.${ext}`);
      const cmd = ['export', dataset, '--range', '7d', '-o', file, '--no-progress'];
      console.log(`$ mbuzz ${cmd.join(' ').replace(root + '/', '')}`);
      const { code, stderr } = await run(cmd, env);
      process.stdout.write(stderr.replace(/^/gm, '  '));
      if (code !== 0) {
        failed = true;
        console.log(`  exit ${code}`);
        continue;
      }
      const size = statSync(file).size;
      const rows = ext === 'parquet' ? await parquetRows(file) : ext === 'csv' ? undefined : countLines(file);
      const detail = ext === 'parquet' ? `${rows} rows (read back with hyparquet)` : ext === 'csv' ? 'header + records, RFC 4180' : `${rows} lines`;
      console.log(`  wrote ${relative(root, file)}: ${size.toLocaleString('en-US')} bytes, ${detail}\n`);
    }
  }
  const first = readFileSync(join(outDir, 'conversions.ndjson'), 'utf8').split('\n')[0];
  console.log('first conversions row:');
  console.log(`  ${first}\n`);
  console.log('try: jq -c \'select(.channel=="email")\' demo-out/conversions.ndjson | head -3');
} finally {
  child.kill('SIGINT');
}
process.exitCode = failed ? 1 : 0;
