import { AuthError, RejectedError } from '../../core/errors.js';
import type { HttpClient, JsonRequest, JsonResponse } from '../../http/client.js';
import { apiUrl, describeSealmetricsError, readLogin, validateLogin } from './api.js';
import { parseExpiresAt, renewAt } from './expiry.js';

// A logged-in Sealmetrics session: POST /api/auth/login {email, password} gives a bearer token
// with an `expires_at`. We log in lazily, once for all concurrent requests, log in again shortly
// before the token expires, and, since clocks drift and servers revoke, once more when a token
// that has worked starts answering 401 (the retry Sealmetrics' own guide does). A token that has
// never worked getting 401 is a real authentication failure: exit 3, no loop.

export interface SessionOptions {
  client: HttpClient;
  baseUrl: string;
  email: string;
  password: string;
  /** Epoch ms; the tests pass a fake clock. */
  now: () => number;
}

interface Token {
  value: string;
  /** Replace it before use from this instant on; undefined = only when it answers 401. */
  renewAtMs: number | undefined;
  /** Some request succeeded with it, so a later 401 means it expired rather than bad credentials. */
  proven: boolean;
}

/** Logins one request may trigger after 401s before we call it an authentication failure. */
const MAX_RELOGINS_PER_REQUEST = 3;

export class SealmetricsSession {
  /** Successful logins, for tests and the verbose log. */
  logins = 0;
  private current: Token | undefined;
  private pending: Promise<Token> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: SessionOptions) {
    this.now = opts.now;
  }

  /** GET with the bearer token, logging in (again) as needed. */
  async get(url: string, req: Pick<JsonRequest, 'validate' | 'countRows' | 'rows'>): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      let unauthenticated = false;
      try {
        const res = await this.opts.client.json({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${token.value}`, accept: 'application/json' },
          validate: req.validate,
          countRows: req.countRows,
          rows: req.rows,
          describeError: (r) => {
            unauthenticated = r.status === 401;
            return describeSealmetricsError(r);
          },
        });
        token.proven = true;
        return res;
      } catch (err) {
        if (!(err instanceof AuthError) || !unauthenticated) throw err;
        const replaced = this.current !== token;
        if (!replaced && !token.proven) throw new AuthError(`${err.message} with a token just issued to ${this.opts.email}`);
        if (attempt >= MAX_RELOGINS_PER_REQUEST) throw new AuthError(`${err.message}, again after ${attempt} fresh logins as ${this.opts.email}`);
        // Expired (or revoked): drop it so the next token() logs in, unless another request did.
        if (!replaced) this.current = undefined;
      }
    }
  }

  private async token(): Promise<Token> {
    const t = this.current;
    if (t && (t.renewAtMs === undefined || this.now() < t.renewAtMs)) return t;
    this.pending ??= this.login().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async login(): Promise<Token> {
    const { client, baseUrl, email, password } = this.opts;
    const started = this.now();
    let res: JsonResponse;
    try {
      res = await client.json({
        method: 'POST',
        url: apiUrl(baseUrl, 'auth/login'),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email, password }),
        validate: validateLogin,
        describeError: describeSealmetricsError,
      });
    } catch (err) {
      if (err instanceof AuthError) throw new AuthError(`Sealmetrics login as ${email}: ${err.message}`);
      if (err instanceof RejectedError) throw new RejectedError(`Sealmetrics login as ${email}: ${err.message}`);
      throw err;
    }
    const { accessToken, expiresAt } = readLogin(res.json);
    // From now on the token is masked wherever a URL or message is shown, like the password.
    client.addSecret(accessToken);
    const token: Token = { value: accessToken, renewAtMs: renewAt(parseExpiresAt(expiresAt), started), proven: false };
    this.current = token;
    this.logins++;
    return token;
  }
}
