import { afterAll, describe, expect, it } from 'vitest';
import { LocalPartitionStore } from '../../src/destinations/local-partitions.js';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Row } from '../../src/core/columns.js';
import type { Env } from '../../src/core/env.js';
import { IntegrityError } from '../../src/core/errors.js';
import { inWindow, type WindowRows } from '../../src/core/window-rows.js';
import { eachDay } from '../../src/core/dates.js';
import { exportDataset } from '../../src/pipeline/export-dataset.js';
import type { RunObserver } from '../../src/pipeline/observer.js';
import { resolveExport } from '../../src/pipeline/resolve.js';
import { canCheckpoint } from '../../src/pipeline/resume.js';
import type { ExportJob, ExportPlan } from '../../src/pipeline/validate.js';
import { runPlan } from '../../src/pipeline/run.js';
import type { PartitionStore } from '../../src/destinations/partition-store.js';
import { findDataset, providerOf } from '../../src/providers/registry.js';
import type { DatasetDef, ExportContext } from '../../src/providers/types.js';

// The writer-boundary count as a second line of defence: a provider whose paging loses a row
// without noticing (its own check switched off) still cannot get the run to exit 0. The real
// pipeline, real file sinks and partitions; only the provider is made up. The rows a day "holds"
// are written out here, independent of the code under test.

const conversions = findDataset('conversions');
const root = mkdtempSync(join(tmpdir(), 'mbuzz-pipeline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAYS = ['2026-04-01', '2026-04-02', '2026-04-03'];
/** Each day holds 3 rows; the API's total for each day says so. */
const dayRows = (day: string): Row[] => [0, 1, 2].map((i) => ({ ...Object.fromEntries(conversions.columns.map((c) => [c.name, null])), date: day, type: 'conversion', name: `n${i}`, channel: 'email', credit: 1, is_acquisition: false, properties: {} }));

/** A provider that states each day's total and, with `lose`, silently drops the last row of that day. */
function provider(lose?: string): DatasetDef {
  return {
    ...conversions,
    async *run(ctx: ExportContext): AsyncGenerator<WindowRows> {
      for (const [index, day] of [...eachDay(ctx.options.from, ctx.options.to)].entries()) {
        const all = dayRows(day);
        const sent = day === lose ? all.slice(0, -1) : all;
        yield inWindow({ from: day, to: day, index }, sent);
        ctx.observer.windowDone(day, sent.length, { index, from: day, to: day, received: all.length });
      }
    },
  };
}

function env(): Env {
  const sink = new PassThrough().resume();
  return {
    stdout: sink, stderr: sink, stdoutIsTTY: false, stderrIsTTY: false, vars: {}, argv: ['export', 'conversions'], cwd: root, home: root,
    now: () => new Date('2026-05-20T12:00:00Z'), sleep: async () => undefined, random: () => 0.5,
    fetch: (async () => { throw new Error('no network here'); }) as unknown as Env['fetch'],
    signal: new AbortController().signal, close: async () => undefined,
  };
}
const observer: RunObserver = {
  say: () => undefined,
  progress: () => ({ plan() {}, note() {}, windowDone() {}, rows() {}, stop() {}, windowsDone: 0, windowsPlanned: 0 }),
};
const run = { id: 'test-run', startedAt: '2026-05-20T12:00:00.000Z', args: [] };

function job(dataset: DatasetDef, output: string, partitioned: boolean): ExportJob {
  const options = { ...resolveExport({ dataset: conversions, provider: providerOf(conversions), flags: { dataset: 'conversions', from: DAYS[0], to: DAYS[2], output, format: 'ndjson' }, config: { profiles: {} }, vars: { MBUZZ_API_KEY: 'sk_test_x' }, today: '2026-05-20' }), dataset };
  return { options, partitionBy: partitioned ? 'date' : undefined, checkpointing: canCheckpoint(options, partitioned), ...(partitioned && { store: new LocalPartitionStore(output), storeAt: '' }) };
}

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return out;
}

describe('rows written per window equal the API total, checked by the pipeline itself', () => {
  it('a single file: exit 6 naming the window; the older file untouched, no temp or checkpoint left', async () => {
    const dir = join(root, 'file');
    mkdirSync(dir);
    const out = join(dir, 'conversions.ndjson');
    writeFileSync(out, 'yesterday\n');
    const err = await exportDataset(job(provider('2026-04-02'), out, false), env(), observer, run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe('conversions 2026-04-02: 2 rows arrived but the API counts 3 for the window (counted again before writing)');
    expect(snapshot(dir)).toEqual({ 'conversions.ndjson': 'yesterday\n' });
  });

  it('partitions: nothing is published, so every existing partition and record stays byte-identical', async () => {
    const dir = join(root, 'parts');
    mkdirSync(dir); // planExport makes it, before any request
    const good = await exportDataset(job(provider(), dir, true), env(), observer, run);
    expect(good.rows).toBe(9);
    const before = snapshot(dir);
    expect(Object.keys(before).sort()).toEqual(DAYS.flatMap((d) => [`date=${d}/_mbuzz.json`, `date=${d}/part-0000.ndjson`]));
    const err = await exportDataset(job(provider('2026-04-03'), dir, true), env(), observer, { ...run, id: 'second' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/^conversions 2026-04-03: 2 rows arrived but the API counts 3/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('a commit that fails midway', () => {
  it('still rewrites the manifest, listing the days it had published (and not the others)', async () => {
    const dir = join(root, 'midway');
    mkdirSync(dir);
    const real = new LocalPartitionStore(dir);
    let commits = 0;
    // the real directory, whose second part file cannot be published (a disk that fills up then)
    const failing: PartitionStore = Object.assign(Object.create(real) as PartitionStore, {
      openPart: async (date: string, name: string) => {
        const out = await real.openPart(date, name);
        return {
          ...out,
          commit: async () => {
            if (++commits === 2) throw new Error(`cannot write ${dir}/date=${date}/${name}: no space left on device (ENOSPC)`);
            await out.commit();
          },
        };
      },
    });
    const plan: ExportPlan = { jobs: [{ ...job(provider(), dir, true), store: failing, storeAt: '' }], multi: false, partitionRoot: failing, today: '2026-05-20' };
    await expect(runPlan(plan, env(), observer)).rejects.toThrow(/no space left on device/);
    const manifest = JSON.parse(readFileSync(join(dir, '_manifest.json'), 'utf8')) as { partitions: { path: string }[]; datasets: unknown[] };
    expect(manifest.partitions.map((p) => p.path)).toEqual(['date=2026-04-01/part-0000.ndjson']);
    expect(manifest.datasets).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['_manifest.json', 'date=2026-04-01']);
  });
});
