import { Command } from 'commander';
import type { Env } from '../core/env.js';
import type { ExitCode } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { isLogFormat } from '../core/log.js';
import { registerSecret } from '../core/secrets.js';
import type { CommandSpec, Invocation } from '../commands/spec.js';
import { exportCommand } from '../commands/export/command.js';
import { sandboxCommand } from '../commands/sandbox/command.js';
import { profilesCommand } from '../commands/profiles/command.js';
import { datasetsCommand } from '../commands/datasets/command.js';
import { schemaCommand } from '../commands/schema/command.js';
import { completionCommand } from '../commands/completion/command.js';
import { versionCommand } from '../commands/version/command.js';
import { verifyCommand } from '../commands/verify/command.js';

const COMMANDS: readonly CommandSpec[] = [exportCommand, verifyCommand, datasetsCommand, schemaCommand, profilesCommand, sandboxCommand, completionCommand, versionCommand];

/**
 * Whether `argv` may show a command's help (`--help`, `-h` alone or among short flags, `help`):
 * only then is what the help texts list loaded. Saying yes too often costs a few milliseconds.
 */
function asksForHelp(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--help' || a === 'help' || /^-[A-Za-z]*h/.test(a));
}

/** The commander program, and the exit code of whichever command it ran (0 for help and version). */
export async function buildProgram(env: Env, invocation: Invocation, argv: readonly string[] = []): Promise<{ program: Command; exitCode: () => ExitCode }> {
  if (asksForHelp(argv)) await Promise.all(COMMANDS.map((spec) => spec.prepareHelp?.()));
  let code: ExitCode = 0;
  const output = {
    writeOut: (s: string) => env.stdout.write(s),
    writeErr: (s: string) => env.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(`mbuzz: ${s.replace(/^error: /, '')}`),
  };
  const program = new Command('mbuzz')
    .description('Pull every row of a dataset out of marketing-analytics APIs into NDJSON, CSV or Parquet.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput(output)
    .exitOverride();
  for (const spec of COMMANDS) {
    // exitOverride and output config are not inherited by subcommands added with .command()
    const command = spec.declare(program).exitOverride().configureOutput(output);
    watchOptions(command, invocation);
    command.action(async (...args: unknown[]) => {
      code = await spec.run(env, args.slice(0, -1), command, invocation);
    });
  }
  return { program, exitCode: () => code };
}

/**
 * What must hold from the moment commander reads a flag, before the command runs, so that even a
 * usage error commander finds later in the same command line obeys it: --log-format (main's error
 * line is then JSON too), and --api-key (its value masked in every message from then on).
 */
function watchOptions(command: Command, invocation: Invocation): void {
  const has = (flag: string) => command.options.some((o) => o.long === flag);
  if (has('--log-format')) command.on('option:log-format', (value: string) => {
    if (isLogFormat(value)) invocation.log.format = value;
  });
  if (has('--api-key')) command.on('option:api-key', (value: string) => registerSecret(value));
}
