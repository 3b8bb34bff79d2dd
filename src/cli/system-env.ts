import os from 'node:os';
import { sleep, type Env } from '../core/env.js';
import { SIGNAL_EXIT } from '../core/errors.js';
import { streamLog } from '../core/log.js';
import { maskWrites } from '../core/secrets.js';
import { undiciTransport } from '../http/transport.js';

// The real world behind Env: process streams, the clock, signals and undici. Only bin/mbuzz.js
// builds one; everything below takes an Env, so tests pass buffers and a fixed clock instead.

const HANDLED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function fixedNow(value: string | undefined): () => Date {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? () => new Date() : () => new Date(at);
}

export function systemEnv(): Env {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts += 1;
    // A second signal means "now": the first one is already cleaning up.
    if (interrupts > 1) process.exit(SIGNAL_EXIT[sig] ?? 130);
    controller.abort(new Error(sig));
  };
  // SIGHUP too: a closed terminal or ssh session must clean up like Ctrl-C, not leave temp files.
  for (const sig of HANDLED) process.on(sig, onSignal);
  // Every secret registered anywhere (keys, URL and proxy passwords, tokens) is masked in every
  // stderr write from here on, whichever code writes it: errors, warnings, verbose lines, libraries.
  // It stays for the life of the process (close() does not undo it): a late warning is masked too.
  maskWrites(process.stderr);
  // Node's own warnings (a library's deprecation) are stderr lines too: through stderr's one Log,
  // so --log-format json holds for them. Node's printer is a 'warning' listener it adds itself,
  // unless --no-warnings asked for none: then there is none to replace.
  if (process.listenerCount('warning') > 0) {
    process.removeAllListeners('warning');
    process.on('warning', (w) => streamLog(process.stderr).write('warning', `${w.name}: ${w.message}`));
  }
  const transport = undiciTransport({ vars: process.env });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    vars: process.env,
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    home: os.homedir(),
    // MBUZZ_NOW pretends it is another instant (tests, and replaying a cron schedule against the sandbox).
    now: fixedNow(process.env.MBUZZ_NOW),
    sleep,
    random: Math.random,
    fetch: transport,
    signal: controller.signal,
    close: async () => {
      for (const sig of HANDLED) process.off(sig, onSignal);
      await transport.close?.();
    },
  };
}
