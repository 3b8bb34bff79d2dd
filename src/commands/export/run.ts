import type { Env } from '../../core/env.js';
import type { ExitCode } from '../../core/errors.js';
import { levelOf } from '../../core/log.js';
import { releaseHeldLocks } from '../../core/lock.js';
import { loadConfig } from '../../config/load.js';
import { configSpec } from '../../providers/registry.js';
import { dryRun } from '../../pipeline/dry-run.js';
import type { RunObserver } from '../../pipeline/observer.js';
import { ExportReport } from '../../pipeline/report.js';
import type { ExportFlags } from '../../pipeline/request.js';
import { runPlan } from '../../pipeline/run.js';
import { planExport } from '../../pipeline/validate.js';
import type { Invocation } from '../spec.js';
import { renderDryRun } from './dry-run-view.js';
import { createProgress } from './progress.js';

/**
 * `mbuzz export <dataset>` and `mbuzz export all`: the config loaded, the whole run checked
 * (every usage error before any request), then run, watched by progress on stderr and recorded
 * for --report; or, with --dry-run, planned and printed.
 */
export async function runExport(flags: ExportFlags, env: Env, invocation: Invocation & { json: boolean }): Promise<ExitCode> {
  const { log } = invocation;
  const record = new ExportReport();
  invocation.report.add(() => record.toJSON());
  const quiet = flags.quiet === true;
  const said = new Set<string>();
  const say = (line: string, fields?: Parameters<RunObserver['say']>[1]) => {
    // a warning is said once per run, however many datasets it applies to; the Log keeps every
    // line to one line (secrets: system-env.ts masks stderr)
    if (!quiet && !said.has(line)) {
      const { level, msg } = levelOf(line);
      log.write(level, msg, fields);
    }
    if (line.startsWith('warning:')) said.add(line);
  };
  const loaded = await loadConfig({ cwd: env.cwd, home: env.home, vars: env.vars, flag: flags.config, spec: configSpec() });
  for (const w of loaded.warnings) say(`warning: ${w}`);
  const observer: RunObserver = {
    say,
    progress: (options) => createProgress(env, { enabled: options.progress && !options.quiet && !options.verbose, quiet: options.quiet, label: options.dataset.name }),
    record: (options) => record.dataset(options),
  };
  try {
    const plan = await planExport(flags, env, loaded, say);
    record.planned(plan.jobs.map((j) => j.options));
    if (flags.dryRun) {
      const result = await dryRun(plan, env);
      invocation.report.add(() => ({ dryRun: result }));
      env.stdout.write(renderDryRun(result, invocation.json));
      return 0;
    }
    await runPlan(plan, env, observer);
  } finally {
    // the locks planExport took on the targets and the --state file, on every way out
    await releaseHeldLocks();
  }
  return 0;
}
