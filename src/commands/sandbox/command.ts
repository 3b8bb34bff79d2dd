import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
// Help lists these, so they are two constant modules that import nothing (not the sandbox).
import { FAULT_KINDS } from '../../sandbox/fault-kinds.js';
import { BROKEN_MODES } from '../../sandbox/broken-modes.js';
import type { RawSandboxFlags } from './options.js';

// No commander defaults: every default lives in options.ts, so `mbuzz sandbox --help` and the
// parser can never disagree and a later config layer can tell "unset" from "default".
export const sandboxCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('sandbox')
      .description('serve a local copy of the mbuzz Data Downloads API on 127.0.0.1 (offline development, tests, benchmarks)')
      .option('--port <n>', 'port to listen on; 0 picks a free one (default 8787)')
      .option('--seed <n>', 'data seed; the same seed gives the same data (default 1)')
      .option('--scale <x>', 'data volume; 1 = ~6.9k conversion rows a day for the live key, 1/10 for test (default 1)')
      .option('--now <instant>', 'fix the clock, e.g. 2025-03-15T12:00:00Z, for deterministic data (default: the real clock)')
      .option('--data-start <date>', 'first day holding data, YYYY-MM-DD (default 2025-01-01)')
      .option('--tie-order <mode>', 'order of rows that tie on the sort key: stable, per-query or random (default per-query)')
      .option('--latency <ms>', 'added before every response (default 0)')
      .option('--fault-rate <p>', `probability of a fault per request, spread over ${FAULT_KINDS.join(', ')} (default 0)`)
      .option('--faults <spec>', 'per-kind fault probabilities, e.g. 500=0.02,reset=0.01')
      .option('--fault-seed <n>', 'seed the fault draws so a run repeats')
      .option('--rate-limits <mode>', "providers' own rate limits: real or off (default real)")
      .option('--broken <mode>', `answer every API request broken, on purpose: ${BROKEN_MODES.join(', ')} (docs/sandbox.md)`)
      .option('--verbose', 'one line per request on stderr'),
  async run(env: Env, [flags]) {
    // the flag parser, the server and its generators load only when a sandbox is asked for
    const { parseSandboxFlags } = await import('./options.js');
    const options = parseSandboxFlags(flags as RawSandboxFlags);
    const { runSandbox } = await import('./run.js');
    return runSandbox(options, env);
  },
};
