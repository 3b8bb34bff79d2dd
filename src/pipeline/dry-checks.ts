import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

// --dry-run checks what a real run's pre-flight would, without its effects: a directory the run
// would create is only checked to be creatable (its parent is a directory), not made.

/** Whether `dir` exists (as a directory); a UsageError when the run could not create it either. */
export async function checkCreatableDir(dir: string, flag = '-o'): Promise<boolean> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return true;
  if (st) throw new UsageError(`${flag} ${dir} must be a directory, and it is a file`);
  const parent = dirname(resolve(dir));
  if (!(await fsp.stat(parent).catch(() => undefined))?.isDirectory()) throw new UsageError(`cannot write ${dir}: directory ${parent} does not exist`);
  return false;
}
