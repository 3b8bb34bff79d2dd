import os from 'node:os';
import { undiciTransport, type Transport } from '../http/transport.js';
import { maskWrites } from '../secrets.js';

/** What a command may touch of the outside world. Tests build one with buffers and a fixed clock. */
export interface Env {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  vars: Readonly<Record<string, string | undefined>>;
  /** The command line as given (for manifests, secrets masked there). */
  argv: readonly string[];
  cwd: string;
  home: string;
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** The HTTP transport; unit tests inject a fake, the CLI uses undici with keep-alive. */
  fetch: Transport;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Release what the env holds open (keep-alive sockets, signal handlers) so the process can exit. */
  close(): Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function fixedNow(value: string | undefined): () => Date {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? () => new Date() : () => new Date(at);
}

export function systemEnv(): Env {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts += 1;
    // A second Ctrl-C means "now": the first one is already cleaning up.
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Every secret registered anywhere (keys, URL and proxy passwords, tokens) is masked in every
  // stderr write from here on, whichever code writes it: errors, warnings, verbose lines, libraries.
  // It stays for the life of the process (close() does not undo it): a late warning is masked too.
  maskWrites(process.stderr);
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
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await transport.close?.();
    },
  };
}
