import { AuthError, InterruptedError, MbuzzError, RejectedError, ServerError } from '../cli/errors.js';
import { parseJson, parseJsonBytes } from '../json/parse.js';
import { redact } from '../secrets.js';
import { BodyTooLargeError, type HttpRequest, type HttpResponse, type Transport } from './transport.js';
import { Limiter } from './limiter.js';
import { backoffDelay, DEFAULT_BACKOFF, errorCode, isRetryableNetworkError, parseRetryAfter, RETRYABLE_STATUS, type BackoffPolicy } from './retry.js';

export interface ClientOptions {
  fetch: Transport;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  now(): Date;
  signal: AbortSignal;
  timeoutMs: number;
  backoff?: Partial<BackoffPolicy>;
  /** Values to mask wherever a URL or message is shown. */
  secrets: readonly string[];
  /** One line per request when --verbose. */
  log?: (line: string) => void;
  /** Requests in flight at once (--concurrency); waits between retries do not hold a place. */
  maxInFlight?: number;
}

export interface JsonRequest extends Omit<HttpRequest, 'signal' | 'timeoutMs'> {
  /** Rejects a 2xx body that is not the expected shape; the message says what is wrong. */
  validate?: (json: unknown) => string | undefined;
  /**
   * Object keys from the root to the array of rows (['data']): numbers are kept exactly inside
   * the rows only, and each row keeps its own bytes (json/parse.ts). Without it, numbers are
   * kept exactly throughout the body.
   */
  rows?: readonly string[];
  /** For the verbose log. */
  countRows?: (json: unknown) => number;
  /** A provider's reading of an error body: the message to quote, and whether a 429 is final. */
  describeError?: (res: HttpResponse) => { message?: string; final?: boolean };
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  json: unknown;
  /** The body as received (decoded), for callers that keep rows' original text. */
  text: string;
}

/** A JSONL or other text body (Mixpanel's raw export), with the same retries and errors as json(). */
export interface TextRequest extends Omit<JsonRequest, 'validate' | 'countRows'> {
  /** Rejects a 2xx body that looks cut or wrong; the request is tried again. */
  validate?: (text: string) => string | undefined;
  countRows?: (text: string) => number;
}

export interface TextResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

type ExchangeRequest = Omit<JsonRequest, 'validate' | 'countRows'>;

export interface ClientStats {
  requests: number;
  retries: number;
  bytes: number;
}

class Retryable extends Error {
  constructor(message: string, readonly waitMs?: number) {
    super(message);
  }
}

/** Every request goes through here: retries, backoff, error classification, verbose log. */
export class HttpClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, bytes: 0 };
  private readonly policy: BackoffPolicy;
  private readonly limiter: Limiter;
  private readonly secrets: string[];

  constructor(private readonly opts: ClientOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.limiter = new Limiter(opts.maxInFlight ?? 4);
    this.secrets = [...opts.secrets];
  }

  mask(text: string): string {
    return redact(text, this.secrets);
  }

  /** Mask a value obtained at runtime too (a login's bearer token), from here on. */
  addSecret(value: string): void {
    if (value !== '' && !this.secrets.includes(value)) this.secrets.push(value);
  }

  async json(req: JsonRequest): Promise<JsonResponse> {
    return this.exchange(req, (res) => this.readJson(req, res), (out) => req.countRows?.(out.json));
  }

  async text(req: TextRequest): Promise<TextResponse> {
    return this.exchange(
      req,
      (res) => {
        const problem = req.validate?.(res.body);
        if (problem) throw new Retryable(`unexpected response: ${problem}`);
        return { status: res.status, headers: res.headers, text: res.body };
      },
      (out) => req.countRows?.(out.text),
    );
  }

  /** The retry loop: `accept` reads a 2xx response (throwing Retryable to ask again). */
  private async exchange<T>(req: ExchangeRequest, accept: (res: HttpResponse) => T, count: (out: T) => number | undefined): Promise<T> {
    let last = '';
    for (let attempt = 0; ; attempt++) {
      if (this.opts.signal.aborted) throw new InterruptedError();
      const started = Date.now();
      try {
        const res = await this.limiter.run(() => this.send(req));
        const ms = Date.now() - started;
        const out = this.interpret(req, res, accept);
        this.log(() => `${req.method} ${this.mask(req.url)} ${res.status} ${ms}ms ${((n) => (n !== undefined ? `${n} rows` : ''))(count(out))}${attempt ? ` (retry ${attempt})` : ''}`);
        return out;
      } catch (err) {
        if (this.opts.signal.aborted) throw new InterruptedError();
        if (!(err instanceof Retryable)) throw err;
        last = err.message;
        if (attempt >= this.policy.retries) {
          throw new ServerError(`${this.mask(last)} (gave up after ${attempt + 1} attempts: ${this.mask(req.method + ' ' + req.url)})`);
        }
        const wait = err.waitMs ?? backoffDelay(attempt, this.policy, this.opts.random);
        this.stats.retries++;
        this.log(() => `${req.method} ${this.mask(req.url)} ${this.mask(last)}; retrying in ${wait}ms (attempt ${attempt + 2}/${this.policy.retries + 1})`);
        try {
          await this.opts.sleep(wait, this.opts.signal);
        } catch {
          throw new InterruptedError();
        }
      }
    }
  }

  private async send(req: ExchangeRequest): Promise<HttpResponse> {
    this.stats.requests++;
    try {
      const res = await this.opts.fetch({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: req.body,
        timeoutMs: this.opts.timeoutMs,
        signal: this.opts.signal,
      });
      this.stats.bytes += res.bytes?.length ?? res.body.length; // body is decoded only when read
      return res;
    } catch (err) {
      if (this.opts.signal.aborted) throw new InterruptedError();
      if (err instanceof MbuzzError) throw err;
      if (err instanceof BodyTooLargeError) throw new ServerError(`${err.message} from ${this.mask(req.url)}`);
      const what = this.mask(describeNetworkError(err, this.opts.timeoutMs));
      if (isRetryableNetworkError(err)) throw new Retryable(what);
      throw new ServerError(`${what} (${this.mask(req.method + ' ' + req.url)})`);
    }
  }

  private readJson(req: JsonRequest, res: HttpResponse): JsonResponse {
    const { status } = res;
    let json: unknown;
    try {
      json = res.bytes ? parseJsonBytes(res.bytes, { rows: req.rows }) : parseJson(res.body, { rows: req.rows });
    } catch {
      const type = res.headers['content-type'] ?? 'no content type';
      const what = /^\s*<(!doctype|html)/i.test(res.body) || /^text\/html\b/i.test(type) ? 'an HTML page instead of JSON' : 'invalid JSON';
      throw new Retryable(`${what} in a ${status} response (${type}, ${res.body.length} bytes)`);
    }
    const problem = req.validate?.(json);
    if (problem) throw new Retryable(`unexpected response: ${problem}`);
    return { status, headers: res.headers, json, get text() {
      return res.body;
    } };
  }

  private interpret<T>(req: ExchangeRequest, res: HttpResponse, accept: (res: HttpResponse) => T): T {
    const { status } = res;
    if (status >= 200 && status < 300) return accept(res);
    const described = req.describeError?.(res) ?? {};
    const message = described.message ?? errorMessage(res.body);
    const quoted = message ? `: ${JSON.stringify(message)}` : bodyKind(res);
    if (status >= 300 && status < 400) {
      const location = res.headers.location;
      if (location && !sameOrigin(req.url, location)) {
        throw new RejectedError(
          `the server redirected (${status}) to ${this.mask(location)}; not followed: that is another host, and the credentials stay with the one you named (if it is the right API host, use it as --base-url)`,
        );
      }
      const to = location ? ` to ${this.mask(location)}` : '';
      throw new RejectedError(`the server redirected (${status})${to}; not followed, so credentials stay with the host you named: use the final URL as --base-url`);
    }
    if (status === 401 || status === 403) throw new AuthError(`authentication failed (${status})${quoted}`);
    if (status === 429) {
      const wait = parseRetryAfter(res.headers['retry-after'], this.opts.now());
      if (described.final) throw new RejectedError(`quota exhausted (429)${quoted}`);
      if (wait !== undefined && wait > this.policy.maxRetryAfterMs) {
        throw new RejectedError(`rate limited (429): the server asks to wait ${Math.round(wait / 1000)}s${quoted}`);
      }
      throw new Retryable(`rate limited (429)${quoted}`, wait);
    }
    if (RETRYABLE_STATUS.has(status)) throw new Retryable(`server error ${status}${quoted}`);
    if (status >= 500) throw new ServerError(`server error ${status}${quoted} (${this.mask(req.method + ' ' + req.url)})`);
    throw new RejectedError(`request rejected (${status})${quoted}`);
  }

  /** Built only with --verbose: masking a URL is not free, and it would happen on every request. */
  private log(line: () => string): void {
    if (this.opts.log) this.opts.log(line().trimEnd());
  }
}

/** The `error` / `message` a JSON error body carries; nothing for HTML pages. */
export function errorMessage(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j.error ?? j.message;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).message === 'string') return (e as Record<string, string>).message;
  } catch {
    /* not JSON: an HTML error page from a proxy */
  }
  return undefined;
}

function sameOrigin(url: string, location: string): boolean {
  try {
    return new URL(location, url).origin === new URL(url).origin;
  } catch {
    return false;
  }
}

/** For an error without a JSON message: what kind of page came back (a proxy's HTML page, most often). */
function bodyKind(res: HttpResponse): string {
  const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html' || /^\s*<(!doctype|html)/i.test(res.body)) {
    const title = /<title>([^<]{1,80})<\/title>/i.exec(res.body)?.[1]?.trim();
    return ` (an HTML page${title ? ` "${title}"` : ''}, not the API's JSON)`;
  }
  return type ? ` (${type}, ${res.body.length} bytes)` : '';
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  const limit = `${Number((timeoutMs / 1000).toFixed(3))}s (--timeout)`;
  if (code === 'ENOTFOUND') return `cannot resolve host (${msg})`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|EPROTO/i.test(code)) {
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `TLS failure: the server does not speak TLS there (a plain http:// port?) (${code})`;
    // OpenSSL's own text is `<id>:error:<hex>:SSL routines:<function>:<reason>:<file>:<line>:`; keep the reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(msg)?.[1] ?? msg;
    return `TLS failure: ${reason} (${code})`;
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `timed out: no response from the server within ${limit} (${code})`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `timed out: the server stopped sending the body for ${limit} (${code})`;
  return code ? `${msg} (${code})` : msg;
}
