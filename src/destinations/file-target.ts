import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LocalFileError, UsageError } from '../core/errors.js';
import { codeOf, fileKind, ownedByUs, reasonOf, writeError } from '../core/safe-files.js';

// What -o may be: a regular file, or nothing yet. A device, FIFO or socket is never replaced by
// the rename that commits an output (as root it would be: -o /dev/null used to become a file).
// Checked before any request (checkFileTarget, from pipeline/validate.ts) and again just before
// the rename (checkStillReplaceable), since the target can change while a run goes on.

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
export async function checkStillReplaceable(path: string, target: string): Promise<void> {
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

