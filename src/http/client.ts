import { AuthError, IntegrityError, interruptedBy, MbuzzError, RejectedError, ServerError } from '../core/errors.js';
import { maskText, quotable, registerSecret } from '../core/secrets.js';
import { JsonDepthError } from '../json/depth.js';
import { parseJson, parseJsonBytes } from '../json/parse.js';
import { BodyTooLargeError, type HttpRequest, type HttpResponse, type Transport } from './transport.js';
import { Limiter } from './limiter.js';
import { describeNetworkError, proxyRefusal } from './network-errors.js';
import { backoffDelay, DEFAULT_BACKOFF, isRetryableNetworkError, networkCause, parseRetryAfter, RETRYABLE_STATUS, type BackoffPolicy } from './retry.js';

export interface ClientOptions {
  fetch: Transport;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  now(): Date;
  signal: AbortSignal;
  timeoutMs: number;
  backoff?: Partial<BackoffPolicy>;
  /** Values to mask wherever a URL or message is shown (they join the process-wide registry too). */
  secrets: readonly string[];
  /** One line per request when --verbose; `fields` are the line's parts, for --log-format json. */
  log?: (line: string, fields: Record<string, string | number>) => void;
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
  /** Response body bytes received, as sent (compressed, if the server compressed them). */
  bytes: number;
  /**
   * Retries by what failed: an HTTP status ('429', '502', ...), 'timeout', 'reset', 'truncated'
   * (a cut or corrupt body), 'network' (refused, DNS), 'proxy-<status>', 'bad-body' (not the API's shape).
   */
  retriesBy: Record<string, number>;
  /** Waits a rate limit imposed: a 429's Retry-After, or a provider's own pacing (rateLimitWait). */
  rateLimitWaits: { count: number; ms: number };
  /** Time spent in attempts, answered or not: with `requests`, the mean latency a dry run measures. */
  timeMs: number;
}

export function emptyStats(): ClientStats {
  return { requests: 0, retries: 0, bytes: 0, retriesBy: {}, rateLimitWaits: { count: 0, ms: 0 }, timeMs: 0 };
}

class Retryable extends Error {
  constructor(
    message: string,
    /** The retries-by-cause key (ClientStats.retriesBy). */
    readonly kind: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/** Every request goes through here: retries, backoff, error classification, verbose log. */
export class HttpClient {
  readonly stats: ClientStats = emptyStats();
  private readonly policy: BackoffPolicy;
  private readonly limiter: Limiter;
  private readonly secrets: string[];

  constructor(private readonly opts: ClientOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.limiter = new Limiter(opts.maxInFlight ?? 4);
    this.secrets = [...opts.secrets];
    for (const s of this.secrets) registerSecret(s);
  }

  /** Secrets (this client's and every registered one) and URL passwords masked. */
  mask(text: string): string {
    return maskText(text, this.secrets);
  }

  /** A wait a provider's own pacing took for a rate limit (Atribu's units a minute): counted in the stats. */
  rateLimitWait(ms: number): void {
    this.stats.rateLimitWaits.count++;
    this.stats.rateLimitWaits.ms += Math.round(ms);
  }

  /** Mask a value obtained at runtime too (a login's bearer token), from here on, in every message of the process. */
  addSecret(value: string): void {
    if (value !== '' && !this.secrets.includes(value)) this.secrets.push(value);
    registerSecret(value);
  }

  async json(req: JsonRequest): Promise<JsonResponse> {
    return this.exchange(req, (res) => this.readJson(req, res), (out) => req.countRows?.(out.json));
  }

  async text(req: TextRequest): Promise<TextResponse> {
    return this.exchange(
      req,
      (res) => {
        const problem = req.validate?.(res.body);
        if (problem) throw new Retryable(`unexpected response: ${problem}`, 'bad-body');
        return { status: res.status, headers: res.headers, text: res.body };
      },
      (out) => req.countRows?.(out.text),
    );
  }

  /** The retry loop: `accept` reads a 2xx response (throwing Retryable to ask again). */
  private async exchange<T>(req: ExchangeRequest, accept: (res: HttpResponse) => T, count: (out: T) => number | undefined): Promise<T> {
    let last = '';
    for (let attempt = 0; ; attempt++) {
      if (this.opts.signal.aborted) throw interruptedBy(this.opts.signal);
      const started = Date.now();
      try {
        const res = await this.limiter.run(() => this.send(req));
        const ms = Date.now() - started;
        const out = this.interpret(req, res, accept);
        this.log(() => {
          const rows = count(out);
          const url = this.mask(req.url);
          const line = `${req.method} ${url} ${res.status} ${ms}ms ${rows !== undefined ? `${rows} rows` : ''}${attempt ? ` (retry ${attempt})` : ''}${res.via ? ` via ${res.via}` : ''}`;
          return [line, { event: 'request', method: req.method, url, status: res.status, ms, ...(rows !== undefined && { rows }), attempt: attempt + 1, ...(res.via && { via: res.via }) }];
        });
        return out;
      } catch (err) {
        if (this.opts.signal.aborted) throw interruptedBy(this.opts.signal);
        // Every message built here may quote a URL, a server's body or a header: masked at this one exit.
        if (err instanceof MbuzzError) err.message = this.mask(err.message);
        if (!(err instanceof Retryable)) throw err;
        last = err.message;
        if (attempt >= this.policy.retries) {
          throw new ServerError(`${this.mask(last)} (gave up after ${attempt + 1} attempts: ${this.mask(req.method + ' ' + req.url)})`);
        }
        const wait = err.waitMs ?? backoffDelay(attempt, this.policy, this.opts.random);
        this.stats.retries++;
        this.stats.retriesBy[err.kind] = (this.stats.retriesBy[err.kind] ?? 0) + 1;
        if (err.kind === '429') this.rateLimitWait(wait);
        this.log(() => {
          const url = this.mask(req.url);
          const line = `${req.method} ${url} ${this.mask(last)}; retrying in ${wait}ms (attempt ${attempt + 2}/${this.policy.retries + 1})`;
          return [line, { event: 'retry', method: req.method, url, cause: err.kind, error: this.mask(last), waitMs: wait, attempt: attempt + 2 }];
        });
        try {
          await this.opts.sleep(wait, this.opts.signal);
        } catch {
          throw interruptedBy(this.opts.signal);
        }
      }
    }
  }

  private async send(req: ExchangeRequest): Promise<HttpResponse> {
    this.stats.requests++;
    const started = Date.now();
    try {
      const res = await this.opts.fetch({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: req.body,
        timeoutMs: this.opts.timeoutMs,
        signal: this.opts.signal,
      });
      // as they arrived (the transport counts them for free); a fake transport's body in UTF-8
      this.stats.bytes += res.bytes ?? Buffer.byteLength(res.body, 'utf8');
      return res;
    } catch (err) {
      if (this.opts.signal.aborted) throw interruptedBy(this.opts.signal);
      if (err instanceof MbuzzError) throw err;
      if (err instanceof BodyTooLargeError) throw new ServerError(`${err.message} from ${this.mask(req.url)}`);
      const what = this.mask(describeNetworkError(err, this.opts.timeoutMs));
      const refused = proxyRefusal(err);
      if (refused === 407) throw new AuthError(what);
      if (refused !== undefined && !RETRYABLE_STATUS.has(refused)) throw new RejectedError(what);
      if (refused !== undefined) throw new Retryable(what, `proxy-${refused}`);
      if (isRetryableNetworkError(err)) throw new Retryable(what, networkCause(err));
      throw new ServerError(`${what} (${this.mask(req.method + ' ' + req.url)})`);
    } finally {
      this.stats.timeMs += Date.now() - started;
    }
  }

  private readJson(req: JsonRequest, res: HttpResponse): JsonResponse {
    const { status } = res;
    let json: unknown;
    try {
      json = res.bodyBytes ? parseJsonBytes(res.bodyBytes, { rows: req.rows }) : parseJson(res.body, { rows: req.rows });
    } catch (err) {
      // Nested deeper than anything downstream can walk: that is the answer, not a glitch, so not retried.
      if (err instanceof JsonDepthError) {
        throw new IntegrityError(`the response ${err.message}, more than any real answer; refused (${status}, ${res.body.length} bytes, ${req.method} ${req.url})`);
      }
      const type = res.headers['content-type'] ?? 'no content type';
      const what = /^\s*<(!doctype|html)/i.test(res.body) || /^text\/html\b/i.test(type) ? 'an HTML page instead of JSON' : 'invalid JSON';
      throw new Retryable(`${what} in a ${status} response (${type}, ${res.body.length} bytes)`, 'bad-body');
    }
    const problem = req.validate?.(json);
    if (problem) throw new Retryable(`unexpected response: ${problem}`, 'bad-body');
    // `text` is decoded only if a caller reads it: a successful page is parsed from its bytes.
    return {
      status,
      headers: res.headers,
      json,
      get text() {
        return res.body;
      },
    };
  }

  private interpret<T>(req: ExchangeRequest, res: HttpResponse, accept: (res: HttpResponse) => T): T {
    const { status } = res;
    if (status >= 200 && status < 300) return accept(res);
    const described = req.describeError?.(res) ?? {};
    const message = described.message ?? errorMessage(res.body);
    const quoted = message ? `: ${JSON.stringify(quotable(message))}` : bodyKind(res);
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
    if (status === 407) throw new AuthError(`the proxy asks for credentials (407 Proxy Authentication Required): put user:password in the proxy URL${res.via ? ` (through the proxy ${res.via})` : ''}`);
    if (status === 429) {
      const wait = parseRetryAfter(res.headers['retry-after'], this.opts.now());
      if (described.final) throw new RejectedError(`quota exhausted (429)${quoted}`);
      if (wait !== undefined && wait > this.policy.maxRetryAfterMs) {
        throw new RejectedError(`rate limited (429): the server asks to wait ${Math.round(wait / 1000)}s${quoted}`);
      }
      throw new Retryable(`rate limited (429)${quoted}`, '429', wait);
    }
    if (RETRYABLE_STATUS.has(status)) throw new Retryable(`server error ${status}${quoted}`, String(status));
    if (status >= 500) throw new ServerError(`server error ${status}${quoted} (${this.mask(req.method + ' ' + req.url)})`);
    throw new RejectedError(`request rejected (${status})${quoted}`);
  }

  /** Built only with --verbose: masking a URL is not free, and it would happen on every request. */
  private log(line: () => [string, Record<string, string | number>]): void {
    if (!this.opts.log) return;
    const [text, fields] = line();
    this.opts.log(text.trimEnd(), fields);
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
    return ` (an HTML page${title ? ` "${quotable(title)}"` : ''}, not the API's JSON)`;
  }
  return type ? ` (${type}, ${res.body.length} bytes)` : '';
}
