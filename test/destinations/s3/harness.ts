// A real S3-protocol server process per test file (server/s3-server.mjs: s3rver on 127.0.0.1),
// and an independent reader: an SDK client built here, not through the code under test, that
// reads objects back and lists what is left of unfinished uploads.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3StoreOptions } from '../../../src/destinations/s3/store.js';

const SERVER = fileURLToPath(new URL('./server/s3-server.mjs', import.meta.url));

export const WRITER = { accessKeyId: 'MBUZZTESTWRITER', secretAccessKey: 'mbuzz+test/secret-writer-0123456789abcdef' };
export const READ_ONLY = { accessKeyId: 'MBUZZTESTREADONLY', secretAccessKey: 'mbuzz+test/secret-readonly-0123456789abcd' };
export const BUCKET = 'mbuzz-test';

export interface Faults {
  /** This part number's UploadPart always answers 500. */
  failPart?: number;
  /** CompleteMultipartUpload always answers 500. */
  failComplete?: boolean;
  /** UploadPart is never answered (until the client gives up). */
  hangParts?: boolean;
}

export interface S3Server {
  endpoint: string;
  /** Where s3rver keeps its files (buckets, objects, unfinished uploads). */
  dir: string;
  child: ChildProcess;
  /** The reader: our own SDK client, path-style, checksums only when required. */
  reader: S3Client;
  /** Requests the server received so far, one "METHOD /path?query" each. */
  requests(): string[];
  /** An object's bytes, or undefined if there is no such object. */
  get(key: string, bucket?: string): Promise<Buffer | undefined>;
  keys(prefix?: string, bucket?: string): Promise<string[]>;
  /** Unfinished multipart uploads: [key, uploadId]. */
  uploads(prefix?: string, bucket?: string): Promise<[string, string][]>;
  /** AWS_* variables that point a process (or S3Store's vars) at this server as the writer. */
  vars(extra?: Record<string, string>): Record<string, string>;
  /** S3StoreOptions for the code under test, as the writer. */
  options(extra?: Partial<S3StoreOptions>): S3StoreOptions;
  stop(): Promise<void>;
}

export async function startS3Server(options: { buckets?: string[]; faults?: Faults } = {}): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-s3-'));
  const log = join(dir, 'requests.log');
  const config = { dir: join(dir, 'store'), log, buckets: options.buckets ?? [BUCKET], accounts: { writer: WRITER, readOnly: READ_ONLY }, faults: options.faults ?? {} };
  const child = spawn(process.execPath, [SERVER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', (l) => res((JSON.parse(l) as { port: number }).port));
    child.once('exit', (code) => rej(new Error(`s3 server exited ${code}: ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const reader = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: WRITER, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const vars = (extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: WRITER.accessKeyId,
    AWS_SECRET_ACCESS_KEY: WRITER.secretAccessKey,
    // never ask 169.254.169.254 for credentials: tests talk to 127.0.0.1 only
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
  return {
    endpoint,
    dir,
    child,
    reader,
    requests: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    async get(key, bucket = BUCKET) {
      try {
        const out = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async keys(prefix = '', bucket = BUCKET) {
      const out = await reader.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
    async uploads(prefix = '', bucket = BUCKET) {
      const out = await reader.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
      return (out.Uploads ?? []).map((u) => [u.Key!, u.UploadId!] as [string, string]);
    },
    vars,
    options: (extra = {}) => ({ vars: vars(), home: dir, ...extra }),
    async stop() {
      reader.destroy();
      if (child.exitCode === null) {
        await new Promise<void>((res) => {
          child.once('exit', () => res());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `n` bytes that differ from part to part (a repeated pattern would hide a part sent twice or out of order). */
export function patternBytes(n: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(Math.ceil(n / 4) * 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < buf.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  return buf.subarray(0, n);
}
