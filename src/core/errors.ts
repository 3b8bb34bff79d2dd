// Typed errors. Each carries the exit code the design assigns to its class of failure; only
// cli/main.ts turns them into a process exit code and a line on stderr.

export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 75 | 129 | 130 | 143;

/** The exit code a shell gives a process killed by each signal we handle (128 + its number). */
export const SIGNAL_EXIT: Readonly<Record<string, ExitCode>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export abstract class MbuzzError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, bad date, unknown dataset, missing key, bad config: nothing was sent. */
export class UsageError extends MbuzzError {
  readonly exitCode = 2 as const;
}

/** 401 / 403 from the API. */
export class AuthError extends MbuzzError {
  readonly exitCode = 3 as const;
}

/** Any other 4xx, or a quota the server says is exhausted. */
export class RejectedError extends MbuzzError {
  readonly exitCode = 4 as const;
}

/** 5xx, resets, timeouts, unparseable bodies: after the retries ran out. */
export class ServerError extends MbuzzError {
  readonly exitCode = 5 as const;
}

/** Rows received differ from what the API said it holds, or cannot be made exact. */
export class IntegrityError extends MbuzzError {
  readonly exitCode = 6 as const;
}

/**
 * Another mbuzz run holds the target or the --state file. Nothing was sent, and the same command
 * works once that run ends: sysexits' EX_TEMPFAIL (75, as `flock -E 75` and mail servers use),
 * so a cron wrapper can tell "try again later" from "fix the command" (2).
 */
export class BusyError extends MbuzzError {
  readonly exitCode = 75 as const;
}

/** The local filesystem refused the result after the run began (the target became a device): the exit is 1, not "a bug". */
export class LocalFileError extends MbuzzError {
  readonly exitCode = 1 as const;
}

/**
 * Ctrl-C, SIGTERM or SIGHUP: the run stopped because it was asked to. The exit code is the
 * signal's (130, 143, 129); cli/main.ts reads which signal from the run's AbortSignal.
 */
export class InterruptedError extends MbuzzError {
  readonly exitCode: ExitCode;
  constructor(signal: string = 'SIGINT') {
    super(signal === 'SIGINT' ? 'interrupted' : `interrupted (${signal})`);
    this.exitCode = SIGNAL_EXIT[signal] ?? 130;
  }
}

/** The interruption an aborted run signal stands for; its reason names the signal (cli/system-env.ts). */
export function interruptedBy(signal: AbortSignal): InterruptedError {
  const reason = signal.reason as { message?: unknown } | undefined;
  const name = typeof reason?.message === 'string' && reason.message in SIGNAL_EXIT ? reason.message : 'SIGINT';
  return new InterruptedError(name);
}

/** The reader of stdout went away (`| head`): not a failure, the run ends quietly. */
export class OutputClosedError extends MbuzzError {
  readonly exitCode = 0 as const;
  constructor() {
    super('output closed');
  }
}
