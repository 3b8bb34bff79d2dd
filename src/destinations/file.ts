import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { gzipSink, type GzipSink } from './gzip.js';
import type { Output, Sink } from '../writers/types.js';

/** Where the bytes physically go; tests swap it to simulate a full disk. */
export interface TempFile {
  /** Writes some prefix of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileSinkOptions {
  /** Compress to gzip (text formats; `.gz` outputs). */
  gzip?: boolean;
  /**
   * A fixed temp path (checkpointed runs: a later --resume must find it), optionally reopened
   * and cut back to `resumeBytes`, the length a checkpoint vouched for.
   */
  temp?: { path: string; resumeBytes?: number };
  /** Opens the temp file; defaults to fs. Exposed so tests can inject write failures. */
  openTemp?: (path: string) => Promise<TempFile>;
}

/**
 * An atomic output file. Bytes go to a temp file beside the target (same directory, so the
 * final rename never crosses a filesystem); `commit` flushes, fsyncs and renames it over
 * the target, so a reader sees the old file or the whole new one, never a prefix; `abort`
 * removes the temp file and leaves the target as it was.
 *
 * Problems a person can fix before anything is sent (no such directory, not writable)
 * are UsageErrors raised here, before a request goes out. Errors while writing (ENOSPC,
 * EIO) are one-line Errors naming the target, raised by the next write or by commit.
 */
/** An atomic output file whose progress a checkpoint can vouch for. */
export interface FileOutput extends Output {
  /** Bytes in the temp file once every write so far has landed (and been fsynced, with sync). */
  settle(options?: { sync?: boolean }): Promise<number>;
  /** Close, keeping the temp file for a later --resume; nothing appears at the target. */
  keep(): Promise<void>;
  /**
   * Finish the temp file (flush, fsync, close) without renaming it, so several files can be
   * written and checked first and then published together; commit() then only renames, and
   * abort() still removes the temp file.
   */
  seal(): Promise<void>;
  readonly tempPath: string;
}

export async function openFileSink(path: string, options: FileSinkOptions = {}): Promise<FileOutput> {
  const target = resolve(path);
  const dir = dirname(target);
  await checkWritableDirectory(path, target, dir);

  const tempPath = options.temp?.path ?? join(dir, `.${basename(target)}.mbuzz-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let file: TempFile;
  try {
    file = await (options.openTemp ?? (options.temp ? (p: string) => openFixedTemp(p, options.temp?.resumeBytes) : openNodeTemp))(tempPath);
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${reasonOf(err)}`, { cause: err });
  }

  const raw = new TempFileSink(file, target, options.temp?.resumeBytes ?? 0);
  const gz: GzipSink | undefined = options.gzip ? gzipSink(raw) : undefined;
  let state: 'open' | 'sealed' | 'committed' | 'aborted' = 'open';
  const abort = async (): Promise<void> => {
    if (state !== 'open' && state !== 'sealed') return;
    state = 'aborted';
    gz?.destroy();
    await raw.drained().catch(() => undefined);
    await file.close().catch(() => undefined);
    await fsp.unlink(tempPath).catch(() => undefined);
  };

  return {
    sink: gz ? gz.sink : raw,
    tempPath,
    async settle(o = {}) {
      await raw.drained();
      if (o.sync) await file.sync().catch((err: unknown) => Promise.reject(writeError(target, err)));
      return raw.bytes;
    },
    async keep() {
      if (state !== 'open') return;
      state = 'aborted';
      gz?.destroy();
      await raw.drained().catch(() => undefined);
      await file.sync().catch(() => undefined);
      await file.close().catch(() => undefined);
    },
    async seal() {
      if (state !== 'open') throw new Error(`output ${path} was already ${state}`);
      try {
        if (gz) await gz.finish();
        await raw.drained();
        await file.sync().catch((err: unknown) => Promise.reject(writeError(target, err)));
        await file.close().catch((err: unknown) => Promise.reject(writeError(target, err)));
      } catch (err) {
        await abort();
        throw err;
      }
      state = 'sealed';
    },
    async commit() {
      if (state !== 'open' && state !== 'sealed') throw new Error(`output ${path} was already ${state}`);
      const sealed = state === 'sealed';
      try {
        if (gz && !sealed) await gz.finish();
        if (!sealed) await raw.drained();
        try {
          if (!sealed) {
            await file.sync();
            await file.close();
          }
          await fsp.rename(tempPath, target);
        } catch (err) {
          throw writeError(target, err);
        }
      } catch (err) {
        // A commit that fails (the disk filled up on the last bytes) removes its own temp file,
        // so a caller that aborts only what it has not yet committed leaves nothing behind.
        await abort();
        throw err;
      }
      state = 'committed';
      await syncDirectory(dir);
    },
    abort,
  };
}

/**
 * Writes with one write in flight: `write` resolves as soon as the previous chunk is on
 * disk and this one has started, so encoding the next chunk overlaps the syscall while
 * memory stays at two chunks.
 */
class TempFileSink implements Sink {
  private inflight: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly file: TempFile,
    private readonly target: string,
    /** Bytes on disk once the writes so far have landed. */
    public bytes: number,
  ) {}

  async write(chunk: Uint8Array | string): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.inflight = this.writeFully(bytes).catch((err: unknown) => {
      this.failure ??= writeError(this.target, err);
    });
  }

  async drained(): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure;
  }

  private async writeFully(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const n = await this.file.write(offset === 0 ? bytes : bytes.subarray(offset));
      if (n <= 0) throw new Error('wrote 0 bytes');
      offset += n;
      this.bytes += n;
    }
  }
}

async function openNodeTemp(path: string): Promise<TempFile> {
  // 'wx': never follow or reuse something already at the temp name.
  const handle = await fsp.open(path, 'wx', 0o666);
  return {
    write: async (bytes) => (await handle.write(bytes)).bytesWritten,
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

/** A temp file at a known name: created afresh, or reopened and cut back for a resume. */
async function openFixedTemp(path: string, resumeBytes: number | undefined): Promise<TempFile> {
  const handle = resumeBytes === undefined ? await fsp.open(path, 'w', 0o666) : await fsp.open(path, 'r+');
  if (resumeBytes !== undefined) await handle.truncate(resumeBytes);
  let position = resumeBytes ?? 0;
  return {
    write: async (bytes) => {
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length, position);
      position += bytesWritten;
      return bytesWritten;
    },
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

/** What can be refused before any request: no such directory, not writable, a directory at the target. */
export async function checkFileTarget(path: string): Promise<void> {
  const target = resolve(path);
  await checkWritableDirectory(path, target, dirname(target));
}

async function checkWritableDirectory(path: string, target: string, dir: string): Promise<void> {
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw new UsageError(`cannot write ${path}: ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = codeOf(err);
    if (code === 'ENOENT') throw new UsageError(`cannot write ${path}: directory ${dir} does not exist`);
    if (code === 'ENOTDIR') throw new UsageError(`cannot write ${path}: ${dir} is not a directory`);
    throw new UsageError(`cannot write ${path}: ${reasonOf(err)}`, { cause: err });
  }
  try {
    await fsp.access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new UsageError(`cannot write ${path}: directory ${dir} is not writable`, { cause: err });
  }
  const existing = await fsp.stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`cannot write ${path}: it is a directory`);
}

/** Makes the rename itself durable; some filesystems cannot fsync a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
};

function writeError(target: string, err: unknown): Error {
  return new Error(`cannot write ${target}: ${reasonOf(err)}`, { cause: err });
}

function reasonOf(err: unknown): string {
  const code = codeOf(err);
  const reason = code ? REASONS[code] : undefined;
  if (reason) return `${reason} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
