import type { Env } from '../core/env.js';
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
    log: options.verbose ? (line) => env.stderr.write(`mbuzz: ${line}\n`) : undefined,
  });
}

/** The credential values a dataset marks secret: masked wherever a URL or message is shown. */
export function secretsOf(options: ExportOptions): string[] {
  return Object.entries(options.credentials)
    .filter(([name]) => options.dataset.credentials.find((c) => c.name === name)?.secret)
    .map(([, v]) => v);
}
