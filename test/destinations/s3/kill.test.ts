import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/destinations/s3/store.js';
import { startS3Server, type S3Server } from './harness.js';

// kill -9 in the middle of an upload: a process that cannot run its abort. What S3 then holds is
// an unfinished multipart upload: its parts stored (and billed, on AWS) but no object, invisible
// to every reader, until something aborts it: a lifecycle rule (AbortIncompleteMultipartUpload,
// README) or the next run to the same key, which lists and aborts it before it starts.

const CHILD = fileURLToPath(new URL('./server/child.mjs', import.meta.url));
const MiB = 1024 * 1024;

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

/** Bytes s3rver holds for unfinished uploads (its store keeps each part as a file). */
function storedPartBytes(): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/_S3rver_uploads\/[0-9a-f]+\/\d+$/.test(p)) total += statSync(p).size;
    }
  };
  walk(join(server.dir, 'store'));
  return total;
}

describe('kill -9 during an upload', () => {
  it('leaves no object, only an unfinished upload, which the next run to that key aborts', async () => {
    const key = 'killed/conv.ndjson';
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ mode: 'hang', url: `s3://mbuzz-test/${key}`, bytes: 18 * MiB })], {
      env: { PATH: process.env.PATH ?? '', HOME: server.dir, ...server.vars() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((res, rej) => {
      createInterface({ input: child.stdout }).once('line', res);
      child.once('exit', (code) => rej(new Error(`child exited ${code}: ${stderr}`)));
    });
    expect(line).toBe('written');
    // three 5 MiB parts handed over (two at most in flight), 3 MiB still in the process's memory
    expect((await server.uploads('killed/')).map(([k]) => k)).toEqual([key]);

    const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_code, signal) => res(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stderr).toBe('');

    // No object, for any reader; the upload and its parts are still stored.
    expect(await server.get(key)).toBeUndefined();
    expect(await server.keys('killed/')).toEqual([]);
    const orphans = await server.uploads('killed/');
    expect(orphans.map(([k]) => k)).toEqual([key]);
    expect(storedPartBytes()).toBeGreaterThanOrEqual(5 * MiB);

    // The next run to the same key cleans up before it starts, and says so.
    const warnings: string[] = [];
    const store = await S3Store.open('mbuzz-test', server.options({ onWarning: (l) => warnings.push(l) }));
    try {
      const out = await store.openOutput(key);
      expect(warnings).toEqual([`aborted 1 unfinished upload of s3://mbuzz-test/${key} left by an earlier run`]);
      expect(await server.uploads('killed/')).toEqual([]);
      expect(storedPartBytes()).toBe(0);
      await out.sink.write('{"a":1}\n');
      await out.commit();
      expect((await server.get(key))?.toString()).toBe('{"a":1}\n');
    } finally {
      store.close();
    }
  });
});
