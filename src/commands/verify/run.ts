import type { Env } from '../../core/env.js';
import { IntegrityError, type ExitCode } from '../../core/errors.js';
import { releaseHeldLocks } from '../../core/lock.js';
import { stripControls } from '../../core/secrets.js';
import { loadConfig } from '../../config/load.js';
import { configSpec } from '../../providers/registry.js';
import type { Progress, RunObserver } from '../../pipeline/observer.js';
import { formatDuration } from '../../pipeline/summary.js';
import { countAgainstApi, differs, prepareVerify, type ExportCheck, type VerifyRequest } from '../../pipeline/verify/verify.js';
import { fixDays } from '../../pipeline/verify/fix.js';
import { verifyJson, verifyText } from './print.js';

/**
 * `mbuzz verify TARGET [--fix]`: the target read and every export in it resolved (usage errors
 * before any request), each day counted by the API, the differences printed on stdout; then
 * exit 6, or with --fix those days exported again and exit 0.
 */
export async function runVerify(req: VerifyRequest, json: boolean, env: Env): Promise<ExitCode> {
  const loaded = await loadConfig({ cwd: env.cwd, home: env.home, vars: env.vars, flag: req.api.config, spec: configSpec() });
  const quiet = req.api.quiet === true;
  const said = new Set<string>();
  const say = (line: string) => {
    if (!quiet && !said.has(line)) env.stderr.write(`mbuzz: ${stripControls(line)}\n`);
    said.add(line);
  };
  for (const w of loaded.warnings) say(`warning: ${w}`);
  try {
    const prepared = await prepareVerify(req, env, loaded, say);
    const started = performance.now();
    const checks: ExportCheck[] = [];
    for (const p of prepared) checks.push(await countAgainstApi(p, env));
    env.stdout.write(json ? verifyJson(checks) : verifyText(checks));
    const days = checks.reduce((s, c) => s + c.days.length, 0);
    const requests = checks.reduce((s, c) => s + c.requests, 0);
    say(`checked ${days} day${days === 1 ? '' : 's'} against the API in ${requests} request${requests === 1 ? '' : 's'} (${formatDuration((performance.now() - started) / 1000)})`);
    const bad = checks.filter((c) => c.days.some(differs));
    if (!bad.length) return 0;
    if (!req.fix) {
      const list = [...new Set(bad.flatMap((c) => c.days.filter(differs).map((d) => d.day)))].sort();
      const shown = list.length <= 3 ? list.join(', ') : `${list[0]} ... ${list[list.length - 1]}`;
      throw new IntegrityError(`${list.length} day${list.length === 1 ? '' : 's'} of ${req.target} differ from what the API holds now (${shown}): mbuzz verify --fix exports them again`);
    }
    const observer: RunObserver = { say, progress: () => counting(say, quiet) };
    for (const c of bad) {
      const fix = c.held.fix;
      if (fix.kind === 'whole') say(`note: one file cannot have days replaced: exporting its whole range ${fix.from}..${fix.to} again into ${fix.output}`);
      const done = await fixDays(c, req, env, loaded, observer);
      const ranges = done.ranges.map((r) => (r.from === r.to ? r.from : `${r.from}..${r.to}`)).join(', ');
      say(`fixed: exported ${ranges} of ${c.held.identity.dataset} again into ${c.held.label} (${done.rows.toLocaleString('en-US')} rows)`);
    }
    return 0;
  } finally {
    await releaseHeldLocks();
  }
}

/** The export's progress during --fix, without a spinner: it counts, and says the notes. */
function counting(say: (line: string) => void, quiet: boolean): Progress {
  let planned = 0;
  let done = 0;
  return {
    plan: (k) => void (planned += k),
    windowDone: () => void (done += 1),
    note: (m) => void (quiet ? undefined : say(m)),
    rows: () => undefined,
    resumed: (w) => void (done += w),
    stop: () => undefined,
    get windowsDone() {
      return done;
    },
    get windowsPlanned() {
      return planned;
    },
  };
}
