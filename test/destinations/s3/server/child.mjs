// A small program that uses the S3 destination (the built one, dist/) the way mbuzz does, for
// tests that need a process of its own: its own environment and HOME, its stderr, kill -9.
// Usage: node child.mjs '{"mode":"check"|"hang","url":"s3://bucket/key","bytes":N}'
//   check: the pre-flight check; prints "ok" or the error as JSON, exits with its code.
//   hang:  streams `bytes` bytes into an upload, prints "written", then waits to be killed.
import { homedir } from 'node:os';
import { S3Store } from '../../../../dist/destinations/s3/store.js';
import { parseS3ObjectUrl } from '../../../../dist/destinations/s3/url.js';

const config = JSON.parse(process.argv[2]);
const MiB = 1024 * 1024;
let store;
try {
  const loc = parseS3ObjectUrl(config.url);
  store = await S3Store.open(loc.bucket, { vars: process.env, home: homedir(), partSize: 5 * MiB, onWarning: (l) => process.stdout.write(`warning: ${l}\n`) });
  if (config.mode === 'check') {
    await store.check(loc.key);
    process.stdout.write('ok\n');
  } else {
    const out = await store.openOutput(loc.key);
    const chunk = Buffer.alloc(MiB, 0x61);
    for (let n = 0; n < config.bytes; n += chunk.length) await out.sink.write(chunk.subarray(0, Math.min(chunk.length, config.bytes - n)));
    process.stdout.write('written\n');
    await new Promise(() => setInterval(() => undefined, 60_000));
  }
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err.constructor.name, exitCode: err.exitCode, message: err.message })}\n`);
  process.exitCode = err.exitCode ?? 1;
} finally {
  store?.close();
}
