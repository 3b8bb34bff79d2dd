import type { Command } from 'commander';
import type { Env } from '../core/env.js';
import type { ExitCode } from '../core/errors.js';

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
  run(env: Env, args: readonly unknown[], command: Command): Promise<ExitCode>;
}
