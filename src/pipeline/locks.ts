import { basename, dirname, join, resolve } from 'node:path';
import { acquireLock, type Lock } from '../core/lock.js';

// One writer per target. A file target's lock sits beside it (`.NAME.mbuzz-lock`, in the directory
// the temp and checkpoint files go to anyway); `export all`'s directory of files holds its lock
// inside (`DIR/.mbuzz-lock`, a name no file takes). A directory of partitions is not locked whole:
// a run claims its days (destinations/claims.ts), so sharded workers share it. The --state file is locked
// like a file target: two runs sharing it would each write back what they read, losing an entry.
// Taken in the pre-flight, before any request; released by runExport whatever happens.

export function fileLockPath(file: string): string {
  const target = resolve(file);
  return join(dirname(target), `.${basename(target)}.mbuzz-lock`);
}

export function directoryLockPath(dir: string): string {
  return join(resolve(dir), '.mbuzz-lock');
}

/** Locks a file target; `what` names it in the busy message (`-o out.csv`, `--state s.json`). */
export function lockFile(file: string, what: string, say: (line: string) => void): Promise<Lock> {
  return acquireLock(fileLockPath(file), what, (line) => say(`note: ${line}`));
}

export function lockDirectory(dir: string, what: string, say: (line: string) => void): Promise<Lock> {
  return acquireLock(directoryLockPath(dir), what, (line) => say(`note: ${line}`));
}
