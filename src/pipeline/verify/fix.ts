import type { Env } from '../../core/env.js';
import { UsageError } from '../../core/errors.js';
import { describeExport, exportIdentity, sameExport } from '../same-export.js';
import type { RunObserver } from '../observer.js';
import type { ExportFlags } from '../request.js';
import { runPlan } from '../run.js';
import { planExport, type Loaded } from '../validate.js';
import { differs, type ExportCheck, type VerifyRequest } from './verify.js';
import { dayRuns } from './target.js';

// `mbuzz verify --fix`: the days that differ, exported again into the same target by the very
// export pipeline a normal run uses: planExport checks the target as `mbuzz export` would (the
// lock, the same export in the directory, the table's shape), runPlan writes it. Each run of
// consecutive days is one job, so it replaces those days atomically (a directory's partitions
// renamed into place after every check passed; a table's days in one transaction) and leaves
// every other day as it was. A single file is exported again whole (local.ts says why).

export interface FixResult {
  /** The ranges exported again. */
  ranges: { from: string; to: string }[];
  rows: number;
}

export async function fixDays(check: ExportCheck, req: VerifyRequest, env: Env, loaded: Loaded, observer: RunObserver): Promise<FixResult> {
  const { held } = check;
  const fix = held.fix;
  if (fix.kind === 'refuse') throw new Error(`fixDays called for a target that refuses it: ${fix.why}`);
  const ranges = fix.kind === 'whole' ? [{ from: fix.from, to: fix.to }] : dayRuns(check.days.filter(differs).map((d) => d.day));
  const id = held.identity;
  const f = id.filters as { channels?: string[]; funnel?: string; customer?: string; params?: Record<string, string[]> };
  const postgres = fix.kind === 'days' && fix.partitionBy === undefined;
  const flags: ExportFlags = {
    ...req.api,
    dataset: id.dataset,
    channels: f.channels,
    funnel: f.funnel,
    customer: f.customer,
    params: f.params,
    fields: id.fields ?? undefined,
    output: fix.output,
    from: ranges[0]!.from,
    to: ranges[ranges.length - 1]!.to,
    // a table is loaded with COPY: it has no format of its own
    ...(postgres ? {} : { format: id.format as ExportFlags['format'], csvSafe: id.csvSafe || undefined }),
    ...(fix.kind === 'days' && fix.partitionBy ? { partitionBy: fix.partitionBy } : {}),
    // a file verified from its manifest keeps one
    ...(fix.kind === 'whole' ? { manifest: true } : {}),
  };
  const plan = await planExport(flags, env, loaded, observer.say);
  // planExport checked the span from the first day to the last; each run of days is a job of its own
  const [planned] = plan.jobs;
  if (!planned) return { ranges, rows: 0 };
  // The held export's own filters, never a profile's defaults (as the check counted them): a
  // default --channel would otherwise rewrite a whole file, or a table's days, with fewer rows.
  const job = { ...planned, options: { ...planned.options, channels: f.channels, funnel: f.funnel, customer: f.customer, params: { ...planned.options.params, ...(f.params ?? {}) } } };
  const got = exportIdentity(job.options);
  const want = { ...got, dataset: id.dataset, filters: id.filters, fields: id.fields ?? null };
  if (!sameExport(got, want)) {
    throw new UsageError(`--fix would write ${describeExport(got)}, but ${held.label} holds ${describeExport(want)} (a profile's defaults differ, e.g. its fields): nothing was changed; use a profile without them, or export again with mbuzz export`);
  }
  plan.jobs = ranges.map((r) => ({ ...job, options: { ...job.options, from: r.from, to: r.to } }));
  const results = await runPlan(plan, env, observer);
  return { ranges, rows: results.reduce((n, r) => n + r.rows, 0) };
}
