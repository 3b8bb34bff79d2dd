import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ExportOptions, WindowInfo } from '../providers/types.js';
import { VERSION } from '../core/version.js';

// A checkpoint beside the output: which windows are finished and how many rows and bytes of the
// temp file are known good (fsynced). After any crash, kill -9 included, `--resume` cuts the temp
// file back to that length, skips the finished windows and continues; since the export's order is
// deterministic, the finished file has the bytes an uninterrupted run would have written.

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
  version: 1;
  /** What the export is: a resume must be the same export. */
  fingerprint: string;
  /** For humans reading the file. */
  describe: string;
  rows: number;
  bytes: number;
  windows: CheckpointWindow[];
  /** Parquet: the file beside this one holding the writer state (row-group metadata so far, v8-serialized). */
  writerState?: string;
  updatedAt: string;
}

export function checkpointPaths(output: string): { checkpoint: string; temp: string } {
  const target = resolve(output);
  const dir = dirname(target);
  return { checkpoint: join(dir, `.${basename(target)}.mbuzz-checkpoint.json`), temp: join(dir, `.${basename(target)}.mbuzz-partial`) };
}

/** The writer state a checkpoint refers to (binary, beside it: it grows with the row groups). */
export async function loadWriterState(checkpoint: string, cp: Checkpoint): Promise<Uint8Array | undefined> {
  if (!cp.writerState) return undefined;
  return fsp.readFile(join(dirname(checkpoint), cp.writerState)).catch(() => undefined);
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

export async function loadCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const cp = JSON.parse(text) as Checkpoint;
    return cp.version === 1 && typeof cp.rows === 'number' && typeof cp.bytes === 'number' && Array.isArray(cp.windows) ? cp : undefined;
  } catch {
    return undefined;
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

  /** `settle` makes the temp file durable and says its length; it is awaited before writing. */
  async save(rows: number, settle: () => Promise<number>, writerState?: () => Uint8Array): Promise<void> {
    this.lastSave = this.now();
    const bytes = await settle();
    const cp: Checkpoint = {
      version: 1,
      ...this.base,
      rows,
      bytes,
      windows: [...this.windows.values()].sort((a, b) => a.index - b.index),
      updatedAt: new Date(this.now()).toISOString(),
    };
    const state = writerState?.();
    // The state goes to a new file named by its rows, then the checkpoint that points at it, then
    // the old state goes: a crash at any moment leaves a checkpoint and the state it names.
    const stateFile = state ? `${basename(this.path, '.json')}.state-${rows}` : undefined;
    if (stateFile) cp.writerState = stateFile;
    const tmp = `${this.path}.tmp`;
    this.saving = this.saving.then(async () => {
      if (state && stateFile) await fsp.writeFile(join(dirname(this.path), stateFile), state);
      await fsp.writeFile(tmp, JSON.stringify(cp));
      await fsp.rename(tmp, this.path);
      if (this.stateFile && this.stateFile !== stateFile) await fsp.unlink(join(dirname(this.path), this.stateFile)).catch(() => undefined);
      if (stateFile) this.stateFile = stateFile;
    });
    await this.saving;
    this.saved = true;
  }

  async remove(): Promise<void> {
    await this.saving.catch(() => undefined);
    await fsp.unlink(this.path).catch(() => undefined);
    // every state file, including one a crash left between writing a new state and dropping the old
    const prefix = `${basename(this.path, '.json')}.state-`;
    for (const f of await fsp.readdir(dirname(this.path)).catch(() => [] as string[])) {
      if (f.startsWith(prefix)) await fsp.unlink(join(dirname(this.path), f)).catch(() => undefined);
    }
  }
}
