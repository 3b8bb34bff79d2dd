import { eachDay } from '../../core/dates.js';
import type { DryRunPlan, DryRunSpec, PlanContext } from '../types.js';

// --dry-run for Sealmetrics: a run reads one day per window, and the API states no total (paging
// ends on a short page), so the plan is the days and a lower bound on the requests. The login and
// the account list are asked for (two small calls), which checks the credentials and the account.

export function sealmetricsDryRun(preflight: (ctx: PlanContext) => void): DryRunSpec {
  return {
    knows: 'the windows (one a day); no rows (the API states no total), so the requests only as a lower bound, one a day; the login and the account list (two calls) check the credentials and the account',
    plan: async (ctx) => {
      preflight(ctx);
      return planMicroconversions(ctx);
    },
  };
}

async function planMicroconversions(ctx: PlanContext): Promise<DryRunPlan> {
  // (loaded here, not at the top: dataset descriptions import this file, and --help must not load readers)
  const [{ accountsOf, apiUrl, validateAccountsEnvelope }, { resolveAccountId }, { SealmetricsSession }] = await Promise.all([import('./api.js'), import('./account.js'), import('./session.js')]);
  const { options, client } = ctx;
  const email = options.credentials.email!;
  const session = new SealmetricsSession({ client, baseUrl: options.baseUrl, email, password: options.credentials.password!, now: ctx.clock.now });
  const notes: string[] = [];
  const given = options.credentials.accountId;
  if (given === undefined) await resolveAccountId(session, options.baseUrl, email, undefined, (m) => notes.push(m));
  else {
    const res = await session.get(apiUrl(options.baseUrl, 'auth/accounts'), { validate: validateAccountsEnvelope, countRows: (j) => accountsOf(j).length });
    if (!accountsOf(res.json).some((a) => a.id === given)) notes.push(`SEALMETRICS_ACCOUNT_ID ${given} is not among the accounts the login ${email} lists: the run's requests may be refused`);
  }
  const windows = [...eachDay(options.from, options.to)].map((d) => ({ from: d, to: d, ...(d >= options.today && { open: true }) }));
  // a login, the account list when no id is given, then a page a day at least
  const requests = 1 + (given === undefined ? 1 : 0) + windows.length;
  return {
    basis: 'one window a day; the API states no total, so the requests are a lower bound (one page a day; more for a day of over a page, and again when rows move across page edges); the login and the account list were asked for',
    windows,
    requests: { count: requests, exact: false, note: 'at least: one page a day, more for days holding over a page (limit 100)' },
    concurrency: options.concurrency,
    notes,
  };
}
