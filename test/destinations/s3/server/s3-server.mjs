// A real S3-protocol server process for the tests: s3rver (a filesystem-backed S3 clone that
// checks V4 signatures), on 127.0.0.1, plus what our code needs and s3rver lacks:
//  - V4 signatures checked for bucket-level requests too: s3rver signs `/bucket` where the SDK
//    signs `/bucket/` (path-style), so every bucket-level request of the SDK would fail its check.
//    The check runs here, with the path as sent, and s3rver's own (then redundant) check is told
//    to let mismatches through (allowMismatchedSignatures);
//  - ListMultipartUploads (GET /bucket?uploads) and AbortMultipartUpload (DELETE /bucket/key?uploadId),
//    answered from s3rver's own store of unfinished uploads;
//  - a read-only access key (s3rver has no IAM): writes with it get 403 AccessDenied, as S3 answers;
//  - a log of the requests it was sent (config.log);
//  - listings with a delimiter that find common prefixes at any depth (below);
//  - faults on cue, like the API sandbox's: a part number whose UploadPart always fails with 500,
//    a CompleteMultipartUpload that always fails with 500, UploadParts that are never answered.
// Usage: node s3-server.mjs '{"dir":"/tmp/x","buckets":["b"],"accounts":{...},"faults":{"failPart":3}}'
// Prints one JSON line {"port":N} once listening; stops on SIGTERM.
import { createRequire } from 'node:module';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');
const S3Error = require('@20minutes/s3rver/lib/models/error');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const authentication = require('@20minutes/s3rver/lib/middleware/authentication');

const config = JSON.parse(process.argv[2] ?? '{}');
const faults = config.faults ?? {};
/** { writer: {accessKeyId, secretAccessKey}, readOnly: {...} } */
const accounts = config.accounts ?? {};

const account = new AWSAccount(111122223333, 'mbuzz-tests');
for (const a of Object.values(accounts)) account.createKeyPair(a.accessKeyId, a.secretAccessKey);

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: config.dir,
  allowMismatchedSignatures: true,
  configureBuckets: (config.buckets ?? []).map((name) => ({ name })),
});

// s3rver lists with a delimiter by walking its directories and skipping those beneath a common
// prefix, so a prefix whose objects all sit two levels down (prefix/spend/date=.../part) is never
// found. Listed without a delimiter and folded here instead, as S3 answers.
const listObjects = server.store.listObjects.bind(server.store);
server.store.listObjects = async (bucket, options) => {
  if (!options.delimiter) return listObjects(bucket, options);
  const prefix = options.prefix ?? '';
  const all = await listObjects(bucket, { ...options, delimiter: '', maxKeys: Infinity });
  const commonPrefixes = new Set();
  const objects = [];
  for (const o of all.objects) {
    const idx = o.key.slice(prefix.length).indexOf(options.delimiter);
    if (idx === -1) objects.push(o);
    else commonPrefixes.add(o.key.slice(0, prefix.length + idx + options.delimiter.length));
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
};

const accessKeyOf = (ctx) => /Credential=([^/,\s]+)/.exec(ctx.get('authorization'))?.[1];
const checkSignature = authentication();

/** The unfinished uploads of a bucket, as s3rver stores them: <uploads dir>/<id>/{key,1,2,...}. */
async function uploadsOf(bucket) {
  const root = server.store.getResourcePath(bucket, undefined, 'uploads');
  const ids = await fsp.readdir(root).catch(() => []);
  const out = [];
  for (const id of ids) {
    const key = await fsp.readFile(join(root, id, 'key'), 'utf8').catch(() => undefined);
    if (key === undefined) continue;
    const st = await fsp.stat(join(root, id));
    out.push({ id, key, initiated: st.mtime, dir: join(root, id) });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key) || a.initiated - b.initiated);
}

// One line per request ("PUT /b/k?partNumber=2&uploadId=..."), for tests that count parts.
const log = config.log ? createWriteStream(config.log, { flags: 'a' }) : undefined;

async function extras(ctx, next) {
  log?.write(`${ctx.method} ${ctx.url}\n`);
  const [, bucket = '', ...rest] = ctx.path.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  // The resource as the SDK signed it: `/bucket/` keeps its slash.
  ctx.params = !bucket ? {} : rest.length === 0 ? { bucket } : key ? { bucket, key } : { bucket: `${bucket}/` };
  // strict here whatever s3rver's own check is told
  await checkSignature(Object.create(ctx, { app: { value: { allowMismatchedSignatures: false } } }), async () => undefined);
  ctx.params = {};

  const method = ctx.method;
  if (accessKeyOf(ctx) === accounts.readOnly?.accessKeyId && method !== 'GET' && method !== 'HEAD') {
    throw new S3Error('AccessDenied', 'Access Denied');
  }
  const isListUploads = method === 'GET' && bucket && !key && 'uploads' in ctx.query;
  const isAbort = method === 'DELETE' && bucket && key && 'uploadId' in ctx.query;
  if (isListUploads || isAbort) {
    if (!(await server.store.getBucket(bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const uploads = await uploadsOf(bucket);
    if (isAbort) {
      const u = uploads.find((x) => x.id === ctx.query.uploadId && x.key === key);
      if (!u) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: ctx.query.uploadId });
      await fsp.rm(u.dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const prefix = ctx.query.prefix ?? '';
    ctx.body = {
      ListMultipartUploadsResult: {
        Bucket: bucket,
        Prefix: prefix,
        IsTruncated: false,
        Upload: uploads
          .filter((u) => u.key.startsWith(prefix))
          .map((u) => ({ Key: u.key, UploadId: u.id, Initiated: u.initiated.toISOString(), StorageClass: 'STANDARD' })),
      },
    };
    return;
  }
  if (method === 'PUT' && 'uploadId' in ctx.query && faults.hangParts) {
    // never answer; give up only when the client does
    await new Promise((resolve) => ctx.req.socket.once('close', resolve));
    return;
  }
  if (method === 'PUT' && 'uploadId' in ctx.query && Number(ctx.query.partNumber) === faults.failPart) {
    // Read the part's body first, as S3 does before it answers 500: answering mid-body closes the
    // socket under the client's write, and the test would see EPIPE or 500 by a race.
    for await (const _ of ctx.req);
    throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
  }
  if (method === 'POST' && 'uploadId' in ctx.query && faults.failComplete) {
    throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
  }
  return next();
}
// before s3rver's router, after its XML encoder and vhost handling
server.middleware.splice(server.middleware.length - 1, 0, extras);

const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
