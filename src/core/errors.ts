// Typed errors. Each carries the exit code the design assigns to its class of failure; only
// cli/main.ts turns them into a process exit code and a line on stderr.

export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 75 | 130;

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

/** Ctrl-C / SIGTERM. */
export class InterruptedError extends MbuzzError {
  readonly exitCode = 130 as const;
  constructor(message = 'interrupted') {
    super(message);
  }
}

/** The reader of stdout went away (`| head`): not a failure, the run ends quietly. */
export class OutputClosedError extends MbuzzError {
  readonly exitCode = 0 as const;
  constructor() {
    super('output closed');
  }
}
