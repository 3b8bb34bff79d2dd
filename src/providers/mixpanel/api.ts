import { AuthError, RejectedError } from '../../core/errors.js';
import { errorMessage, type HttpClient } from '../../http/client.js';
import type { Row } from '../../core/columns.js';
import { queryBase } from './hosts.js';
import { ShapeError } from './shape.js';
import { EXPIRE_SECONDS, signedQuery, type ParamValue } from './sign.js';

// One signed GET to the Data API 2.0 and its body read into rows. Errors come back as
// {"error":"…","request":"/api/2.0/…"} with HTTP 400 (api-contracts/others.md §1), signature
// and key problems included, so those are picked out by message and reported as auth failures.

export interface LegacyCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface LegacyCall {
  /** Path under /api/2.0/, with the trailing slash the Python client sends ('events/properties/top/'). */
  endpoint: string;
  params: Readonly<Record<string, ParamValue>>;
  /** Body to rows; throws ShapeError when the body is not the documented shape. */
  flatten: (json: unknown) => Row[];
}

const AUTH_MESSAGES: Record<string, string> = {
  'Invalid API key': 'check MIXPANEL_API_KEY (the project\u2019s API key, not its token)',
  'Invalid request signature': 'check MIXPANEL_API_SECRET: the signature is made with it',
  'Expired request': 'the request expired before the server read it: check this machine\u2019s clock',
};

export function legacyUrl(baseUrl: string, call: Pick<LegacyCall, 'endpoint' | 'params'>, creds: LegacyCredentials, nowMs: number): string {
  const query = signedQuery({ params: call.params, apiKey: creds.apiKey, apiSecret: creds.apiSecret, expire: Math.floor(nowMs / 1000) + EXPIRE_SECONDS });
  return `${queryBase(baseUrl)}/api/2.0/${call.endpoint}?${query}`;
}

export async function callLegacy(client: HttpClient, baseUrl: string, creds: LegacyCredentials, call: LegacyCall, now: () => number): Promise<Row[]> {
  let rows: Row[] = [];
  let refusal: { status: number; message: string } | undefined;
  try {
    await client.json({
      method: 'GET',
      // Signed afresh on every attempt would be nicer, but the client owns the retry loop; ten
      // minutes of validity outlasts every backoff it will wait.
      url: legacyUrl(baseUrl, call, creds, now()),
      headers: { accept: 'application/json' },
      validate: (json) => {
        // "an `error` key = failure" even with a 200: not retried, reported like a 400.
        const said = errorField(json);
        if (said !== undefined) throw new RejectedError(`request rejected: ${JSON.stringify(said)}`);
        try {
          rows = call.flatten(json);
        } catch (err) {
          if (err instanceof ShapeError) return err.message;
          throw err;
        }
        return undefined;
      },
      countRows: () => rows.length,
      describeError: (res) => {
        const message = errorMessage(res.body);
        refusal = message === undefined ? undefined : { status: res.status, message };
        return { message };
      },
    });
  } catch (err) {
    const hint = refusal && AUTH_MESSAGES[refusal.message];
    if (err instanceof RejectedError && refusal && hint) {
      throw new AuthError(`authentication failed (${refusal.status}): ${JSON.stringify(refusal.message)}; ${hint}`);
    }
    throw err;
  }
  return rows;
}

function errorField(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const e = (json as Record<string, unknown>).error;
  return typeof e === 'string' ? e : undefined;
}
