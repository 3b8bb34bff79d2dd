import { CommanderError } from 'commander';
import { MbuzzError, type ExitCode } from './errors.js';
import type { Env } from './env.js';
import { buildProgram } from './program.js';

const REPORT_URL = 'https://github.com/mbuzz/mbuzz/issues';

/**
 * The one place where errors become exit codes and a single line on stderr.
 * Everything below throws typed errors; nothing below prints a stack trace.
 */
export async function main(argv: readonly string[], env: Env): Promise<number> {
  const result: { code: ExitCode } = { code: 0 };
  const program = buildProgram(env, result);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (err) {
    return exitCodeFor(err, env);
  }
}

function exitCodeFor(err: unknown, env: Env): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its own message (help, version, or the usage error).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (err.exitCode === 0) return 0;
    return 2;
  }
  if (err instanceof MbuzzError) {
    if (err.exitCode !== 0) env.stderr.write(`mbuzz: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  env.stderr.write(`mbuzz: unexpected error: ${oneLine(message)} (a bug: please report it at ${REPORT_URL})\n`);
  if (env.vars.MBUZZ_DEBUG && err instanceof Error && err.stack) env.stderr.write(`${err.stack}\n`);
  return 1;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
