import { CommanderError, type Command } from 'commander';
import { interruptedBy, MbuzzError, OutputClosedError } from '../core/errors.js';
import type { Env } from '../core/env.js';
import { streamLog, type Log } from '../core/log.js';
import { RunReport, writeRunReport, type RunOutcome } from '../core/run-report.js';
import { reasonOf } from '../core/safe-files.js';
import { buildProgram } from './program.js';
import { stripControls } from '../core/secrets.js';

const REPORT_URL = 'https://github.com/mbuzz/mbuzz/issues';

/**
 * The one place where errors become exit codes and a single line on stderr.
 * Everything below throws typed errors; nothing below prints a stack trace.
 */
export async function main(argv: readonly string[], env: Env): Promise<number> {
  // Every stderr line goes through this one Log; --log-format sets its format as it is parsed.
  const log = streamLog(env.stderr, () => env.now());
  const report = new RunReport(argv, env.now());
  const { program, exitCode } = await buildProgram(env, { log, report }, argv);
  quietCommanderErrors(program);
  let outcome: RunOutcome;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    outcome = { exitCode: exitCode(), reason: null };
  } catch (err) {
    // Ctrl-C reaches `| jq` too, so the write to its pipe can fail before our own signal handler
    // has run: give a pending signal a moment, so an interrupted run never passes for a quiet `| head`.
    if (err instanceof OutputClosedError && !env.signal.aborted) await env.sleep(50).catch(() => undefined);
    // Whatever the error, a run stopped by a signal ends as that signal's exit, with one line.
    outcome = exitCodeFor(env.signal.aborted ? interruptedBy(env.signal) : err, env, log);
  }
  return finishReport(report, outcome, env, log);
}

/** The exit code of an error, and the one line said for it (the report's reason). */
function exitCodeFor(err: unknown, env: Env, log: Log): RunOutcome {
  const fail = (exitCode: number, reason: string, fields?: Record<string, string>): RunOutcome => {
    log.write('error', reason, { exitCode, ...fields });
    return { exitCode, reason };
  };
  if (err instanceof CommanderError) {
    // Help and version were printed by commander; a usage error is printed here, on one line.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return { exitCode: 0, reason: null };
    if (err.exitCode === 0) return { exitCode: 0, reason: null };
    return fail(2, `${oneLine(err.message.replace(/^error: /, ''))} (run with --help for usage)`);
  }
  if (err instanceof MbuzzError) {
    if (err.exitCode === 0) return { exitCode: 0, reason: oneLine(err.message) };
    return fail(err.exitCode, oneLine(err.message));
  }
  const local = localIoFailure(err);
  // The disk, not mbuzz: say what failed (the writers name the file and the errno), no bug report.
  if (local) return fail(1, oneLine(local));
  const message = err instanceof Error ? err.message : String(err);
  const stack = env.vars.MBUZZ_DEBUG && err instanceof Error && err.stack ? err.stack : undefined;
  const outcome = fail(1, `unexpected error: ${oneLine(message)} (a bug: please report it at ${REPORT_URL})`, stack && log.format === 'json' ? { stack } : undefined);
  if (stack && log.format === 'text') env.stderr.write(`${stack}\n`);
  return outcome;
}

/**
 * --report: written here, the one place that knows the exit code. A report that cannot be written
 * is said on stderr; a run that had succeeded then fails (exit 1): the scheduler asked for it.
 */
async function finishReport(report: RunReport, outcome: RunOutcome, env: Env, log: Log): Promise<number> {
  if (report.path === undefined) return outcome.exitCode;
  try {
    await writeRunReport(report.path, report.document(outcome, env.now()), env.stderr);
    return outcome.exitCode;
  } catch (err) {
    log.write('error', `the run report: ${oneLine(reasonOf(err))}`, { exitCode: outcome.exitCode || 1 });
    return outcome.exitCode || 1;
  }
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
