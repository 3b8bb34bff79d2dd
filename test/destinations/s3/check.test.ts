import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError, UsageError } from '../../../src/core/errors.js';
import { S3Store } from '../../../src/destinations/s3/store.js';
import { READ_ONLY, WRITER, startS3Server, type S3Server } from './harness.js';

// The pre-flight check: every way an S3 target can be wrong before the export starts is one
// line and exit 2 (exit 5 when the store cannot be reached), with no secret in it, and leaves
// nothing behind. The environment-driven cases run a process of their own (server/child.mjs,
// over dist/), with its own environment and HOME, as mbuzz would run.

const CHILD = fileURLToPath(new URL('./server/child.mjs', import.meta.url));

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

async function checkWith(extra: Parameters<S3Server['options']>[0], key = 'exports/conv.parquet'): Promise<Error | undefined> {
  const store = await S3Store.open('mbuzz-test', server.options(extra));
  try {
    await store.check(key);
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    store.close();
  }
}

function expectOneLine(err: Error | undefined, kind: typeof UsageError | typeof ServerError, text: string | RegExp): void {
  expect(err).toBeInstanceOf(kind);
  expect(err!.message).not.toContain('\n');
  for (const secret of [WRITER.secretAccessKey, READ_ONLY.secretAccessKey, 'wrong-secret-0123456789abcdef']) expect(err!.message).not.toContain(secret);
  if (typeof text === 'string') expect(err!.message).toBe(text);
  else expect(err!.message).toMatch(text);
}

describe('S3 pre-flight check', () => {
  it('passes for a writable key, and leaves no object and no upload behind', async () => {
    expect(await checkWith({})).toBeUndefined();
    expect(await server.keys()).toEqual([]);
    expect(await server.uploads()).toEqual([]);
    // the probe was a multipart upload started and aborted at the key itself
    const probe = server.requests().filter((r) => r.startsWith('POST /mbuzz-test/exports/conv.parquet?uploads') || r.startsWith('DELETE /mbuzz-test/exports/conv.parquet?uploadId='));
    expect(probe.length).toBe(2);
  });

  it('a bucket that does not exist', async () => {
    const store = await S3Store.open('no-such-bucket', server.options());
    const err = await store.check('x.csv').then(() => undefined, (e: unknown) => e as Error);
    store.close();
    expectOneLine(err, UsageError, 'cannot write s3://no-such-bucket/x.csv: the bucket does not exist (NoSuchBucket)');
  });

  it('a wrong secret key (the server checks the signature)', async () => {
    const err = await checkWith({ credentials: { accessKeyId: WRITER.accessKeyId, secretAccessKey: 'wrong-secret-0123456789abcdef' } });
    expectOneLine(err, UsageError, 'cannot write s3://mbuzz-test/exports/conv.parquet: the AWS credentials were refused (SignatureDoesNotMatch)');
  });

  it('an access key the store does not know', async () => {
    const err = await checkWith({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'wrong-secret-0123456789abcdef' } });
    expectOneLine(err, UsageError, 'cannot write s3://mbuzz-test/exports/conv.parquet: the AWS credentials were refused (InvalidAccessKeyId)');
  });

  it('credentials that may read but not write', async () => {
    const err = await checkWith({ credentials: READ_ONLY });
    expectOneLine(err, UsageError, 'cannot write s3://mbuzz-test/exports/conv.parquet: permission denied (AccessDenied); the credentials need s3:PutObject (and s3:AbortMultipartUpload) on it');
    expect(await server.uploads()).toEqual([]);
  });

  it('a store that does not answer is exit 5, not a usage error: a cron job may try again', async () => {
    const closed = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => res(port));
      });
    });
    const err = await checkWith({ endpoint: `http://127.0.0.1:${closed}` });
    expectOneLine(err, ServerError, new RegExp(`^cannot write s3://mbuzz-test/exports/conv\\.parquet: S3 at http://127\\.0\\.0\\.1:${closed} did not answer \\(ECONNREFUSED\\)`));
  });
});

describe('S3 settings from the environment, in a process of its own', () => {
  const homes: string[] = [];
  afterAll(() => {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });
  function run(env: Record<string, string>, url = 's3://mbuzz-test/exports/x.csv'): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const home = mkdtempSync(join(tmpdir(), 'mbuzz-s3-home-'));
    homes.push(home);
    return new Promise((res) => {
      const child = spawn(process.execPath, [CHILD, JSON.stringify({ mode: 'check', url })], { env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => res({ code, stdout, stderr }));
    });
  }

  it('keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the endpoint from AWS_ENDPOINT_URL; nothing on stderr (no SDK warning)', async () => {
    const r = await run(server.vars());
    expect(r).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it.skipIf(Number(process.versions.node.split('.')[0]) >= 22)('(control) on Node 20 the SDK does warn when not told otherwise, so the test above can see it', async () => {
    const r = await run(server.vars({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('NodeVersionSupportWarning');
  });

  it('keys and endpoint from a named profile in ~/.aws (AWS_PROFILE)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mbuzz-s3-home-'));
    homes.push(home);
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), `[lake]\naws_access_key_id = ${WRITER.accessKeyId}\naws_secret_access_key = ${WRITER.secretAccessKey}\n`);
    writeFileSync(join(home, '.aws', 'config'), `[profile lake]\nregion = us-east-1\nendpoint_url = ${server.endpoint}\n`);
    const r = await run({ AWS_PROFILE: 'lake', AWS_CONFIG_FILE: join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials') });
    expect(r).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('no credentials anywhere: exit 2, one line', async () => {
    const r = await run({ AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: 'us-east-1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stdout) as { error: string; message: string };
    expect(err.error).toBe('UsageError');
    expect(err.message).toMatch(/^cannot write s3:\/\/mbuzz-test\/exports\/x\.csv: no AWS credentials found \(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~\/\.aws\)/);
  });

  it('a profile that does not exist: exit 2, naming the profile', async () => {
    const r = await run({ AWS_PROFILE: 'nope', AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: 'us-east-1' });
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { message: string }).message).toMatch(/^cannot write s3:\/\/mbuzz-test\/exports\/x\.csv: no AWS credentials found for profile "nope" \(AWS_PROFILE\)/);
  });
});
