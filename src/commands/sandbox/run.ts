// Runs the sandbox until SIGINT/SIGTERM: the URL is the first line of stdout (scripts read it,
// especially with --port 0), everything for humans goes to stderr.
import type { Env } from '../../core/env.js';
import { UsageError, type ExitCode } from '../../core/errors.js';
import { SANDBOX_KEYS } from '../../sandbox/keys.js';
import type { SandboxProvider } from '../../sandbox/mounts.js';
import { PROVIDERS } from '../../providers/registry.js';
import { BROKEN_DESCRIPTIONS } from '../../sandbox/broken-modes.js';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.js';
import type { SandboxCommandOptions } from './options.js';

export async function runSandbox(options: SandboxCommandOptions, env: Env): Promise<ExitCode> {
  // every provider record that has a local copy: mounted beside mbuzz's own API
  const others = await Promise.all(PROVIDERS.filter((p) => p.sandbox).map(async (p) => ({ name: p.name, sandbox: await p.sandbox!() })));
  let handle: SandboxHandle;
  try {
    handle = await startSandbox(
      {
        ...options,
        now: options.now ?? (() => env.now()),
        log: (line) => void env.stderr.write(`${line}\n`),
      },
      others.map((o) => o.sandbox.mount),
    );
  } catch (err) {
    throw asUsageError(err, options.port);
  }
  env.stdout.write(`${handle.url}\n`);
  env.stderr.write(banner(handle.url, options, others));
  await new Promise<void>((resolve) => {
    if (env.signal.aborted) return resolve();
    env.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await handle.close();
  if (options.verbose) env.stderr.write(`mbuzz sandbox: stopped after ${handle.stats().requests} requests\n`);
  return 0;
}

function banner(url: string, o: SandboxCommandOptions, others: readonly { name: string; sandbox: SandboxProvider }[]): string {
  const clock = o.now ? `clock fixed at ${o.now.toISOString()}` : 'live clock';
  const faults = o.faultRate > 0 || Object.keys(o.faults).length > 0 ? ', faults on' : '';
  const broken = o.broken ? `, BROKEN: ${o.broken} (${BROKEN_DESCRIPTIONS[o.broken]})` : '';
  return [
    `mbuzz sandbox: the mbuzz Data Downloads API at ${url} (seed ${o.seed}, scale ${o.scale}, ties ${o.tieOrder}, ${clock}, data from ${o.dataStart}${faults}${broken})`,
    `  test key (default):       ${SANDBOX_KEYS.test}`,
    `  live key (10x the data):  ${SANDBOX_KEYS.live}`,
    `  revoked key (401):        ${SANDBOX_KEYS.revoked}`,
    `  suspended account (401):  ${SANDBOX_KEYS.suspended}`,
    `  revoked + suspended (401, revoked wins): ${SANDBOX_KEYS.revokedSuspended}`,
    `try:  MBUZZ_BASE_URL=${url} MBUZZ_API_KEY=${SANDBOX_KEYS.test} mbuzz export conversions --range 7d`,
    `other providers, each under ${url}/<provider> (details: docs/sandbox-<provider>.md):`,
    ...others.flatMap(({ name, sandbox }) => sandbox.banner(`${url}/${name}`).map((line, i) => `  ${(i === 0 ? `${name}:` : '').padEnd(17)}${line}`)),
    `stats: ${url}/_sandbox/stats   stop: Ctrl-C`,
    '',
  ].join('\n');
}

function asUsageError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} is already in use: pick another with --port, or --port 0 for a free one`);
  if (code === 'EACCES') return new UsageError(`not allowed to listen on port ${port}: pick another with --port`);
  if (err instanceof RangeError) return new UsageError(err.message);
  return err;
}
