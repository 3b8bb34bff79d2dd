// The two ways the sandbox's Mixpanel checks who is asking: the Data API 2.0's md5 signature
// (api_key, expire, sig) and the raw export's HTTP Basic auth (service account or project secret).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, type Params } from './query.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_BROKEN_PROJECT_ID, SANDBOX_PROJECT_ID, SANDBOX_SA_SECRET, SANDBOX_SA_USERNAME } from './keys.js';

const SECRETS: ReadonlyMap<string, string> = new Map([[SANDBOX_API_KEY, SANDBOX_API_SECRET]]);

/** UTF-8 byte order is code-point order: the order Python's sorted() gives str keys. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** md5 over the decoded parameters as received, minus sig and callback, sorted, then the secret. */
export function expectedSignature(received: ReadonlyMap<string, string>, secret: string): string {
  const base = [...received.keys()]
    .filter((k) => k !== 'sig' && k !== 'callback')
    .sort(byCodePoint)
    .map((k) => `${k}=${received.get(k)}`)
    .join('');
  return createHash('md5').update(base + secret, 'utf8').digest('hex');
}

/** Key, then signature, then expiry: a forged expire cannot be trusted before the sig checks out. */
export function verifySigned(params: Params, nowS: number): void {
  const key = params.optional('api_key');
  const secret = key === undefined ? undefined : SECRETS.get(key);
  if (secret === undefined) throw new ApiError('Invalid API key');
  const expire = params.required('expire');
  const sig = params.required('sig');
  if (!sameText(sig.toLowerCase(), expectedSignature(params.map, secret))) throw new ApiError('Invalid request signature');
  if (!/^\d+$/.test(expire)) throw new ApiError('Invalid parameter: expire');
  if (Number(expire) < nowS) throw new ApiError('Expired request');
}

export interface ExportIdentity {
  projectId: string;
}

/**
 * HTTP Basic: a service account (username:secret) must name a project it can read; the project
 * secret (secret as username, any password) is its own project. Signed requests were turned
 * away from the export in 2016 (keolo/mixpanel_client#52), and are here too.
 */
export function verifyBasic(authorization: string | undefined, params: Params): ExportIdentity {
  const m = /^\s*basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) {
    const why = params.has('sig') || params.has('api_key') ? ': the export takes HTTP Basic auth (a service account or the project secret), not api_key/sig' : '';
    throw new ApiError(`Unable to authenticate request${why}`, 401);
  }
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const pass = colon < 0 ? '' : decoded.slice(colon + 1);
  const asked = params.optional('project_id');
  if (sameText(user, SANDBOX_SA_USERNAME) && sameText(pass, SANDBOX_SA_SECRET)) {
    if (asked === undefined) throw new ApiError('Missing required parameter: project_id');
    if (asked !== SANDBOX_PROJECT_ID && asked !== SANDBOX_BROKEN_PROJECT_ID) throw new ApiError(`The service account has no access to project ${asked}`, 403);
    return { projectId: asked };
  }
  if (sameText(user, SANDBOX_API_SECRET)) {
    if (asked !== undefined && asked !== SANDBOX_PROJECT_ID) throw new ApiError(`The project secret is not valid for project ${asked}`, 403);
    return { projectId: SANDBOX_PROJECT_ID };
  }
  throw new ApiError('Unable to authenticate request', 401);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
