import { createHash, type Hash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { CREATE_EXCLUSIVE, UPDATE_NOFOLLOW, codeOf, fileKind, ownedByUs } from '../core/safe-files.js';

// The partial file of a checkpointed export sits at a fixed name beside the target
// (`.NAME.mbuzz-partial`) so that a later --resume finds it. A fixed name in a shared directory
// is where someone can plant a symlink, so it is created exclusively and reopened without
// following links, and only a regular file of ours with one link is ever appended to. A resume
// trusts no length alone: the first `bytes` bytes must hash to what the checkpoint recorded.

/** A partial file whose first `bytes` bytes were read back and matched the checkpoint's digest. */
export interface VerifiedPrefix {
  bytes: number;
  /** sha256 over those bytes, not yet finalised: writing continues it. */
  hash: Hash;
  /** The file that was read, so the one reopened is the same. */
  dev: number;
  ino: number;
}

/** Where bytes of a partial file go, with the running digest of everything in it. */
export interface PartialHandle {
  handle: FileHandle;
  position: number;
  hash: Hash;
}

/** Reads the prefix back: a VerifiedPrefix, or why the partial file cannot be continued. */
export async function verifyPartial(path: string, bytes: number, sha256: string): Promise<VerifiedPrefix | { mismatch: string }> {
  let handle: FileHandle;
  try {
    handle = await fsp.open(path, UPDATE_NOFOLLOW);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return { mismatch: 'its partial file is gone' };
    if (code === 'ELOOP') return { mismatch: 'its partial file is a symbolic link' };
    return { mismatch: `its partial file cannot be opened (${code ?? String(err)})` };
  }
  try {
    const st = await handle.stat();
    const wrong = unfit(st);
    if (wrong) return { mismatch: `its partial file is ${wrong}` };
    if (st.size < bytes) return { mismatch: `its partial file has ${st.size} bytes, fewer than the ${bytes} it records` };
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < bytes; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, bytes - at), at);
      if (bytesRead === 0) return { mismatch: `its partial file ended at ${at} bytes while being read` };
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    if (hash.copy().digest('hex') !== sha256) return { mismatch: `the first ${bytes} bytes of its partial file are not the ones it records` };
    return { bytes, hash, dev: st.dev, ino: st.ino };
  } finally {
    await handle.close();
  }
}

/** A new, empty partial file: whatever was at the name (a stale partial, a planted link) goes first. */
export async function createPartial(path: string): Promise<PartialHandle> {
  await fsp.unlink(path).catch((err: unknown) => {
    if (codeOf(err) !== 'ENOENT') throw err;
  });
  const handle = await fsp.open(path, CREATE_EXCLUSIVE, 0o666);
  return { handle, position: 0, hash: createHash('sha256') };
}

/** The verified partial file, reopened (the same file, still ours) and cut back to its verified prefix. */
export async function reopenPartial(path: string, prefix: VerifiedPrefix): Promise<PartialHandle> {
  const handle = await fsp.open(path, UPDATE_NOFOLLOW);
  try {
    const st = await handle.stat();
    const wrong = unfit(st) ?? (st.dev !== prefix.dev || st.ino !== prefix.ino ? 'another file than the one verified' : undefined);
    if (wrong) throw Object.assign(new Error(`${path} is ${wrong}`), { code: 'EINVAL' });
    await handle.truncate(prefix.bytes);
    return { handle, position: prefix.bytes, hash: prefix.hash };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Why a file may not be appended to: not a regular file, someone else's, or also reachable by another name. */
function unfit(st: Stats): string | undefined {
  if (!st.isFile()) return fileKind(st);
  if (!ownedByUs(st)) return `owned by another user (uid ${st.uid})`;
  if (st.nlink !== 1) return `linked from ${st.nlink - 1} other name(s)`;
  return undefined;
}
