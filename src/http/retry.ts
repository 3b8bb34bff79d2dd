// When and how long to wait before trying a request again.

export interface BackoffPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseMs: number;
  capMs: number;
  /** A Retry-After longer than this is not waited out: the run fails instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { retries: 5, baseMs: 250, capMs: 15_000, maxRetryAfterMs: 120_000 };

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'MBUZZ_DEADLINE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'Z_BUF_ERROR',
  'Z_DATA_ERROR',
]);

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Network-level failures worth another attempt: resets, timeouts, cut or corrupt bodies. */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = errorCode(err);
  if (code && RETRYABLE_CODES.has(code)) return true;
  const msg = err instanceof Error ? err.message : '';
  return /other side closed|socket hang up|premature close|terminated|unexpected end of file/i.test(msg);
}

/** What a retried network failure was, for the run report's retries by cause. */
export type NetworkCause = 'timeout' | 'reset' | 'truncated' | 'network';

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'MBUZZ_DEADLINE']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TRUNCATED_CODES = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'Z_BUF_ERROR', 'Z_DATA_ERROR']);

export function networkCause(err: unknown): NetworkCause {
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && RESET_CODES.has(code)) return 'reset';
  if (code && TRUNCATED_CODES.has(code)) return 'truncated';
  const msg = err instanceof Error ? err.message : '';
  if (/premature close|unexpected end of file/i.test(msg)) return 'truncated';
  if (/other side closed|socket hang up|terminated/i.test(msg)) return 'reset';
  return 'network';
}
