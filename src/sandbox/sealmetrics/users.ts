// Who can log in to the sandbox's Sealmetrics, the bearer tokens it hands out, and its per-user
// request throttle. Token lifetimes and the throttle run on the real clock, not the sandbox's
// data clock: tests fix --now to pin the data, and tokens must still expire.
import { randomBytes } from 'node:crypto';
import { SANDBOX_ACCOUNTS } from './vocab.js';

export const SANDBOX_PASSWORD = 'sandbox-password';

export interface SandboxUser {
  email: string;
  accounts: readonly string[];
  tokenTtlMs: number;
  /** The token stops working after this many requests, although expires_at says otherwise. */
  usesPerToken?: number;
  /** Requests per window under --rate-limits real. */
  throttle: { requests: number; windowMs: number };
}

const HOUR = 3_600_000;
const PER_MINUTE = { requests: 60, windowMs: 60_000 };

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { email: 'demo@sealmetrics.test', accounts: [SANDBOX_ACCOUNTS.demo], tokenTtlMs: HOUR, throttle: PER_MINUTE },
  { email: 'agency@sealmetrics.test', accounts: [SANDBOX_ACCOUNTS.demo, SANDBOX_ACCOUNTS.second], tokenTtlMs: HOUR, throttle: PER_MINUTE },
  { email: 'nobody@sealmetrics.test', accounts: [], tokenTtlMs: HOUR, throttle: PER_MINUTE },
  { email: 'short-lived@sealmetrics.test', accounts: [SANDBOX_ACCOUNTS.demo], tokenTtlMs: 2_000, throttle: PER_MINUTE },
  { email: 'forgetful@sealmetrics.test', accounts: [SANDBOX_ACCOUNTS.demo], tokenTtlMs: HOUR, usesPerToken: 5, throttle: PER_MINUTE },
  { email: 'throttled@sealmetrics.test', accounts: [SANDBOX_ACCOUNTS.demo], tokenTtlMs: HOUR, throttle: { requests: 3, windowMs: 1_000 } },
];

/** Accounts every login may read without /api/auth/accounts listing them: the misbehaving ones. */
export const HIDDEN_ACCOUNTS: readonly string[] = [SANDBOX_ACCOUNTS.ignoresSkip];

export function findUser(email: string, password: string): SandboxUser | undefined {
  const user = SANDBOX_USERS.find((u) => u.email === email.trim().toLowerCase());
  return user && password === SANDBOX_PASSWORD ? user : undefined;
}

export function canRead(user: SandboxUser, account: string): boolean {
  return user.accounts.includes(account) || HIDDEN_ACCOUNTS.includes(account);
}

interface Issued {
  user: SandboxUser;
  expiresAtMs: number;
  usesLeft: number;
}

const MAX_TOKENS = 10_000;

export class TokenStore {
  private readonly tokens = new Map<string, Issued>();

  constructor(private readonly clock: () => number) {}

  /** A JWT-looking token; expiry is whole seconds, as expires_at prints it. */
  issue(user: SandboxUser): { token: string; expiresAtMs: number } {
    const now = this.clock();
    const expiresAtMs = Math.floor((now + user.tokenTtlMs) / 1000) * 1000;
    const payload = Buffer.from(JSON.stringify({ sub: user.email, jti: randomBytes(8).toString('hex'), exp: expiresAtMs / 1000 })).toString('base64url');
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${payload}.${randomBytes(32).toString('base64url')}`;
    if (this.tokens.size >= MAX_TOKENS) this.prune(now);
    this.tokens.set(token, { user, expiresAtMs, usesLeft: user.usesPerToken ?? Infinity });
    return { token, expiresAtMs };
  }

  /** The user behind `Authorization: Bearer <token>`, spending one use; undefined = 401. */
  authenticate(header: string | undefined): SandboxUser | undefined {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const issued = m ? this.tokens.get(m[1]!) : undefined;
    if (!issued) return undefined;
    if (this.clock() >= issued.expiresAtMs || issued.usesLeft <= 0) return undefined;
    issued.usesLeft--;
    return issued.user;
  }

  private prune(now: number): void {
    for (const [k, v] of this.tokens) if (now >= v.expiresAtMs || v.usesLeft <= 0) this.tokens.delete(k);
    for (const k of this.tokens.keys()) {
      if (this.tokens.size < MAX_TOKENS) break;
      this.tokens.delete(k);
    }
  }
}
