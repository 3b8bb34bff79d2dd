
/** One HTTP exchange as the client sees it; the real one (undici) is built in cli/system-env.ts. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Time allowed for the whole response, headers and body, from the moment the request starts. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Decoded (gunzipped) body text. */
  body: string;
  /**
   * The bytes `body` is decoded from, when the transport has them: JSON is parsed from these
   * (json/parse.ts), so a successful page's text is never decoded, only an error's to quote.
   */
  bodyBytes?: Buffer;
  /** Bytes of the body as they arrived (before decompression), for the run report; fakes may leave it out. */
  bytes?: number;
  /** The proxy it came through (password masked), for the verbose log. */
  via?: string;
}

/** One HTTP exchange. Redirects are not followed: a redirect is answered to the caller. */
export type Transport = ((req: HttpRequest) => Promise<HttpResponse>) & { close?: () => Promise<void> };

/** Time as a provider sees it: pacing, token expiry and waits all go through here, so tests can fix it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What a command may touch of the outside world. Tests build one with buffers and a fixed clock. */
export interface Env {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  vars: Readonly<Record<string, string | undefined>>;
  /** The command line as given (for manifests, secrets masked there). */
  argv: readonly string[];
  cwd: string;
  home: string;
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** The HTTP transport; unit tests inject a fake, the CLI uses undici with keep-alive. */
  fetch: Transport;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Release what the env holds open (keep-alive sockets, signal handlers) so the process can exit. */
  close(): Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
