import type { Command } from 'commander';
import type { Env } from '../../cli/env.js';
import type { CommandResult } from '../../cli/program.js';

export function registerDatasets(program: Command, env: Env, result: CommandResult): void {
  void program; void env; void result; // TODO
}
