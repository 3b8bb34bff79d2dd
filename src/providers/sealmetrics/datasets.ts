import type { CredentialSpec, DatasetDef, ParamSpec } from '../types.js';
import { MICROCONVERSIONS_COLUMNS } from './schema.js';

// What Sealmetrics' dataset is; how it is read is run.ts, loaded by the first export.

export { checkCountry } from './country.js';
import { sealmetricsDryRun } from './dry-run.js';
import { checkCountry } from './country.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'email', env: 'SEALMETRICS_EMAIL', profileKey: 'email', label: 'Sealmetrics login email', secret: false, required: true },
  { name: 'password', env: 'SEALMETRICS_PASSWORD', profileKey: 'password', label: 'Sealmetrics password', secret: true, required: true },
  { name: 'accountId', env: 'SEALMETRICS_ACCOUNT_ID', profileKey: 'account_id', label: 'Sealmetrics account id', secret: false, required: false },
];

const PARAMS: readonly ParamSpec[] = [{ name: 'country', description: 'only rows from this country: an ISO 3166-1 alpha-2 code such as es' }];

const NOTES =
  '--from/--to are read as whole days and exported one day per window: date_range=YYYYMMDD,YYYYMMDD naming that day twice ' +
  '(inclusive; the API applies the account\'s own day boundaries). Pages are skip/limit with limit = min(--per-page, 100), ' +
  'ending on a short or empty page, as the API reports no total. Its order is not guaranteed stable, so rows are ' +
  'de-duplicated by _id, each read is checked against the rows it received, a day is read again when a row moved across a page ' +
  'edge, and rows are written in day order, then by _id (creation order). No account id: the login\'s only account is used.';

export const SEALMETRICS_DATASETS: readonly DatasetDef[] = [
  {
    name: 'sealmetrics:microconversions',
    provider: 'sealmetrics',
    summary: 'one row per microconversion (add-to-cart, signup, …) with the UTM parameters that drove it',
    columns: MICROCONVERSIONS_COLUMNS,
    filters: [],
    credentials: CREDENTIALS,
    params: PARAMS,
    notes: NOTES,
    // the day the row is counted in, in the account's own day boundaries, as date_range is read
    rowDate: { kind: 'day', column: 'date' },
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportMicroconversions(ctx);
    },
    dryRun: sealmetricsDryRun((ctx) => checkCountry(ctx.options.params.country?.[0])),
  },
];
