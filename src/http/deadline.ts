// `--timeout` is a deadline for the whole response: connecting, the headers and every byte of the
// body must arrive within it, counted from the moment the request starts. An idle-gap timeout
// (undici's headersTimeout/bodyTimeout) never fires for a body trickled a byte at a time, or an
// endless chunked body, and a run would hang forever; a deadline always ends the attempt, and the
// client's retry path takes over.

/** The attempt ran out of time. Retryable, like any timeout. */
export class DeadlineError extends Error {
  readonly code = 'MBUZZ_DEADLINE';
  constructor(
    readonly limitMs: number,
    /** Had the headers arrived, and how many body bytes after them. */
    readonly headersArrived: boolean,
    readonly bodyBytes: number,
  ) {
    super(`the whole response did not arrive within ${limitMs} ms`);
    this.name = 'DeadlineError';
  }
}

export interface Progress {
  headers(): void;
  bytes(total: number): void;
}

/**
 * Runs `work` with a signal that aborts at the deadline (or when `outer` aborts) and settles by
 * the deadline whatever `work` does: the race does not depend on `work` honouring the signal.
 */
export async function withDeadline<T>(limitMs: number, outer: AbortSignal | undefined, work: (signal: AbortSignal, progress: Progress) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const state = { headers: false, bytes: 0 };
  const progress: Progress = {
    headers: () => void (state.headers = true),
    bytes: (total) => void (state.bytes = total),
  };
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let expired: DeadlineError | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = new DeadlineError(limitMs, state.headers, state.bytes);
      // Settle first, then abort: whatever undici throws on abort comes second.
      reject(expired);
      controller.abort(expired);
    }, limitMs);
  });
  const attempt = work(controller.signal, progress).catch((err: unknown) => {
    throw expired ?? err;
  });
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    // The loser of the race is settled and its rejection handled, so nothing is left unobserved.
    deadline.catch(() => undefined);
    attempt.catch(() => undefined);
  }
}
