// The sandbox's API keys: fixed and public, so demos, tests and docs need no setup. Each stands
// for one row of the server's api_keys table and the account behind it.

export const SANDBOX_KEYS = {
  /** The documented default: test-environment data (1/10 of live volume). */
  test: 'sk_test_0123456789abcdef0123456789abcdef',
  /** Live-environment data: a disjoint data set at the contract's UAT volume. */
  live: 'sk_live_fedcba9876543210fedcba9876543210',
  /** Answers 401 "API key has been revoked". */
  revoked: 'sk_test_deadbeefdeadbeefdeadbeefdeadbeef',
  /** A key of a suspended account: 401 "Account suspended". */
  suspended: 'sk_live_0badacc0000000000000000000000000',
  /** Revoked and on a suspended account: shows the revoked check runs first. */
  revokedSuspended: 'sk_live_deadbeef0badacc0deadbeef0badacc0',
} as const;

export type SandboxEnvironment = 'test' | 'live';

export interface KeyRecord {
  /** From the key's stored environment, not from its prefix (the server reads the DB enum). */
  environment: SandboxEnvironment;
  revoked: boolean;
  accountActive: boolean;
}

const RECORDS: ReadonlyMap<string, KeyRecord> = new Map([
  [SANDBOX_KEYS.test, { environment: 'test', revoked: false, accountActive: true }],
  [SANDBOX_KEYS.live, { environment: 'live', revoked: false, accountActive: true }],
  [SANDBOX_KEYS.revoked, { environment: 'test', revoked: true, accountActive: true }],
  [SANDBOX_KEYS.suspended, { environment: 'live', revoked: false, accountActive: false }],
  [SANDBOX_KEYS.revokedSuspended, { environment: 'live', revoked: true, accountActive: false }],
]);

/** The server looks keys up by SHA-256 digest; an exact match on the token is the same thing. */
export function findKey(token: string): KeyRecord | undefined {
  return RECORDS.get(token);
}
