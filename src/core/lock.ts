import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync, promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { BusyError, UsageError } from './errors.js';
import { CREATE_EXCLUSIVE, codeOf, readRegularFile, reasonOf, tempNameBeside } from './safe-files.js';

// One writer per target: a lock file beside what a run writes (the -o file or directory, the
// --state file), naming its holder. It appears whole or not at all (written to an exclusive temp
// file, then hard-linked to the lock name, which fails if a lock is there). A lock whose holder
// is gone (same host, and no process with that pid and start time) is stale and taken over.
// Locks belong to the process: they are released when the export ends, and by an exit hook
// when the process ends some other way (a second Ctrl-C).

export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Linux: the process's start time in clock ticks since boot, so a reused pid is not mistaken for the holder. */
  procStart?: string;
  nonce: string;
}

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

const held = new Map<string, LockHolder>();
/** Other things a run holds until it ends (a claim on object storage, its client): released with the locks. */
const resources = new Set<() => Promise<void>>();
let exitHook = false;

/** Who this process is, as a lock (or a claim on object storage) records it. */
export function currentHolder(): LockHolder {
  return { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), procStart: procStart(process.pid), nonce: randomBytes(8).toString('hex') };
}

/**
 * Takes the lock at `lockPath` for `what` (the words the busy message uses, e.g. `-o out.csv`).
 * Busy: BusyError naming the holder. A stale lock is taken over, and `note` says so.
 */
export async function acquireLock(lockPath: string, what: string, note: (line: string) => void): Promise<Lock> {
  const me = currentHolder();
  const tmp = tempNameBeside(lockPath);
  try {
    await fsp.writeFile(tmp, `${JSON.stringify(me)}\n`, { flag: CREATE_EXCLUSIVE, mode: 0o644 });
  } catch (err) {
    throw new UsageError(`cannot create the lock file ${lockPath}: ${reasonOf(err)}`, { cause: err });
  }
  try {
    // A few rounds: a stale lock taken over, or one released between our looks, means trying again.
    for (let round = 0; round < 5; round++) {
      if (await linkOrCreate(tmp, lockPath, me)) return hold(lockPath, me);
      const other = await readHolder(lockPath);
      if (!other) continue; // released meanwhile
      if (!isStale(other)) throw busy(what, lockPath, other);
      if (await breakStale(lockPath, other)) note(`took over the lock ${lockPath} of an earlier run (pid ${other.pid}, started ${other.startedAt}), which is no longer running`);
    }
    throw new BusyError(`${what} is in use by another mbuzz run (its lock ${lockPath} keeps changing hands)`);
  } finally {
    await fsp.unlink(tmp).catch(() => undefined);
  }
}

/**
 * The same, waiting while another run holds it: for a lock held a moment (a directory's claims
 * being checked, its manifest rebuilt), not for a whole run. Busy after `timeoutMs`.
 */
export async function acquireLockWaiting(lockPath: string, what: string, note: (line: string) => void, timeoutMs = 60_000): Promise<Lock> {
  const until = Date.now() + timeoutMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await acquireLock(lockPath, what, note);
    } catch (err) {
      if (!(err instanceof BusyError) || Date.now() + pause > until) throw err;
    }
    await new Promise((r) => setTimeout(r, pause + Math.floor(Math.random() * pause)));
  }
}

/** Releases every lock this process holds (the export's last step, whatever happened). */
export async function releaseHeldLocks(): Promise<void> {
  for (const path of [...held.keys()]) await releaseOne(path);
  // last held, first released: a claim goes before the connection it was made through
  for (const release of [...resources].reverse()) await release().catch(() => undefined);
}

/** Something to release with the locks at the end of the run (an async step: not run by the exit hook). */
export function holdResource(release: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!resources.delete(once)) return;
    await release();
  };
  resources.add(once);
  return once;
}

function hold(path: string, me: LockHolder): Lock {
  held.set(path, me);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', releaseAllSync);
  }
  return { path, release: () => releaseOne(path) };
}

async function releaseOne(path: string): Promise<void> {
  const me = held.get(path);
  if (!me) return;
  held.delete(path);
  // only our own lock: never one another run has taken over meanwhile
  const now = await readHolder(path).catch(() => undefined);
  if (now?.nonce === me.nonce) await fsp.unlink(path).catch(() => undefined);
}

function releaseAllSync(): void {
  for (const [path, me] of held) {
    try {
      if ((JSON.parse(readFileSync(path, 'utf8')) as LockHolder).nonce === me.nonce) unlinkSync(path);
    } catch {
      // gone already, or not ours
    }
  }
  held.clear();
}

/** Links our filled temp file to the lock name; false when a lock is already there. */
async function linkOrCreate(tmp: string, lockPath: string, me: LockHolder): Promise<boolean> {
  try {
    await fsp.link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      throw new UsageError(`cannot create the lock file ${lockPath}: ${reasonOf(err)}`, { cause: err });
    }
  }
  // A filesystem without hard links: create exclusively and write (a reader may briefly see it empty).
  try {
    await fsp.writeFile(lockPath, `${JSON.stringify(me)}\n`, { flag: CREATE_EXCLUSIVE, mode: 0o644 });
    return true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    throw new UsageError(`cannot create the lock file ${lockPath}: ${reasonOf(err)}`, { cause: err });
  }
}

/** The holder named in a lock file; undefined if it vanished. Not a lock of ours: a usage error. */
export async function readHolder(lockPath: string): Promise<LockHolder | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readRegularFile(lockPath);
  } catch (err) {
    const what = codeOf(err) === 'ELOOP' ? 'a symbolic link' : codeOf(err) === 'EINVAL' ? 'not a regular file' : `unreadable (${reasonOf(err)})`;
    throw new UsageError(`${lockPath} is ${what}, not an mbuzz lock file; remove it if no mbuzz run is using it`, { cause: err });
  }
  if (!bytes) return undefined;
  try {
    const h = JSON.parse(bytes.toString('utf8')) as LockHolder;
    if (Number.isSafeInteger(h.pid) && typeof h.hostname === 'string' && typeof h.nonce === 'string' && typeof h.startedAt === 'string') return h;
  } catch {
    // fall through
  }
  throw new UsageError(`${lockPath} is not an mbuzz lock file; remove it if no mbuzz run is using it`);
}

/** Dead for sure: same host, and no process with that pid (or one started at another time). */
export function isStale(h: LockHolder): boolean {
  if (h.hostname !== hostname()) return false; // another machine's process: cannot tell, so it holds
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return codeOf(err) === 'ESRCH'; // EPERM: alive, someone else's
  }
  const started = procStart(h.pid);
  return h.procStart !== undefined && started !== undefined && started !== h.procStart;
}

/**
 * Moves the stale lock aside and checks that what moved is the lock judged stale. If another run
 * took it over in between, we moved a live lock: it goes back, and that run holds it.
 */
export async function breakStale(lockPath: string, stale: LockHolder): Promise<boolean> {
  const aside = tempNameBeside(lockPath, 'stale');
  try {
    await fsp.rename(lockPath, aside);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return false;
    throw new UsageError(`cannot take over the stale lock ${lockPath}: ${reasonOf(err)}`, { cause: err });
  }
  const moved = await readHolder(aside).catch(() => undefined);
  if (moved?.nonce !== stale.nonce) {
    await fsp.link(aside, lockPath).catch(() => undefined);
    await fsp.unlink(aside).catch(() => undefined);
    return false;
  }
  await fsp.unlink(aside).catch(() => undefined);
  return true;
}

/** `-o X is in use by another mbuzz run (pid N[ on HOST], started T[, writing DAYS]); try again ...` */
export function busy(what: string, lockPath: string, h: LockHolder, writing?: string): BusyError {
  const where = h.hostname === hostname() ? '' : ` on ${h.hostname}`;
  const days = writing ? `, writing ${writing}` : '';
  return new BusyError(`${what} is in use by another mbuzz run (pid ${h.pid}${where}, started ${h.startedAt}${days}); try again when it has finished (lock: ${lockPath})`);
}

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
