import ora, { type Ora } from 'ora';
import type { Env } from '../../core/env.js';
import type { Progress } from '../../pipeline/observer.js';
import { formatDuration } from '../../pipeline/summary.js';

// Progress on stderr: a spinner when stderr is a terminal, nothing otherwise, and one summary line
// at the end. It observes the export; it never sits in the data path.

export type { Progress };

export function createProgress(env: Env, options: { enabled: boolean; quiet?: boolean; label: string }): Progress {
  const started = Date.now();
  let planned = 0;
  let done = 0;
  let rows = 0;
  let current = '';
  let spinner: Ora | undefined;
  let last = 0;
  if (options.enabled && env.stderrIsTTY) {
    // stderr is known to be a terminal here (the env says so); ora need not guess again
    spinner = ora({ stream: env.stderr, text: options.label, discardStdin: false, isEnabled: true }).start();
  }
  const render = (force = false) => {
    if (!spinner) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const secs = Math.max(0.001, (now - started) / 1000);
    const rate = Math.round(rows / secs);
    const eta = done > 0 && planned > done ? ` · ETA ${formatDuration(((planned - done) * secs) / done)}` : '';
    spinner.text = `${options.label} · ${current || 'starting'} · windows ${done}/${planned} · ${rows.toLocaleString('en-US')} rows · ${rate.toLocaleString('en-US')} rows/s${eta}`;
  };
  return {
    plan(n) {
      planned += n;
      render(true);
    },
    windowDone(label) {
      done += 1;
      current = label;
      render();
    },
    note(message) {
      if (options.quiet) return;
      if (spinner) spinner.clear();
      env.stderr.write(`mbuzz: ${message}\n`);
      spinner?.render();
    },
    rows(n) {
      rows += n;
      render();
    },
    stop() {
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
