import { UsageError } from '../../core/errors.js';
import { accountsOf, apiUrl, validateAccountsEnvelope } from './api.js';
import type { SealmetricsSession } from './session.js';

// Every report needs account_id. Without SEALMETRICS_ACCOUNT_ID we ask GET /api/auth/accounts
// which accounts the login sees: exactly one is unambiguous; none or several is a usage error
// that lists them, so the user can pick one instead of us guessing.

export async function resolveAccountId(
  session: SealmetricsSession,
  baseUrl: string,
  email: string,
  given: string | undefined,
  /** Told which account discovery picked. */
  say: (message: string) => void,
): Promise<string> {
  if (given !== undefined) return given;
  const res = await session.get(apiUrl(baseUrl, 'auth/accounts'), {
    validate: validateAccountsEnvelope,
    countRows: (j) => accountsOf(j).length,
  });
  const accounts = accountsOf(res.json);
  const only = accounts[0];
  if (accounts.length === 1 && only) {
    say(`no SEALMETRICS_ACCOUNT_ID: using ${email}'s only account, ${only.id} (${only.name})`);
    return only.id;
  }
  if (accounts.length === 0) throw new UsageError(`the Sealmetrics login ${email} has no accounts (GET /api/auth/accounts is empty)`);
  const list = accounts.map((a) => `${a.id} (${a.name})`).join(', ');
  throw new UsageError(`the Sealmetrics login ${email} has ${accounts.length} accounts: ${list}; pick one with SEALMETRICS_ACCOUNT_ID or a profile's account_id`);
}
