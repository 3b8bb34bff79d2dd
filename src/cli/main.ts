import { CommanderError, type Command } from 'commander';
import { interruptedBy, MbuzzError, OutputClosedError } from '../core/errors.js';
import type { Env } from '../core/env.js';
import { buildProgram } from './program.js';
import { stripControls } from '../core/secrets.js';

const REPORT_URL = 'https://github.com/mbuzz/mbuzz/issues';

/**
 * The one place where errors become exit codes and a single line on stderr.
 * Everything below throws typed errors; nothing below prints a stack trace.
 */
export async function main(argv: readonly string[], env: Env): Promise<number> {
  const { program, exitCode } = await buildProgram(env, argv);
  quietCommanderErrors(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (err) {
    // Ctrl-C reaches `| jq` too, so the write to its pipe can fail before our own signal handler
    // has run: give a pending signal a moment, so an interrupted run never passes for a quiet `| head`.
    if (err instanceof OutputClosedError && !env.signal.aborted) await env.sleep(50).catch(() => undefined);
    // Whatever the error, a run stopped by a signal ends as that signal's exit, with one line.
    return exitCodeFor(env.signal.aborted ? interruptedBy(env.signal) : err, env);
  }
}

function exitCodeFor(err: unknown, env: Env): number {
  if (err instanceof CommanderError) {
    // Help and version were printed by commander; a usage error is printed here, on one line.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (err.exitCode === 0) return 0;
    env.stderr.write(`mbuzz: ${oneLine(err.message.replace(/^error: /, ''))} (run with --help for usage)\n`);
    return 2;
  }
  if (err instanceof MbuzzError) {
    if (err.exitCode !== 0) env.stderr.write(`mbuzz: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const local = localIoFailure(err);
  if (local) {
    // The disk, not mbuzz: say what failed (the writers name the file and the errno), no bug report.
    env.stderr.write(`mbuzz: ${oneLine(local)}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  env.stderr.write(`mbuzz: unexpected error: ${oneLine(message)} (a bug: please report it at ${REPORT_URL})\n`);
  if (env.vars.MBUZZ_DEBUG && err instanceof Error && err.stack) env.stderr.write(`${err.stack}\n`);
  return 1;
}

/**
 * Commander prints a usage error and then a hint on a second line before it throws; errors
 * here are one line, so commander stays quiet and exitCodeFor prints the message.
 */
function quietCommanderErrors(program: Command): void {
  for (const cmd of [program, ...program.commands]) {
    cmd.showHelpAfterError(false).configureOutput({ outputError: () => undefined });
  }
}

/** Errors of the local filesystem (disk full, I/O error, read-only): the exit is 1, but not "a bug". */
const LOCAL_IO_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'ENOENT', 'EISDIR', 'ENOTDIR', 'EMFILE', 'ENFILE']);

function localIoFailure(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    const syscall = (e as NodeJS.ErrnoException).syscall;
    if (typeof code === 'string' && LOCAL_IO_CODES.has(code) && (syscall !== undefined || e !== err)) {
      // The writers' messages already name the file and the reason; a raw errno names the path.
      return e === err ? `local file error: ${err.message}` : err.message;
    }
  }
  return undefined;
}

/** Messages may quote a server or a file: one line, and no control character reaches the terminal. */
function oneLine(s: string): string {
  return stripControls(s.replace(/\s*\n\s*/g, ' ')).trim();
}
