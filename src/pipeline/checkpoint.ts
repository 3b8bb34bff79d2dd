import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Settled } from '../destinations/file.js';
import type { ExportOptions, WindowInfo } from '../providers/types.js';
import { VERSION } from '../core/version.js';
import { readRegularFile, reasonOf, writeFileAtomic } from '../core/safe-files.js';

// A checkpoint beside the output: which windows are finished and how many rows and bytes of the
// temp file are known good (fsynced), with the sha256 of exactly those bytes. After any crash,
// kill -9 included, `--resume` checks the temp file still starts with them, cuts it back to that
// length, skips the finished windows and continues; since the export's order is deterministic,
// the finished file has the bytes an uninterrupted run would have written. A checkpoint that does
// not match its partial file, or was edited (its seal), is never trusted: the run starts over.

export interface CheckpointWindow {
  index: number;
  from: string;
  to: string;
  /** Rows it put in the output. */
  rows: number;
  /** Rows the API counted for it. */
  received: number;
}

export interface Checkpoint {
  version: 2;
  /** What the export is: a resume must be the same export. */
  fingerprint: string;
  /** For humans reading the file. */
  describe: string;
  rows: number;
  bytes: number;
  /** sha256 of the partial file's first `bytes` bytes. */
  sha256: string;
  windows: CheckpointWindow[];
  /** Parquet: the file beside this one holding the writer state (row-group metadata so far, v8-serialized). */
  writerState?: string;
  /** sha256 of that file. */
  writerStateSha256?: string;
  updatedAt: string;
  /** sha256 over the fields that decide a resume: a checkpoint edited by hand (rows, bytes, windows) no longer matches it. */
  seal: string;
}

export function checkpointPaths(output: string): { checkpoint: string; temp: string } {
  const target = resolve(output);
  const dir = dirname(target);
  return { checkpoint: join(dir, `.${basename(target)}.mbuzz-checkpoint.json`), temp: join(dir, `.${basename(target)}.mbuzz-partial`) };
}

/** The writer state a checkpoint refers to (binary, beside it: it grows with the row groups), if it has the digest recorded. */
export async function loadWriterState(checkpoint: string, cp: Checkpoint): Promise<{ state?: Uint8Array } | { mismatch: string }> {
  if (!cp.writerState) return {};
  if (basename(cp.writerState) !== cp.writerState) return { mismatch: `it names ${cp.writerState}, not a file beside it` };
  let state: Buffer | undefined;
  try {
    state = await readRegularFile(join(dirname(checkpoint), cp.writerState));
  } catch (err) {
    return { mismatch: `its writer state ${cp.writerState} cannot be read (${reasonOf(err)})` };
  }
  if (!state) return { mismatch: `its writer state ${cp.writerState} is gone` };
  if (createHash('sha256').update(state).digest('hex') !== cp.writerStateSha256) return { mismatch: `its writer state ${cp.writerState} is not the one it records` };
  return { state };
}

/** The seal: a digest of every field a resume acts on, in a fixed order. */
export function sealOf(cp: Omit<Checkpoint, 'seal'>): string {
  const fields = [cp.version, cp.fingerprint, cp.rows, cp.bytes, cp.sha256, cp.windows.map((w) => [w.index, w.from, w.to, w.rows, w.received]), cp.writerState ?? null, cp.writerStateSha256 ?? null];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Everything that decides the output's bytes; the key only as a hash. */
export function fingerprint(o: ExportOptions): string {
  const identity = {
    version: VERSION,
    dataset: o.dataset.name,
    from: o.from,
    to: o.to,
    // a range reaching today depends on which day today is
    today: o.to >= o.today ? o.today : undefined,
    channels: o.channels,
    funnel: o.funnel,
    params: o.params,
    format: o.format,
    gzip: o.gzip,
    columns: o.columns.map((c) => c.name),
    projected: o.projected,
    csvSafe: o.csvSafe,
    perPage: o.perPage,
    maxRows: o.maxRows,
    baseUrl: o.baseUrl,
    credentials: createHash('sha256').update(JSON.stringify(o.credentials)).digest('hex').slice(0, 16),
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The checkpoint at `path`: undefined if there is none, `untrusted` with the reason if it cannot be used. */
export async function loadCheckpoint(path: string): Promise<{ checkpoint: Checkpoint } | { untrusted: string } | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readRegularFile(path);
  } catch (err) {
    return { untrusted: reasonOf(err) };
  }
  if (!bytes) return undefined;
  let cp: Checkpoint;
  try {
    cp = JSON.parse(bytes.toString('utf8')) as Checkpoint;
  } catch {
    return { untrusted: 'it is not JSON' };
  }
  const shaped =
    typeof cp === 'object' && cp !== null && cp.version === 2 && typeof cp.fingerprint === 'string' && Number.isSafeInteger(cp.rows) && cp.rows >= 0 &&
    Number.isSafeInteger(cp.bytes) && cp.bytes >= 0 && typeof cp.sha256 === 'string' && Array.isArray(cp.windows) && typeof cp.seal === 'string';
  if (!shaped) return { untrusted: 'it is not a checkpoint of this version of mbuzz' };
  try {
    if (sealOf(cp) !== cp.seal) return { untrusted: 'it was edited or damaged (its seal does not match)' };
  } catch {
    return { untrusted: 'it is not a checkpoint of this version of mbuzz' };
  }
  return { checkpoint: cp };
}

/**
 * Removes an earlier run's checkpoint, then its writer-state files, then its partial file, in that
 * order: a checkpoint never outlives the bytes it describes, whatever stops this midway.
 */
export async function discardProgress(paths: { checkpoint: string; temp: string }): Promise<void> {
  await removeCheckpoint(paths.checkpoint);
  await fsp.unlink(paths.temp).catch(() => undefined);
}

async function removeCheckpoint(path: string): Promise<void> {
  await fsp.unlink(path).catch(() => undefined);
  // every state file, including one a crash left between writing a new state and dropping the old
  const prefix = `${basename(path, '.json')}.state-`;
  for (const f of await fsp.readdir(dirname(path)).catch(() => [] as string[])) {
    if (f.startsWith(prefix)) await fsp.unlink(join(dirname(path), f)).catch(() => undefined);
  }
}

/** Finished windows from the start, in order: the ones a resume can skip. */
export function finishedPrefix(cp: Pick<Checkpoint, 'windows' | 'rows'>): CheckpointWindow[] {
  const byIndex = new Map(cp.windows.map((w) => [w.index, w]));
  const out: CheckpointWindow[] = [];
  let rows = 0;
  for (let i = 0; byIndex.has(i); i++) {
    const w = byIndex.get(i)!;
    if (rows + w.rows > cp.rows) break;
    rows += w.rows;
    out.push(w);
  }
  return out;
}

/** Keeps the checkpoint file current, at most once a second, always after an fsync. */
export class Checkpointer {
  private readonly windows = new Map<number, CheckpointWindow>();
  private lastSave = 0;
  private saving: Promise<void> = Promise.resolve();
  /** A checkpoint file exists (from this run or the one resumed): the temp file is worth keeping. */
  saved: boolean;
  /** The writer-state file the current checkpoint names. */
  private stateFile: string | undefined;

  constructor(
    private readonly path: string,
    private readonly base: Pick<Checkpoint, 'fingerprint' | 'describe'>,
    private readonly now: () => number,
    resumed?: Checkpoint,
    /** Least time between saves: Parquet's state grows with the file, so it is saved less often. */
    private readonly everyMs = 1000,
  ) {
    for (const w of resumed?.windows ?? []) this.windows.set(w.index, w);
    this.saved = resumed !== undefined;
    this.stateFile = resumed?.writerState;
  }

  windowDone(info: WindowInfo, rows: number): void {
    this.windows.set(info.index, { index: info.index, from: info.from, to: info.to, rows, received: info.received });
  }

  due(): boolean {
    return this.now() - this.lastSave >= this.everyMs;
  }

  /**
   * `settle` makes the temp file durable and says its length and digest (hashed as the bytes were
   * written, so nothing is read back here); it is awaited before writing.
   */
  async save(rows: number, settle: () => Promise<Settled>, writerState?: () => Uint8Array): Promise<void> {
    this.lastSave = this.now();
    const { bytes, sha256 } = await settle();
    const state = writerState?.();
    // The state goes to a new file named by its rows, then the checkpoint that points at it, then
    // the old state goes: a crash at any moment leaves a checkpoint and the state it names.
    const stateFile = state ? `${basename(this.path, '.json')}.state-${rows}` : undefined;
    const body: Omit<Checkpoint, 'seal'> = {
      version: 2,
      ...this.base,
      rows,
      bytes,
      sha256,
      windows: [...this.windows.values()].sort((a, b) => a.index - b.index),
      ...(state && stateFile ? { writerState: stateFile, writerStateSha256: createHash('sha256').update(state).digest('hex') } : {}),
      updatedAt: new Date(this.now()).toISOString(),
    };
    const cp: Checkpoint = { ...body, seal: sealOf(body) };
    this.saving = this.saving.then(async () => {
      if (state && stateFile) await writeFileAtomic(join(dirname(this.path), stateFile), state);
      await writeFileAtomic(this.path, JSON.stringify(cp));
      if (this.stateFile && this.stateFile !== stateFile) await fsp.unlink(join(dirname(this.path), this.stateFile)).catch(() => undefined);
      if (stateFile) this.stateFile = stateFile;
    });
    await this.saving;
    this.saved = true;
  }

  async remove(): Promise<void> {
    await this.saving.catch(() => undefined);
    await removeCheckpoint(this.path);
  }
}
