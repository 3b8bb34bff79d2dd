import { AuthError, MbuzzError, RejectedError, ServerError, UsageError } from '../../core/errors.js';
import { redact } from '../../core/secrets.js';

// An SDK error as one line and an exit code. Before the export starts (the pre-flight check)
// what a person must fix is a usage error, exit 2: no such bucket, no credentials, credentials
// refused, no permission. The same refusals in the middle of a run (a token expired) are exit 3.
// A store that cannot be reached, or answers 5xx after the SDK's retries, is exit 5 at any time:
// a cron job may try again later. Messages carry the S3 error code and the target, never a
// key or a token: the SDK's message passes through `redact` with every secret we hold.

export type Stage = 'check' | 'run';

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError', 'RequestTimeout']);

export interface ErrorContext {
  /** What we were doing, e.g. "write s3://b/k". */
  doing: string;
  /** Where S3 is, for "cannot reach" messages. */
  endpoint?: string;
  /** The AWS_PROFILE in use, named when its credentials cannot be found. */
  profile?: string;
  /** Values that must never appear in a message. */
  secrets: readonly string[];
}

export function s3Error(err: unknown, stage: Stage, ctx: ErrorContext): MbuzzError | Error {
  const e = (err ?? {}) as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (err instanceof MbuzzError) return err;
  // S3's error code (Code, or the SDK's class name), else Node's (ECONNREFUSED) under a plain Error
  const code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const clean = (s: string) => redact(s, ctx.secrets);
  const detail = clean(firstLine(e.message ?? '') || code);
  const cause = { cause: err };

  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    if (ctx.profile) return new UsageError(`cannot ${ctx.doing}: no AWS credentials found for profile "${ctx.profile}" (AWS_PROFILE) in ~/.aws/credentials or ~/.aws/config: ${detail}`, cause);
    return new UsageError(`cannot ${ctx.doing}: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws): ${detail}`, cause);
  }
  if (code === 'NoSuchBucket') return new UsageError(`cannot ${ctx.doing}: the bucket does not exist (NoSuchBucket)`, cause);
  if (CREDENTIAL_CODES.has(code)) {
    const line = `cannot ${ctx.doing}: the AWS credentials were refused (${code})`;
    return stage === 'check' ? new UsageError(line, cause) : new AuthError(line, cause);
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403) {
    const line = `cannot ${ctx.doing}: permission denied (${code}); the credentials need s3:PutObject (and s3:AbortMultipartUpload) on it`;
    return stage === 'check' ? new UsageError(line, cause) : new AuthError(line, cause);
  }
  const fromSdk = e.$metadata !== undefined;
  if (!fromSdk && !NETWORK_CODES.has(code)) return err instanceof Error ? err : new Error(String(err)); // ours: a bug, exit 1
  if (NETWORK_CODES.has(code) || status === undefined || status >= 500) {
    const where = ctx.endpoint ? ` at ${ctx.endpoint}` : '';
    return new ServerError(`cannot ${ctx.doing}: S3${where} did not answer (${code}${status ? ` ${status}` : ''}): ${detail}`, cause);
  }
  const line = `cannot ${ctx.doing}: S3 refused it (${code}${status ? ` ${status}` : ''}): ${detail}`;
  return stage === 'check' ? new UsageError(line, cause) : new RejectedError(line, cause);
}

/** The S3 error code of an SDK error (NoSuchKey, NoSuchUpload, AccessDenied...). */
export function codeOf(err: unknown): string | undefined {
  const e = err as { Code?: string; name?: string } | null;
  return e?.Code ?? e?.name;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim().slice(0, 300);
}
