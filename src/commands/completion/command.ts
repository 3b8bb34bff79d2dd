import { Argument, type Command } from 'commander';
import type { Env } from '../../cli/env.js';
import type { CommandResult } from '../../cli/program.js';
import { DATASETS } from '../../providers/registry.js';
import { completionScript, completionSpec, type Shell } from './scripts.js';

export function registerCompletion(program: Command, env: Env, result: CommandResult): void {
  program
    .command('completion')
    .description('print shell completion: eval "$(mbuzz completion bash)"')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action((shell: Shell) => {
      env.stdout.write(completionScript(shell, completionSpec(program, DATASETS.map((d) => d.name))));
      result.code = 0;
    });
}
