import type { Env } from '../core/env.js';
import { streamLog } from '../core/log.js';
import { HttpClient } from '../http/client.js';
import type { ExportOptions } from '../providers/types.js';

/** The HTTP client one dataset's export runs through: --concurrency requests in flight, retries, masking. */
export function clientFor(options: ExportOptions, env: Env): HttpClient {
  return new HttpClient({
    fetch: env.fetch,
    sleep: env.sleep,
    random: env.random,
    now: env.now,
    signal: env.signal,
    timeoutMs: options.timeoutMs,
    backoff: { retries: options.retries },
    secrets: secretsOf(options),
    maxInFlight: options.concurrency,
    // stderr's one Log: `mbuzz: <line>`, or with --log-format json an object with the request's fields
    log: options.verbose ? (line, fields) => streamLog(env.stderr).write('debug', line, fields) : undefined,
  });
}

/** The credential values a dataset marks secret: masked wherever a URL or message is shown. */
export function secretsOf(options: ExportOptions): string[] {
  return Object.entries(options.credentials)
    .filter(([name]) => options.dataset.credentials.find((c) => c.name === name)?.secret)
    .map(([, v]) => v);
}
