import { Argument, type Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import { completionScript, completionSpec, type Shell } from './scripts.js';

export const completionCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('completion')
      .description('print shell completion: eval "$(mbuzz completion bash)"')
      .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'])),
  async run(env: Env, [shell], command) {
    // the whole program, so the script completes every command and flag; datasets by name
    const { DATASETS } = await import('../../providers/registry.js');
    env.stdout.write(completionScript(shell as Shell, completionSpec(command.parent!, DATASETS.map((d) => d.name))));
    return 0;
  },
};
