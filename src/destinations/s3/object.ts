import { S3Store, type S3StoreOptions } from './store.js';
import type { S3Output } from './upload.js';
import { parseS3ObjectUrl } from './url.js';

// `-o s3://bucket/key.ext`: one object, the S3 counterpart of file.ts's atomic file. The
// pipeline checks it before the export (check) and writes it during (openOutput); both open
// their own client, and close() releases its sockets so the process can exit.

export class S3ObjectTarget {
  private constructor(
    private readonly store: S3Store,
    readonly key: string,
  ) {}

  /** Parses the URL (a UsageError for a bad one) and loads the SDK. */
  static async open(url: string, options: S3StoreOptions): Promise<S3ObjectTarget> {
    const loc = parseS3ObjectUrl(url);
    return new S3ObjectTarget(await S3Store.open(loc.bucket, options), loc.key);
  }

  get url(): string {
    return this.store.url(this.key);
  }

  /** The pre-flight check (see S3Store.check): exit 2 (or 5 if S3 cannot be reached) before anything is sent. */
  check(): Promise<void> {
    return this.store.check(this.key);
  }

  openOutput(options: { gzip?: boolean } = {}): Promise<S3Output> {
    return this.store.openOutput(this.key, options);
  }

  close(): void {
    this.store.close();
  }
}

/** The whole pre-flight of an object target, client opened and closed. */
export async function checkS3Object(url: string, options: S3StoreOptions): Promise<void> {
  const target = await S3ObjectTarget.open(url, options);
  try {
    await target.check();
  } finally {
    target.close();
  }
}
