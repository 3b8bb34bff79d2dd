import type { Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { CREATE_EXCLUSIVE, reasonOf, syncDirectory, tempNameBeside, writeError } from '../core/safe-files.js';
import { checkFileTarget, checkStillReplaceable } from './file-target.js';
import { gzipSink, type GzipSink } from './gzip.js';
import { createPartial, reopenPartial, type PartialHandle, type VerifiedPrefix } from './partial-file.js';
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
   * A fixed temp path (checkpointed runs: a later --resume must find it), created afresh or, with
   * `resume`, the verified partial file reopened and cut back to the prefix a checkpoint vouched for.
   * Its bytes are hashed as they are written, so a checkpoint can record the prefix's digest.
   */
  temp?: { path: string; resume?: VerifiedPrefix };
  /** Opens the temp file; defaults to fs. Exposed so tests can inject write failures. */
  openTemp?: (path: string) => Promise<TempFile>;
}

/** How far a checkpointed file has got: its length, and the sha256 of those bytes. */
export interface Settled {
  bytes: number;
  sha256: string;
}

/** An atomic output file whose progress a checkpoint can vouch for. */
export interface FileOutput extends Output {
  /** The temp file once every write so far has landed (and been fsynced, with sync): length and digest. */
  settle(options?: { sync?: boolean }): Promise<Settled>;
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

/**
 * An atomic output file. Bytes go to a temp file beside the target (same directory, so the
 * final rename never crosses a filesystem); `commit` flushes, fsyncs and renames it over
 * the target, so a reader sees the old file or the whole new one, never a prefix; `abort`
 * removes the temp file and leaves the target as it was. The target is a regular file or
 * nothing: a device, FIFO or socket there is never replaced (checked before and at commit).
 *
 * Problems a person can fix before anything is sent (no such directory, not writable, not a
 * regular file) are UsageErrors raised here, before a request goes out. Errors while writing
 * (ENOSPC, EIO) are one-line Errors naming the target, raised by the next write or by commit.
 */
export async function openFileSink(path: string, options: FileSinkOptions = {}): Promise<FileOutput> {
  const target = resolve(await checkFileTarget(path));
  const dir = dirname(target);

  const tempPath = options.temp?.path ?? tempNameBeside(target);
  let file: TempFile;
  let hash: Hash | undefined;
  try {
    if (options.openTemp) file = await options.openTemp(tempPath);
    else if (options.temp) {
      const partial = options.temp.resume ? await reopenPartial(tempPath, options.temp.resume) : await createPartial(tempPath);
      file = partialTemp(partial);
      hash = partial.hash;
    } else file = await openNodeTemp(tempPath);
  } catch (err) {
    throw new UsageError(`cannot write ${options.temp ? tempPath : path}: ${reasonOf(err)}`, { cause: err });
  }

  const raw = new TempFileSink(file, target, options.temp?.resume?.bytes ?? 0, hash);
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
      return { bytes: raw.bytes, sha256: hash ? hash.copy().digest('hex') : '' };
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
        if (!sealed) {
          if (gz) await gz.finish();
          await raw.drained();
          try {
            await file.sync();
            await file.close();
          } catch (err) {
            throw writeError(target, err);
          }
        }
        // the target may have changed since the run began: still never replace a device, FIFO or socket
        await checkStillReplaceable(path, target);
        try {
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
 * memory stays at two chunks. With `hash`, every byte that lands is hashed, in file order.
 */
class TempFileSink implements Sink {
  private inflight: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly file: TempFile,
    private readonly target: string,
    /** Bytes on disk once the writes so far have landed. */
    public bytes: number,
    private readonly hash?: Hash,
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
      const rest = offset === 0 ? bytes : bytes.subarray(offset);
      const n = await this.file.write(rest);
      if (n <= 0) throw new Error('wrote 0 bytes');
      this.hash?.update(n === rest.length ? rest : rest.subarray(0, n));
      offset += n;
      this.bytes += n;
    }
  }
}

async function openNodeTemp(path: string): Promise<TempFile> {
  // never follow or reuse something already at the temp name
  const handle = await fsp.open(path, CREATE_EXCLUSIVE, 0o666);
  return {
    write: async (bytes) => (await handle.write(bytes)).bytesWritten,
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

function partialTemp(p: PartialHandle): TempFile {
  let position = p.position;
  return {
    write: async (bytes) => {
      const { bytesWritten } = await p.handle.write(bytes, 0, bytes.length, position);
      position += bytesWritten;
      return bytesWritten;
    },
    sync: () => p.handle.sync(),
    close: () => p.handle.close(),
  };
}

export { checkFileTarget };
