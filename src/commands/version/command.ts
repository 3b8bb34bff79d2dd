import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import { VERSION } from '../../core/version.js';
import type { CommandSpec } from '../spec.js';

/** `mbuzz version`, for people who type it the way gh, kubectl and terraform take it; the same as --version. */
export const versionCommand: CommandSpec = {
  declare: (program: Command) => program.command('version').description('print the version (the same as --version)'),
  async run(env: Env) {
    env.stdout.write(`${VERSION}\n`);
    return 0;
  },
};
