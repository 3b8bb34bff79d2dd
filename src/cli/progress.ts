import ora, { type Ora } from 'ora';
import type { Env } from './env.js';
import type { ExportObserver } from '../providers/types.js';
import { stripControls } from '../secrets.js';

// Progress on stderr: a spinner when stderr is a terminal, nothing otherwise, and one summary line
// at the end. It observes the export; it never sits in the data path.

export interface Progress extends ExportObserver {
  rows(n: number): void;
  stop(): void;
  readonly windowsDone: number;
  readonly windowsPlanned: number;
}

export function createProgress(env: Env, options: { enabled: boolean; label: string }): Progress {
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
      if (spinner) spinner.clear();
      // Notes may quote a server (an account's name): no control character reaches the terminal.
      env.stderr.write(`mbuzz: ${stripControls(message)}\n`);
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

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
