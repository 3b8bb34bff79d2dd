import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseIsoDate } from '../core/dates.js';
import { acquireLock, acquireLockWaiting, breakStale, busy, isStale, readHolder } from '../core/lock.js';
import { writeFileAtomic } from '../core/safe-files.js';
import { claimName, describeDays, overlaps, parseClaimName, type DayRange } from './claims.js';
import { openFileSink } from './file.js';
import type { PartitionStore, StagedOutput, StoredPartition } from './partition-store.js';
import { RECORD_NAME } from './partition-records.js';

// A directory of partitions on the local disk: DIR/date=YYYY-MM-DD/part-0000.<ext> and its
// _mbuzz.json. A part file is staged as a temp file beside its target and published by rename
// (file.ts), so a reader sees a day's old file or its whole new one.
//
// Two runs are kept apart by claims (claims.ts): files DIR/.mbuzz-claim.<days>.<id>.lock, each a
// lock of core/lock.ts (so a claim left by a run that is gone is taken over, and every claim goes
// when its run ends, however it ends). Checking the claims and writing ours happen under
// DIR/.mbuzz-lock, held for that moment only, so two runs cannot both find the days free; the
// manifest is rebuilt under the same short lock, so the last run to write it has seen every
// partition committed before. (DIR/.mbuzz-lock is the name older mbuzz versions held for a whole
// run, so an older run and a newer one still exclude each other.)

const PART_FILE = /^part-\d{4}\.(ndjson|csv|parquet)$/;
const PARTITION_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;

export class LocalPartitionStore implements PartitionStore {
  constructor(readonly where: string) {}

  private path(...parts: string[]): string {
    return join(this.where, ...parts);
  }

  async check(): Promise<void> {
    const dir = this.where;
    const st = await fsp.stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) throw new UsageError(`--partition-by needs -o DIR, and ${dir} is a file`);
    if (!st) {
      const parent = join(dir, '..');
      if (!(await fsp.stat(parent).catch(() => undefined))?.isDirectory()) throw new UsageError(`cannot write ${dir}: directory ${parent} does not exist`);
      await fsp.mkdir(dir).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'EEXIST') return; // another worker made it first
        throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
      });
    }
  }

  child(name: string): PartitionStore {
    return new LocalPartitionStore(this.path(name));
  }

  async children(): Promise<string[]> {
    const entries = await fsp.readdir(this.where, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('date=') && !e.name.startsWith('.')).map((e) => e.name).sort();
  }

  async openPart(date: string, name: string): Promise<StagedOutput> {
    const partDir = this.path(`date=${date}`);
    const created = await fsp.mkdir(partDir).then(() => true, () => false);
    const out = await openFileSink(join(partDir, name));
    return {
      sink: out.sink,
      seal: () => out.seal(),
      commit: () => out.commit(),
      async abort() {
        await out.abort();
        // a partition directory this run made stays only if something else is in it
        if (created) await fsp.rmdir(partDir).catch(() => undefined);
      },
    };
  }

  async stageRecord(date: string, text: string): Promise<StagedOutput> {
    const out = await openFileSink(this.path(`date=${date}`, RECORD_NAME));
    try {
      await out.sink.write(text);
      await out.seal();
    } catch (err) {
      await out.abort();
      throw err;
    }
    return out;
  }

  async listPartitions(): Promise<StoredPartition[]> {
    const entries = await fsp.readdir(this.where, { withFileTypes: true }).catch(() => []);
    const out: StoredPartition[] = [];
    for (const e of entries) {
      const date = PARTITION_DIR.exec(e.name)?.[1];
      if (!e.isDirectory() || date === undefined || parseIsoDate(date) === undefined) continue;
      const partDir = this.path(e.name);
      const files: StoredPartition['files'] = [];
      for (const f of await fsp.readdir(partDir, { withFileTypes: true }).catch(() => [])) {
        if (!f.isFile() || !PART_FILE.test(f.name)) continue;
        const st = await fsp.lstat(join(partDir, f.name)).catch(() => undefined);
        if (st?.isFile()) files.push({ name: f.name, bytes: st.size });
      }
      const record = await fsp.readFile(join(partDir, RECORD_NAME), 'utf8').catch(() => undefined);
      out.push({ date, files, ...(record !== undefined && { record }) });
    }
    return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  async removeOtherParts(date: string, keep: string): Promise<void> {
    const partDir = this.path(`date=${date}`);
    for (const f of await fsp.readdir(partDir).catch(() => [] as string[])) {
      if (f !== keep && PART_FILE.test(f)) await fsp.unlink(join(partDir, f)).catch(() => undefined);
    }
  }

  async removePartition(date: string): Promise<boolean> {
    const p = this.path(`date=${date}`);
    if (!(await fsp.lstat(p).catch(() => undefined))) return false;
    await fsp.rm(p, { recursive: true, force: true });
    return true;
  }

  async sha256(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.path(path))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async claim(days: DayRange, what: string, note: (line: string) => void): Promise<void> {
    const mutex = await acquireLockWaiting(this.mutexPath(), what, note);
    try {
      for (const name of (await fsp.readdir(this.where).catch(() => [] as string[])).sort()) {
        const other = parseClaimName(name);
        if (!other || !overlaps(other.days, days)) continue;
        const path = this.path(name);
        const holder = await readHolder(path);
        if (!holder) continue; // released meanwhile
        if (!isStale(holder)) throw busy(what, resolve(path), holder, describeDays(other.days));
        if (await breakStale(path, holder)) note(`took over the claim ${resolve(path)} of an earlier run (pid ${holder.pid}, started ${holder.startedAt}), which is no longer running`);
      }
      // a lock of core/lock.ts: released when the run ends, by the exit hook if need be
      await acquireLock(this.path(claimName(days, randomBytes(8).toString('hex'), 'lock')), what, note);
    } finally {
      await mutex.release();
    }
  }

  async publish(name: string, build: () => Promise<{ text: string; state: string }>, note: (line: string) => void): Promise<void> {
    const mutex = await acquireLockWaiting(this.mutexPath(), `-o ${this.where}`, note);
    try {
      await writeFileAtomic(this.path(name), (await build()).text);
    } finally {
      await mutex.release();
    }
  }

  close(): void {}

  private mutexPath(): string {
    return join(resolve(this.where), '.mbuzz-lock');
  }
}
