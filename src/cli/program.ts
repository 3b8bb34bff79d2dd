import { Command } from 'commander';
import type { Env } from './env.js';
import type { ExitCode } from './errors.js';
import { registerExport } from '../commands/export/command.js';
import { registerSandbox } from '../commands/sandbox/command.js';
import { registerProfiles } from '../commands/profiles/command.js';
import { registerDatasets } from '../commands/datasets/command.js';
import { registerSchema } from '../commands/schema/command.js';
import { registerCompletion } from '../commands/completion/command.js';
import { VERSION } from '../version.js';

/** Where a command's action leaves its exit code for main(). */
export interface CommandResult {
  code: ExitCode;
}

export function buildProgram(env: Env, result: CommandResult): Command {
  const program = new Command('mbuzz')
    .description('Pull every row of a dataset out of marketing-analytics APIs into NDJSON, CSV or Parquet.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
      outputError: (s, write) => write(`mbuzz: ${s.replace(/^error: /, '')}`),
    })
    .exitOverride();
  registerExport(program, env, result);
  registerDatasets(program, env, result);
  registerSchema(program, env, result);
  registerProfiles(program, env, result);
  registerSandbox(program, env, result);
  registerCompletion(program, env, result);
  // exitOverride and output config are not inherited by subcommands added with .command()
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
      outputError: (s, write) => write(`mbuzz: ${s.replace(/^error: /, '')}`),
    });
  }
  return program;
}
