import { randomBytes } from 'node:crypto';
import { constants, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Local files mbuzz makes for itself (temp files, checkpoints, writer state, --state, manifests,
// locks) live in directories other people may write to, such as /tmp. Each is created with
// O_EXCL under a name nobody can guess, and read without following a symbolic link, so a link
// planted at a name mbuzz uses is never followed and its target never written.

/** Create only; fail if anything (a file, a symlink) is already there. */
export const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/**
 * Open an existing file, refusing a symlink at its name (ELOOP). O_NONBLOCK: a FIFO planted there
 * opens at once (to be refused as not a regular file) instead of hanging until someone writes.
 */
export const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
export const UPDATE_NOFOLLOW = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A temp name beside `path` that no one else uses: our pid plus 32 random bits. */
export function tempNameBeside(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.mbuzz-${process.pid}-${randomBytes(4).toString('hex')}.${tag}`);
}

/**
 * Writes `data` as the whole new content of `path`, atomically: an exclusive temp file beside it,
 * fsynced, renamed over `path` (which replaces a symlink there rather than following it), and the
 * directory fsynced so the rename survives a crash. On any failure the temp file is removed and
 * the error is one line naming `path` (`cannot write PATH: no space left on device (ENOSPC)`).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempNameBeside(path);
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, CREATE_EXCLUSIVE, 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw writeError(path, err);
  }
  await syncDirectory(dirname(path));
}

/**
 * The content of a regular file, never through a symlink. Undefined when nothing is there;
 * a symlink or anything but a regular file is an Error saying so (`code` ELOOP or EINVAL).
 */
export async function readRegularFile(path: string): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await fsp.open(path, READ_NOFOLLOW);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    if (codeOf(err) === 'ELOOP') throw Object.assign(new Error(`${path} is a symbolic link`), { code: 'ELOOP' });
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${path} is ${fileKind(st)}, not a regular file`), { code: 'EINVAL' });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable; some filesystems cannot fsync a directory, which is fine. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

/** What a path is, for messages: "a character device", "a FIFO (named pipe)", ... */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whether this process owns `st` (always true where there are no uids). */
export function ownedByUs(st: Stats): boolean {
  const uid = process.getuid?.();
  return uid === undefined || st.uid === uid;
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
  EEXIST: 'something else appeared at that name meanwhile',
  ELOOP: 'it is a symbolic link, which mbuzz does not follow here',
};

/** `cannot write PATH: REASON (CODE)`, keeping the errno as the cause. */
export function writeError(path: string, err: unknown): Error {
  return new Error(`cannot write ${path}: ${reasonOf(err)}`, { cause: err });
}

export function reasonOf(err: unknown): string {
  const code = codeOf(err);
  const reason = code ? REASONS[code] : undefined;
  if (reason) return `${reason} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
