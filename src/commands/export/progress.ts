import type { Ora } from 'ora';
import type { Env } from '../../core/env.js';
import type { Progress } from '../../pipeline/observer.js';
import { formatDuration } from '../../pipeline/summary.js';
import { streamLog } from '../../core/log.js';

// Progress on stderr: a spinner when stderr is a terminal, nothing otherwise, and one summary line
// at the end. It observes the export; it never sits in the data path.

export type { Progress };

/**
 * The spinner's line: `conversions · 2026-04-03..2026-04-05 · windows 12/91 · 48,210 rows ·
 * 61,002 rows/s · ETA 14.2s`. The ETA comes from the rows the API said it holds once a provider
 * reports them (the planner's first answer), else from the windows: either way from this run's own
 * pace, so the requests spent planning and a resumed run's earlier windows do not skew it.
 */
export function createProgress(env: Env, options: { enabled: boolean; quiet?: boolean; label: string; elapsed?: () => number }): Progress & { ready: Promise<void> } {
  // Elapsed time, not env.now(): MBUZZ_NOW pins that clock, which would freeze the spinner.
  const now = options.elapsed ?? (() => performance.now());
  const started = now();
  let planned = 0;
  let done = 0;
  /** Windows and rows an earlier run wrote (--resume): counted as done, not in the pace. */
  let doneBefore = 0;
  let rowsBefore = 0;
  let expected: number | undefined;
  let rows = 0;
  let current = '';
  let spinner: Ora | undefined;
  let stopped = false;
  let last = 0;
  // stderr's one Log writes the notes; a spinner would break its json lines, so it is text only
  const log = streamLog(env.stderr);
  // ora (with chalk, ~25 modules) loads only when a spinner is drawn: not for -q, a pipe or cron.
  // stderr is known to be a terminal here (the env says so); ora need not guess again.
  const ready =
    options.enabled && env.stderrIsTTY && log.format === 'text'
      ? import('ora')
          .then(({ default: ora }) => {
            if (stopped) return;
            spinner = ora({ stream: env.stderr, text: options.label, discardStdin: false, isEnabled: true }).start();
            render(true);
          })
          .catch(() => undefined) // no spinner is better than no export
      : Promise.resolve();
  const eta = (secs: number): string => {
    if (expected !== undefined && rows > 0) {
      const left = expected - rowsBefore - rows;
      return left > 0 ? ` · ETA ${formatDuration((left * secs) / rows)}` : '';
    }
    const ran = done - doneBefore;
    return ran > 0 && planned > done ? ` · ETA ${formatDuration(((planned - done) * secs) / ran)}` : '';
  };
  const render = (force = false) => {
    if (!spinner) return;
    const t = now();
    if (!force && t - last < 100) return;
    last = t;
    const secs = Math.max(0.001, (t - started) / 1000);
    const rate = Math.round(rows / secs);
    spinner.text = `${options.label} · ${current || 'starting'} · windows ${done}/${planned} · ${(rowsBefore + rows).toLocaleString('en-US')} rows · ${rate.toLocaleString('en-US')} rows/s${eta(secs)}`;
  };
  return {
    /** The spinner is drawing (or there is none). */
    ready,
    plan(n) {
      planned += n;
      render(true);
    },
    expect(n) {
      expected = (expected ?? 0) + n;
    },
    resumed(windows, rowsWritten) {
      done += windows;
      doneBefore += windows;
      rowsBefore += rowsWritten;
    },
    windowDone(label) {
      done += 1;
      // providers label windows with their dataset for messages; the spinner already says it
      current = label.startsWith(`${options.label} `) ? label.slice(options.label.length + 1) : label;
      render();
    },
    note(message) {
      if (options.quiet) return;
      if (spinner) spinner.clear();
      // Notes may quote a server (an account's name): the Log lets no control character through.
      log.write('info', message);
      spinner?.render();
    },
    rows(n) {
      rows += n;
      render();
    },
    stop() {
      stopped = true;
      spinner?.stop();
      spinner = undefined;
    },
    get windowsDone() {
      return done;
    },
    get windowsPlanned() {
      return planned;
    },
  };
}

export { formatDuration };
