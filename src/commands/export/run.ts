import type { Env } from '../../core/env.js';
import type { ExitCode } from '../../core/errors.js';
import { releaseHeldLocks } from '../../core/lock.js';
import { loadConfig } from '../../config/load.js';
import { configSpec } from '../../providers/registry.js';
import type { RunObserver } from '../../pipeline/observer.js';
import type { ExportFlags } from '../../pipeline/request.js';
import { runPlan } from '../../pipeline/run.js';
import { planExport } from '../../pipeline/validate.js';
import { createProgress } from './progress.js';
import { stripControls } from '../../core/secrets.js';

/**
 * `mbuzz export <dataset>` and `mbuzz export all`: the config loaded, the whole run checked
 * (every usage error before any request), then run, watched by progress on stderr.
 */
export async function runExport(flags: ExportFlags, env: Env): Promise<ExitCode> {
  const loaded = await loadConfig({ cwd: env.cwd, home: env.home, vars: env.vars, flag: flags.config, spec: configSpec() });
  const quiet = flags.quiet === true;
  const said = new Set<string>();
  const say = (line: string) => {
    // a warning is said once per run, however many datasets it applies to
    // Lines may quote a file or a server: no control character reaches the terminal (secrets: system-env.ts masks stderr).
    if (!quiet && !said.has(line)) env.stderr.write(`mbuzz: ${stripControls(line)}\n`);
    if (line.startsWith('warning:')) said.add(line);
  };
  for (const w of loaded.warnings) say(`warning: ${w}`);
  const observer: RunObserver = {
    say,
    progress: (options) => createProgress(env, { enabled: options.progress && !options.quiet && !options.verbose, quiet: options.quiet, label: options.dataset.name }),
  };
  try {
    const plan = await planExport(flags, env, loaded, say);
    await runPlan(plan, env, observer);
  } finally {
    // the locks planExport took on the targets and the --state file, on every way out
    await releaseHeldLocks();
  }
  return 0;
}
