import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../../core/errors.js';
import { gzipSink } from '../gzip.js';
import { codeOf, s3Error, type Stage } from './errors.js';
import { createClient, type SdkModule } from './sdk.js';
import { resolveS3Settings, type S3Overrides, type S3Settings, type Vars } from './settings.js';
import { openUpload, type S3Output } from './upload.js';

// One bucket behind one SDK client: the pre-flight check, object outputs, and the few other
// operations a directory of partitions needs (list, delete, small JSON objects). Everything the
// rest of mbuzz does with S3 goes through here, so errors all come out as one line and an exit code.

export interface S3StoreOptions extends S3Overrides {
  /** The environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL...); process.env in the CLI. */
  vars: Vars;
  /** For ~/.aws/config. */
  home: string;
  partSize?: number;
  queueSize?: number;
  /** One-line notes for stderr: SDK warnings, unfinished uploads aborted. */
  onWarning?: (line: string) => void;
}

export interface OutputOptions {
  /** Compress to gzip (`.gz` keys). */
  gzip?: boolean;
  /** Defaults from the key's extension. */
  contentType?: string;
  /** Abort unfinished uploads to this exact key left by an earlier run (default true). */
  abortStale?: boolean;
}

export interface StoredObject {
  key: string;
  bytes: number;
  /** LastModified in ms since the epoch, by the store's clock. */
  modified: number;
  etag: string;
}

export class S3Store {
  private constructor(
    readonly bucket: string,
    readonly settings: S3Settings,
    private readonly sdk: SdkModule,
    private readonly client: S3Client,
    private readonly options: S3StoreOptions,
  ) {}

  static async open(bucket: string, options: S3StoreOptions): Promise<S3Store> {
    const settings = await resolveS3Settings(options.vars, options.home, options);
    const { sdk, client } = await createClient(settings, { onWarning: options.onWarning });
    return new S3Store(bucket, settings, sdk, client, options);
  }

  url(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /**
   * Before anything is exported: credentials present, accepted, and allowed to write `key`, in a
   * bucket that exists. The probe starts a multipart upload at `key` and aborts it: that needs
   * the very permission the export will use (s3:PutObject on that key, so a policy scoped to a
   * prefix is honoured), and unlike a probe object it never becomes visible, even if the abort
   * fails. One request answers all four questions (NoSuchBucket, InvalidAccessKeyId /
   * SignatureDoesNotMatch, AccessDenied), with no s3:ListBucket or s3:DeleteObject needed.
   */
  async check(key: string, what = this.url(key)): Promise<void> {
    const { sdk, client } = this;
    const doing = `write ${what}`;
    try {
      await client.config.credentials();
    } catch (err) {
      throw this.error(err, 'check', doing);
    }
    let uploadId: string | undefined;
    try {
      uploadId = (await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))).UploadId;
    } catch (err) {
      throw this.error(err, 'check', doing);
    }
    if (uploadId === undefined) return;
    await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch((err: unknown) => {
      this.options.onWarning?.(`the pre-flight probe could not abort its empty upload to ${this.url(key)} (${codeOf(err)}): the credentials lack s3:AbortMultipartUpload, so an interrupted export would leave its parts stored`);
    });
  }

  /** A probe key beside `prefix` for checking a directory whose object names are not known yet. */
  probeKey(prefix: string): string {
    return `${prefix}.mbuzz-probe-${randomBytes(6).toString('hex')}`;
  }

  /** An Output whose object appears at `key` on commit, and never otherwise. */
  async openOutput(key: string, options: OutputOptions = {}): Promise<S3Output> {
    if (options.abortStale !== false) await this.abortStaleUploads(key);
    const upload: S3Output = openUpload(
      { sdk: this.sdk, client: this.client, bucket: this.bucket, key },
      {
        partSize: this.options.partSize,
        queueSize: this.options.queueSize,
        contentType: options.contentType ?? contentTypeOf(key),
        fail: (err) => this.error(err, 'run', `write ${this.url(key)}`),
        onWarning: this.options.onWarning,
      },
    );
    if (!options.gzip) return upload;
    const gz = gzipSink(upload.sink);
    let sealed = false;
    return {
      url: upload.url,
      get bytes() {
        return upload.bytes;
      },
      sink: gz.sink,
      async seal() {
        try {
          await gz.finish();
        } catch (err) {
          await upload.abort();
          throw err;
        }
        await upload.seal();
        sealed = true;
      },
      async commit() {
        try {
          if (!sealed) await gz.finish();
        } catch (err) {
          await upload.abort();
          throw err;
        }
        await upload.commit();
      },
      async abort() {
        gz.destroy();
        await upload.abort();
      },
    };
  }

  /**
   * Aborts the unfinished multipart uploads to exactly `key` (a run killed with -9 leaves its
   * parts stored and billed, though invisible). Exactly that key: a prefix-wide sweep would also
   * abort the uploads of another worker writing its own partitions under the same prefix. Best
   * effort: without s3:ListBucketMultipartUploads it does nothing, and a lifecycle rule remains
   * the way to clean up (README).
   */
  abortStaleUploads(key: string): Promise<number> {
    return this.abortUnfinished(key, (k) => k === key, this.url(key));
  }

  /** The same, for every key under `prefix` that `which` picks (the partitions a run holds a claim on). */
  async abortUnfinished(prefix: string, which: (key: string) => boolean, label = this.url(prefix)): Promise<number> {
    const { sdk, client } = this;
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      for (;;) {
        const page = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
        for (const u of page.Uploads ?? []) {
          if (u.Key === undefined || !u.UploadId || !which(u.Key)) continue;
          await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }));
          aborted += 1;
        }
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      }
    } catch (err) {
      if (codeOf(err) !== 'AccessDenied' && codeOf(err) !== 'NotImplemented') throw this.error(err, 'run', `list the unfinished uploads of ${label}`);
    }
    if (aborted > 0) this.options.onWarning?.(`aborted ${aborted} unfinished upload${aborted === 1 ? '' : 's'} of ${label} left by an earlier run`);
    return aborted;
  }

  /** Keys under `prefix`, and with a delimiter the "directories" one level down. */
  async list(prefix: string, delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
    const { objects, prefixes } = await this.listObjects(prefix, delimiter);
    return { keys: objects.map((o) => o.key), prefixes };
  }

  /** The same, with each object's size and S3's LastModified (the store's clock, not ours). */
  async listObjects(prefix: string, delimiter?: string): Promise<{ objects: StoredObject[]; prefixes: string[] }> {
    const { sdk, client } = this;
    const objects: StoredObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key !== undefined) objects.push({ key: o.Key, bytes: o.Size ?? 0, modified: o.LastModified?.getTime() ?? 0, etag: o.ETag ?? '' });
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.error(err, 'run', `list ${this.url(prefix)}`);
    }
    return { objects, prefixes };
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((err: unknown) => {
      throw this.error(err, 'run', `delete ${this.url(key)}`);
    });
  }

  /** A small object's text, or undefined when there is none. */
  async readText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (codeOf(err) === 'NoSuchKey' || codeOf(err) === 'NotFound') return undefined;
      throw this.error(err, 'run', `read ${this.url(key)}`);
    }
  }

  /** sha256 of an object's bytes, streamed (an object no record describes, for the manifest). */
  async sha256(key: string): Promise<string> {
    const hash = createHash('sha256');
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    } catch (err) {
      throw this.error(err, 'run', `read ${this.url(key)}`);
    }
    return hash.digest('hex');
  }

  /** Replaces the object at `key` in one PUT: readers see the old one or the new one. */
  async writeText(key: string, text: string, contentType = contentTypeOf(key)): Promise<void> {
    await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.from(text, 'utf8'), ContentType: contentType })).catch((err: unknown) => {
      throw this.error(err, 'run', `write ${this.url(key)}`);
    });
  }

  /** The object's bytes as stored (a .gz stays gzipped), streamed: `mbuzz verify` counts its rows. */
  async readStream(key: string): Promise<Readable> {
    return (await this.get(key)).Body as Readable;
  }

  /** Random access to an object (Parquet's footer and column chunks): its size, and ranged GETs. */
  async randomAccess(key: string): Promise<{ byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> }> {
    const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key })).catch((err: unknown) => {
      throw this.readError(err, key);
    });
    const byteLength = head.ContentLength ?? 0;
    return {
      byteLength,
      slice: async (start, end = byteLength) => {
        if (start >= end) return new ArrayBuffer(0);
        const bytes = await (await this.get(key, `bytes=${start}-${end - 1}`)).Body!.transformToByteArray();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }

  private async get(key: string, range?: string) {
    try {
      return await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
    } catch (err) {
      throw this.readError(err, key);
    }
  }

  /** Reading happens before any API request (verify): what a person must fix is exit 2. */
  private readError(err: unknown, key: string): Error {
    const code = codeOf(err);
    if (code === 'NoSuchKey' || code === 'NotFound') return new UsageError(`${this.url(key)} does not exist`);
    if (code === 'AccessDenied') return new UsageError(`cannot read ${this.url(key)}: permission denied (AccessDenied); the credentials need s3:GetObject on it`);
    return this.error(err, 'check', `read ${this.url(key)}`);
  }

  /** Closes the client's sockets so the process can exit. */
  close(): void {
    this.client.destroy();
  }

  private error(err: unknown, stage: Stage, doing: string): Error {
    const c = this.settings.credentials;
    const secrets = [c?.secretAccessKey, c?.sessionToken, this.options.vars.AWS_SECRET_ACCESS_KEY, this.options.vars.AWS_SESSION_TOKEN].filter((s): s is string => !!s);
    return s3Error(err, stage, { doing, endpoint: this.settings.endpoint, profile: this.settings.profile, secrets });
  }
}

const TYPES: [RegExp, string][] = [
  [/\.gz$/i, 'application/gzip'],
  [/\.(ndjson|jsonl)$/i, 'application/x-ndjson'],
  [/\.csv$/i, 'text/csv; charset=utf-8'],
  [/\.parquet$/i, 'application/vnd.apache.parquet'],
  [/\.json$/i, 'application/json'],
];

export function contentTypeOf(key: string): string {
  return TYPES.find(([re]) => re.test(key))?.[1] ?? 'application/octet-stream';
}
