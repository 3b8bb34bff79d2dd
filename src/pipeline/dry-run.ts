import type { Env } from '../core/env.js';
import { daysBetween } from '../core/dates.js';
import type { DryRunPlan, ExportOptions } from '../providers/types.js';
import { clientFor } from './fetch.js';
import type { ExportJob, ExportPlan } from './validate.js';

// `mbuzz export --dry-run`: the checked plan (pipeline/validate.ts, without its effects), and for
// each job what its dataset can know before reading the data (DatasetDef.dryRun, or the generic
// plan), plus an ETA. Nothing is written; the only requests are the plans' own (counts).

export interface DatasetDryRun {
  dataset: string;
  from: string;
  to: string;
  days: number;
  format: string;
  /** The output as the run would write it; null = stdout. */
  output: string | null;
  plan: DryRunPlan;
  /** What the dry run sent for this dataset, and how long its answers took on average. */
  sent: { requests: number; meanLatencyMs: number | null };
  eta: { ms: number; model: string } | null;
}

export interface DryRunResult {
  datasets: DatasetDryRun[];
  /** Lines about the run as a whole (nothing to export, a destination left unchecked). */
  notes: string[];
}

/** For datasets without a plan of their own: the days of the range, nothing sent, requests unknown. */
export function genericPlan(options: ExportOptions): DryRunPlan {
  return {
    basis: 'the days of the range only: this dataset pages through its data, so only reading it tells the requests and rows (nothing sent)',
    concurrency: options.concurrency,
    notes: [],
  };
}

export async function dryRun(plan: ExportPlan, env: Env): Promise<DryRunResult> {
  const datasets: DatasetDryRun[] = [];
  for (const job of plan.jobs) datasets.push(await dryRunJob(job, env));
  const notes = plan.jobs.length === 0 ? ['nothing to export: every dataset is up to date'] : [];
  return { datasets, notes };
}

async function dryRunJob(job: ExportJob, env: Env): Promise<DatasetDryRun> {
  const { options } = job;
  const client = clientFor(options, env);
  const ctx = { options, client, signal: env.signal, clock: { now: () => env.now().getTime(), sleep: env.sleep } };
  const plan = options.dataset.dryRun ? await options.dataset.dryRun.plan(ctx) : genericPlan(options);
  plan.notes.push(...jobNotes(job));
  const { requests, timeMs } = client.stats;
  const latency = requests > 0 ? timeMs / requests : null;
  return {
    dataset: options.dataset.name,
    from: options.from,
    to: options.to,
    days: options.from <= options.to ? daysBetween(options.from, options.to) : 0,
    format: options.format,
    output: options.output ?? null,
    plan,
    sent: { requests, meanLatencyMs: latency === null ? null : Math.round(latency) },
    eta: etaOf(plan, latency),
  };
}

/**
 * The ETA: the mean latency of the dry run's own requests x the run's requests / the requests it
 * has in flight at once, and never less than its rate limit allows. The dry run's answers carry a
 * row or a few, the run's full pages: a lower bound.
 */
export function etaOf(plan: DryRunPlan, latencyMs: number | null): DatasetDryRun['eta'] {
  const n = plan.requests?.count;
  const floor = plan.quota?.minMs;
  if (n === undefined) return floor ? { ms: floor, model: `at least ${plan.quota!.limit} allows: the number of requests is not known before reading` } : null;
  if (latencyMs === null) return floor ? { ms: floor, model: `the least time ${plan.quota!.limit} allows ${n} requests` } : null;
  const network = (latencyMs * n) / Math.max(1, plan.concurrency);
  const model = `${Math.round(latencyMs)} ms mean latency of the dry run's requests x ${n} requests / ${plan.concurrency} in flight; their answers are smaller than the run's pages, so a lower bound`;
  if (floor !== undefined && floor > network) return { ms: Math.round(floor), model: `the least time ${plan.quota!.limit} allows ${n} requests (the latency alone: ${Math.round(network)} ms)` };
  return { ms: Math.round(network), model };
}

/** What the dry run left unchecked or the run would do besides the requests. */
function jobNotes(job: ExportJob): string[] {
  const notes: string[] = [];
  const out = job.options.output;
  if (job.postgres) notes.push(`${out}: not checked by --dry-run (the check connects and may create the table)`);
  else if (out !== undefined && out.startsWith('s3://')) notes.push(`${out}: not probed by --dry-run (the probe starts an upload)`);
  if (job.options.maxRows !== undefined) notes.push(`--max-rows ${job.options.maxRows.toLocaleString('en-US')}: the run stops there, so it may send fewer requests`);
  if (job.resumed) notes.push(`resumes from the checkpoint: ${job.resumed.rows.toLocaleString('en-US')} rows already written`);
  if (job.replaces?.length) notes.push(`--replace-export: ${job.replaces.length} partitions of another export would be replaced or removed`);
  return notes;
}
