import type { Command } from 'commander';
import type { Env } from '../core/env.js';
import type { ExitCode } from '../core/errors.js';
import type { Log } from '../core/log.js';
import type { RunReport } from '../core/run-report.js';

/** What one run of the program shares between cli/ and the command it runs. */
export interface Invocation {
  /** Every stderr line goes through it; --log-format sets its format (cli/program.ts). */
  log: Log;
  /** --report: the command fills it in; cli/main.ts writes it once the exit code is known. */
  report: RunReport;
}

/**
 * One command, the way gh builds them: `declare` puts its name, arguments and flags on the
 * program and imports nothing heavy (so `mbuzz --version` and `--help` stay fast); `run` does
 * the work and answers with the exit code. Only cli/ turns that answer into the process's exit
 * code, and only cli/main.ts turns a thrown error into one.
 */
export interface CommandSpec {
  declare(program: Command): Command;
  /** Loads what this command's help text needs; called before parsing only when help is asked for. */
  prepareHelp?(): Promise<void>;
  /** `args` are commander's action arguments: the positional ones, then the parsed options. */
  run(env: Env, args: readonly unknown[], command: Command, invocation: Invocation): Promise<ExitCode>;
}
