// The Sealmetrics API (app.sealmetrics.com/api) under /sealmetrics: login, the account list and
// the microconversions report, with the documented envelopes and errors. What the docs leave open
// (status of a bad login, a foreign account, a bad date_range) follows Laravel, which the
// "Unauthenticated" message gives away, and is marked ASSUMED in docs/sandbox-sealmetrics.md.
import type { MountContext, MountFactory, MountResponse, SandboxMount, SandboxProvider, SandboxRequest } from '../mounts.js';
import { matchingRows, pageOf, parseDateRange, readLimit, readSkip } from './query.js';
import { canRead, findUser, SANDBOX_PASSWORD, TokenStore, type SandboxUser } from './users.js';
import { SlidingWindowLimiter } from '../rate-limit.js';
import { ACCOUNT_NAMES, SANDBOX_ACCOUNTS } from './vocab.js';

const ROUTES: Record<string, 'GET' | 'POST'> = {
  '/api/auth/login': 'POST',
  '/api/auth/accounts': 'GET',
  '/api/report/microconversions': 'GET',
};

const error = (status: number, message: string, headers?: Record<string, string>): MountResponse => ({
  status,
  body: JSON.stringify({ status: 'error', message }),
  rows: 0,
  headers,
});

export const sealmetricsMount: MountFactory = (ctx) => createSealmetricsMount(ctx);

/** `clock` (epoch ms) runs token expiry and the throttle; the tests pass a fake one. */
export function createSealmetricsMount(ctx: MountContext, clock: () => number = Date.now): SandboxMount {
  const tokens = new TokenStore(clock);
  const throttle = new SlidingWindowLimiter(true, clock);

  /** Auth, then the throttle: each endpoint behind the login goes through here. */
  const guard = (req: SandboxRequest): { user: SandboxUser; headers: Record<string, string> } | MountResponse => {
    const user = tokens.authenticate(req.headers.authorization);
    if (!user) return error(401, 'Unauthenticated');
    if (ctx.rateLimits === 'off') return { user, headers: {} };
    const limit = String(user.throttle.requests);
    const taken = throttle.spend(user.email, 1, { limit: user.throttle.requests, windowMs: user.throttle.windowMs });
    if (!taken.ok) {
      return error(429, 'Too Many Attempts.', { 'retry-after': String(taken.retryAfterSeconds), 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': '0' });
    }
    return { user, headers: { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': String(taken.remaining) } };
  };

  const login = (req: SandboxRequest): MountResponse => {
    const input = readInput(req);
    for (const name of ['email', 'password']) {
      if (!input[name]) return error(400, `Missing required parameter: ${name}`);
    }
    const user = findUser(input.email!, input.password!);
    if (!user) return error(401, 'Invalid credentials');
    const { token, expiresAtMs } = tokens.issue(user);
    // Passport-style: "YYYY-MM-DD HH:MM:SS", UTC (Laravel's default app timezone).
    const expiresAt = new Date(expiresAtMs).toISOString().slice(0, 19).replace('T', ' ');
    return { status: 200, body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_at: expiresAt }), rows: 0 };
  };

  const accounts = (req: SandboxRequest): MountResponse => {
    const g = guard(req);
    if ('status' in g) return g;
    const data = Object.fromEntries(g.user.accounts.map((id) => [id, ACCOUNT_NAMES[id] ?? id]));
    // PHP writes an empty associative array as [].
    const body = g.user.accounts.length === 0 ? '{"status":"ok","data":[]}' : JSON.stringify({ status: 'ok', data });
    return { status: 200, body, rows: g.user.accounts.length, headers: g.headers };
  };

  const microconversions = (req: SandboxRequest): MountResponse => {
    const g = guard(req);
    if ('status' in g) return g;
    const q = new URLSearchParams(req.query);
    const account = q.get('account_id')?.trim() ?? '';
    if (account === '') return error(400, 'Missing required parameter: account_id', g.headers);
    const rawRange = q.get('date_range') ?? '';
    if (rawRange.trim() === '') return error(400, 'Missing required parameter: date_range', g.headers);
    const nowMs = ctx.nowMs();
    const range = parseDateRange(rawRange, Math.floor(nowMs / 86_400_000));
    if (!range) return error(400, 'Invalid parameter: date_range', g.headers);
    const rawCountry = q.get('country');
    if (rawCountry !== null && rawCountry !== '' && !/^[A-Za-z]{2}$/.test(rawCountry)) return error(400, 'Invalid parameter: country', g.headers);
    if (!canRead(g.user, account)) return error(403, "You don't have access to this account", g.headers);

    const skip = readSkip(q.get('skip'));
    const limit = readLimit(q.get('limit'));
    const country = rawCountry ? rawCountry.toLowerCase() : undefined;
    const rows = matchingRows({ seed: ctx.seed, scale: ctx.scale, dataStartDay: ctx.dataStartDay, nowMs }, { account, from: range.from, to: range.to, country });
    // The misbehaving account reads every page from the top.
    const from = account === SANDBOX_ACCOUNTS.ignoresSkip ? 0 : skip;
    const page = pageOf(rows, from, limit, ctx.tieOrder, `${account}|${rawRange}|${country ?? ''}|${from}|${limit}`, ctx.seed);
    return { status: 200, body: `{"status":"ok","data":[${page.map((r) => r.json).join(',')}]}`, rows: page.length, headers: g.headers };
  };

  const handlers: Record<string, (req: SandboxRequest) => MountResponse> = {
    '/api/auth/login': login,
    '/api/auth/accounts': accounts,
    '/api/report/microconversions': microconversions,
  };

  return {
    prefix: '/sealmetrics',
    handle(req) {
      const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
      const method = ROUTES[path];
      const handler = handlers[path];
      if (!method || !handler) return error(404, 'Not Found');
      const m = req.method === 'HEAD' ? 'GET' : req.method;
      if (m !== method) return error(405, 'Method Not Allowed', { allow: method });
      return handler(req);
    },
  };
}

/** Laravel's $request->input(): the JSON or form body over the query string. */
function readInput(req: SandboxRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of new URLSearchParams(req.query)) out[k] = v;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) {
    try {
      const j = JSON.parse(req.body) as Record<string, unknown>;
      for (const [k, v] of Object.entries(j ?? {})) if (typeof v === 'string') out[k] = v;
    } catch {
      /* a broken body reads as no input: the missing-parameter error says the rest */
    }
  } else if (req.body !== '') {
    for (const [k, v] of new URLSearchParams(req.body)) out[k] = v;
  }
  return out;
}

export const sandboxProvider: SandboxProvider = {
  mount: sealmetricsMount,
  banner: (root) => [`SEALMETRICS_BASE_URL=${root} SEALMETRICS_EMAIL=demo@sealmetrics.test SEALMETRICS_PASSWORD=${SANDBOX_PASSWORD}`],
};
