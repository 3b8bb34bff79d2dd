import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import type { Output, Sink } from '../../writers/types.js';
import type { SdkModule } from './sdk.js';

// One object, streamed: bytes gather into parts of `partSize` (8 MiB), each sent with UploadPart
// while the next one fills, at most `queueSize` (2) in flight; a writer that outruns the network
// waits in `write`. So memory is about (queueSize + 1) x partSize whatever the object's size.
// Nothing is visible until `commit` sends CompleteMultipartUpload; an output that never
// reached one part is sent as a single PutObject at `commit`, for the same effect.
//
// `abort` (and any failure, which latches and fails the next `write` or the `commit`) cancels
// the parts in flight and sends AbortMultipartUpload, and waits for it, so the parts are
// released and nothing new is visible. A process killed with -9 cannot do that: its parts stay
// stored, invisible, until a lifecycle rule (AbortIncompleteMultipartUpload) or the next run to
// the same key (see store.ts) aborts them.
//
// Why not lib-storage's Upload: its abort() returns before AbortMultipartUpload is sent (a CLI
// that exits right after leaves the parts behind), and a failed part surfaces only once the
// whole body has been read, after the export has fetched everything.

export interface UploadTarget {
  sdk: SdkModule;
  client: S3Client;
  bucket: string;
  key: string;
}

export interface UploadOptions {
  /** Bytes per part (S3: at least 5 MiB but the last; at most 10,000 parts). */
  partSize?: number;
  /** Parts in flight at once. */
  queueSize?: number;
  contentType?: string;
  /** An SDK error as the error the caller should see (one line, an exit code). */
  fail: (err: unknown) => Error;
  onWarning?: (line: string) => void;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** An Output whose object appears at `commit`; `bytes` counts the bytes of the object so far. */
export interface S3Output extends Output {
  readonly bytes: number;
  readonly url: string;
  /**
   * Sends every byte (the rest as the last part) and waits for the parts, without completing:
   * the object stays invisible until `commit`, and no byte of it is held in memory meanwhile
   * (a run stages every partition this way until its checks pass). `abort` still discards it.
   */
  seal(): Promise<void>;
}

export function openUpload(target: UploadTarget, options: UploadOptions): S3Output {
  return new Upload(target, options);
}

class Upload implements S3Output {
  readonly sink: Sink;
  readonly url: string;
  bytes = 0;
  private readonly partSize: number;
  private readonly queueSize: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private partNumber = 0;
  private uploadId: Promise<string> | undefined;
  private readonly parts: CompletedPart[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private state: 'open' | 'sealed' | 'committing' | 'committed' | 'aborted' = 'open';
  private readonly cancel = new AbortController();

  constructor(
    private readonly target: UploadTarget,
    private readonly options: UploadOptions,
  ) {
    this.partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
    this.queueSize = Math.max(1, options.queueSize ?? 2);
    this.url = `s3://${target.bucket}/${target.key}`;
    this.sink = { write: (chunk) => this.write(chunk) };
  }

  private async write(chunk: Uint8Array | string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new Error(`output ${this.url} was already ${this.state}`);
    // Writers never reuse a chunk they handed over (writers/types.ts), so keeping it is safe.
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.bytes += bytes.length;
    if (this.pendingBytes >= this.partSize) await this.sendPart();
  }

  /** Hands the pending bytes to a part upload once a slot is free; failures latch. */
  private async sendPart(): Promise<void> {
    const body = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const n = ++this.partNumber;
    if (n > MAX_PARTS) throw this.latch(new Error(`${this.url} needs more than ${MAX_PARTS} parts of ${this.partSize} bytes: raise the part size`));
    while (this.inflight.size >= this.queueSize) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
    const p: Promise<void> = this.uploadPart(n, body)
      .catch((err: unknown) => void this.latch(err))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async uploadPart(n: number, body: Buffer): Promise<void> {
    const { sdk, client, bucket, key } = this.target;
    const uploadId = await this.created();
    const out = await client.send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body }), { abortSignal: this.cancel.signal });
    if (!out.ETag) throw new Error(`S3 answered part ${n} of ${this.url} without an ETag`);
    // With the SDK's default checksums each part carries a CRC32, which Complete must repeat.
    this.parts.push({ PartNumber: n, ETag: out.ETag, ...(out.ChecksumCRC32 && { ChecksumCRC32: out.ChecksumCRC32 }) });
  }

  /** The multipart upload, started with the first part. Not cancellable: its id must be known to abort it. */
  private created(): Promise<string> {
    this.uploadId ??= (async () => {
      const { sdk, client, bucket, key } = this.target;
      const crc = (await client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED';
      const out = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: this.options.contentType, ...(crc && { ChecksumAlgorithm: 'CRC32' as const }) }));
      if (!out.UploadId) throw new Error(`S3 started no upload for ${this.url}`);
      return out.UploadId;
    })();
    return this.uploadId;
  }

  async seal(): Promise<void> {
    if (this.state !== 'open') throw new Error(`output ${this.url} was already ${this.state}`);
    try {
      if (this.failure) throw this.failure;
      // An empty object is left to commit's PutObject: it holds no memory either.
      if (this.pendingBytes > 0) await this.sendPart();
      while (this.inflight.size > 0) await Promise.all(this.inflight);
      if (this.failure) throw this.failure;
    } catch (err) {
      const failure = this.latch(err);
      await this.release();
      throw failure;
    }
    this.state = 'sealed';
  }

  async commit(): Promise<void> {
    if (this.state !== 'open' && this.state !== 'sealed') throw new Error(`output ${this.url} was already ${this.state}`);
    this.state = 'committing';
    const { sdk, client, bucket, key } = this.target;
    try {
      if (this.failure) throw this.failure;
      if (this.partNumber === 0) {
        const body = Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [];
        await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: this.options.contentType }));
      } else {
        if (this.pendingBytes > 0) await this.sendPart();
        while (this.inflight.size > 0) await Promise.all(this.inflight);
        if (this.failure) throw this.failure;
        const parts = [...this.parts].sort((a, b) => a.PartNumber! - b.PartNumber!);
        await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: await this.created(), MultipartUpload: { Parts: parts } }));
      }
      this.state = 'committed';
    } catch (err) {
      const failure = this.latch(err);
      await this.release();
      throw failure;
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    // latched first, so the parts cancelled below do not make it a network error
    this.failure ??= new Error(`output ${this.url} was already aborted`);
    await this.release();
  }

  private async release(): Promise<void> {
    this.state = 'aborted';
    this.pending = [];
    this.cancel.abort();
    await Promise.allSettled([...this.inflight]);
    const uploadId = await this.uploadId?.catch(() => undefined);
    if (uploadId === undefined) return;
    const { sdk, client, bucket, key } = this.target;
    try {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload') return;
      this.options.onWarning?.(`could not abort the unfinished upload of ${this.url} (${(err as { name?: string }).name ?? 'error'}): its parts stay stored, invisible, until a lifecycle rule or the next run to ${this.url} removes them`);
    }
  }

  private latch(err: unknown): Error {
    this.failure ??= this.options.fail(err);
    return this.failure;
  }
}
