import type { Hash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LocalFileError, UsageError } from '../core/errors.js';
import { CREATE_EXCLUSIVE, codeOf, fileKind, ownedByUs, reasonOf, syncDirectory, tempNameBeside, writeError } from '../core/safe-files.js';
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
  let state: 'open' | 'committed' | 'aborted' = 'open';
  const abort = async (): Promise<void> => {
    if (state !== 'open') return;
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
    async commit() {
      if (state !== 'open') throw new Error(`output ${path} was already ${state}`);
      try {
        if (gz) await gz.finish();
        await raw.drained();
        try {
          await file.sync();
          await file.close();
        } catch (err) {
          throw writeError(target, err);
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

const STDOUT_HINT = ' (to write to standard output, use -o - or leave out -o)';

/**
 * What can be refused before any request: no such directory, not writable, a target that is
 * not a regular file. Returns the path to write: `path` itself, or, when it is a symlink of
 * ours to a regular file, the file it leads to (written through like `cp` does; a symlink owned
 * by someone else is refused, as the kernel's protected_symlinks would).
 */
export async function checkFileTarget(path: string, hint = STDOUT_HINT): Promise<string> {
  const target = resolve(path);
  // what the target is comes first: -o /dev/null is refused as a device, not as an unwritable /dev
  const link = await fsp.lstat(target).catch(() => undefined);
  if (!link || link.isFile()) {
    await checkWritableDirectory(path, dirname(target));
    return path;
  }
  if (link.isDirectory()) throw new UsageError(`cannot write ${path}: it is a directory`);
  if (!link.isSymbolicLink()) throw new UsageError(`cannot write ${path}: it is ${fileKind(link)}, not a regular file${hint}`);

  if (!ownedByUs(link)) throw new UsageError(`cannot write ${path}: it is a symbolic link owned by another user (uid ${link.uid}); mbuzz does not follow it`);
  const to = await fsp.readlink(target).catch(() => '?');
  // /dev/stdout, /dev/fd/N: an open descriptor, whatever file it happens to be, is not a target to replace
  if (await leadsThroughProc(target)) throw new UsageError(`cannot write ${path}: it is a link to an open file descriptor (${to}), not a file${hint}`);
  const st = await fsp.stat(target).catch(() => undefined);
  if (!st) throw new UsageError(`cannot write ${path}: it is a symbolic link to ${to}, which does not exist${hint}`);
  if (!st.isFile()) throw new UsageError(`cannot write ${path}: it is a symbolic link to ${to}, ${fileKind(st)}, not a regular file${hint}`);
  const real = await fsp.realpath(target);
  await checkWritableDirectory(path, dirname(real));
  return real;
}

/** Whether following `path`'s symlinks passes through /proc (/proc/self/fd/1 and the like). */
async function leadsThroughProc(path: string): Promise<boolean> {
  let p = path;
  for (let hop = 0; hop < 40; hop++) {
    const dir = await fsp.realpath(dirname(p)).catch(() => dirname(p));
    if (dir === '/proc' || dir.startsWith('/proc/')) return true;
    const here = join(dir, basename(p));
    const st = await fsp.lstat(here).catch(() => undefined);
    if (!st?.isSymbolicLink()) return false;
    p = resolve(dir, await fsp.readlink(here));
  }
  return false;
}

/** At commit: the target is still a regular file or nothing (a symlink or device appearing meanwhile is not replaced). */
async function checkStillReplaceable(path: string, target: string): Promise<void> {
  const st = await fsp.lstat(target).catch((err: unknown) => (codeOf(err) === 'ENOENT' ? undefined : Promise.reject(writeError(target, err))));
  if (!st || st.isFile()) return;
  throw new LocalFileError(`cannot write ${path}: it is now ${fileKind(st)}, not a regular file, and was left as it is`);
}

async function checkWritableDirectory(path: string, dir: string): Promise<void> {
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
}

