import type { Env } from '../core/env.js';
import { redact } from '../core/secrets.js';
import { exportDataset, type ExportResult } from './export-dataset.js';
import { writeManifest, type ManifestDataset } from './manifest.js';
import type { RunObserver } from './observer.js';
import { completeThrough, saveState } from './state.js';
import type { ExportPlan } from './validate.js';

/**
 * Runs a checked plan: each job in turn, the --state entry advanced after each one completes,
 * and the manifest written last, as the record of what the run committed.
 */
export async function runPlan(plan: ExportPlan, env: Env, observer: RunObserver): Promise<ExportResult[]> {
  const startedAt = env.now();
  const results: ExportResult[] = [];
  for (const job of plan.jobs) {
    results.push(await exportDataset(job, env, observer));
    if (plan.state && job.stateKey) {
      const { options } = job;
      plan.state.file.entries[job.stateKey] = { lastCompleteDay: completeThrough(options.to, plan.today), updatedAt: env.now().toISOString(), dataset: options.dataset.name, profile: options.profileName };
      await saveState(plan.state.path, plan.state.file);
    }
  }
  if (plan.manifestPath !== undefined && results.length > 0) {
    const secrets = results.flatMap((r) => Object.values(r.job.options.credentials));
    await writeManifest(plan.manifestPath, {
      args: env.argv.map((a) => redact(a, secrets)),
      startedAt: startedAt.toISOString(),
      finishedAt: env.now().toISOString(),
      datasets: results.map((r) => manifestEntry(r, plan.today)),
    });
  }
  return results;
}

function manifestEntry(r: ExportResult, today: string): ManifestDataset {
  const o = r.job.options;
  const openDays = r.windows.filter((w) => w.open || w.to >= today).map((w) => (w.from === w.to ? w.from : `${w.from}..${w.to}`));
  return {
    dataset: o.dataset.name,
    from: o.from,
    to: o.to,
    format: o.format,
    rows: r.rows,
    apiTotal: r.windows.reduce((n, w) => n + w.received, 0),
    windows: r.windows,
    openDays,
    files: r.files,
  };
}
