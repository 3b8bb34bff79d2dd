import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, relative } from 'node:path';
import type { Env } from '../core/env.js';
import { maskText } from '../core/secrets.js';
import { exportDataset, type ExportResult } from './export-dataset.js';
import { publishPartitionManifest, writeManifest, type ManifestDataset, type RunStamp } from './manifest.js';
import type { RunObserver } from './observer.js';
import { exportIdentity } from './same-export.js';
import { completeThrough, saveState } from './state.js';
import type { ExportPlan } from './validate.js';

/**
 * Runs a checked plan: each job in turn, the --state entry advanced after each one completes,
 * and the manifest written last, as the record of what the run committed. A job that fails after
 * earlier ones committed still gets the manifest rewritten (describing the directory as it now
 * is) before the error goes on.
 */
export async function runPlan(plan: ExportPlan, env: Env, observer: RunObserver): Promise<ExportResult[]> {
  const startedAt = env.now();
  const secrets = plan.jobs.flatMap((j) => Object.values(j.options.credentials));
  const run: RunStamp = { id: runId(startedAt), startedAt: startedAt.toISOString(), args: env.argv.map((a) => maskText(a, secrets)), ...(plan.shard && { shard: plan.shard }) };
  const results: ExportResult[] = [];
  try {
    for (const job of plan.jobs) {
      results.push(await exportDataset(job, env, observer, run));
      if (plan.state && job.stateKey) {
        const { options } = job;
        plan.state.file.entries[job.stateKey] = { lastCompleteDay: completeThrough(options.to, plan.today), updatedAt: env.now().toISOString(), dataset: options.dataset.name, profile: options.profileName };
        await saveState(plan.state.path, plan.state.file);
      }
    }
  } catch (err) {
    // partitions a failed commit had published are listed too: the manifest describes what is there
    const published = results.length > 0 || plan.jobs.some((j) => (j.published?.days ?? 0) > 0);
    if (published) await manifest(plan, run, results, env, observer).catch(() => undefined);
    throw err;
  }
  if (results.length > 0) await manifest(plan, run, results, env, observer);
  return results;
}

async function manifest(plan: ExportPlan, run: RunStamp, results: ExportResult[], env: Env, observer: RunObserver): Promise<void> {
  const root = plan.manifestPath !== undefined ? dirname(plan.manifestPath) : '';
  const body = () => ({ run: run.id, ...(run.shard && { shard: run.shard }), args: run.args, startedAt: run.startedAt, finishedAt: env.now().toISOString(), datasets: results.map((r) => manifestEntry(r, plan.today, root)) });
  if (plan.partitionRoot) await publishPartitionManifest(plan.partitionRoot, body, (line) => observer.say(line));
  else if (plan.manifestPath !== undefined) await writeManifest(plan.manifestPath, body());
}

/** Sortable and unique: the start time to the second, and 4 random bytes (runs in the same second). */
function runId(startedAt: Date): string {
  return `${startedAt.toISOString().replace(/[-:]|\.\d+/g, '')}-${randomBytes(4).toString('hex')}`;
}

function manifestEntry(r: ExportResult, today: string, root: string): ManifestDataset {
  const o = r.job.options;
  const openDays = r.windows.filter((w) => w.open || w.to >= today).map((w) => (w.from === w.to ? w.from : `${w.from}..${w.to}`));
  return {
    dataset: o.dataset.name,
    export: exportIdentity(o),
    from: o.from,
    to: o.to,
    format: o.format,
    rows: r.rows,
    apiTotal: r.windows.reduce((n, w) => n + w.received, 0),
    windows: r.windows,
    openDays,
    // a local file's path is absolute; a partition's is already relative to the manifest
    files: r.files.map((f) => ({ ...f, path: isAbsolute(f.path) ? relative(root, f.path) : f.path })),
  };
}
