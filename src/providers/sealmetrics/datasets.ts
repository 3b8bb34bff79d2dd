import { UsageError, IntegrityError } from '../../core/errors.js';
import { eachDay } from '../../core/dates.js';
import { lookahead, orderedMerge } from '../../paginate/ordered-merge.js';
import type { Row } from '../../core/columns.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { CredentialSpec, DatasetDef, ExportContext, ParamSpec } from '../types.js';
import { MAX_LIMIT, microconversionsUrl, rowsOf, validateRowsEnvelope } from './api.js';
import { resolveAccountId } from './account.js';
import { readWindowExactly } from './exact-window.js';
import { MICROCONVERSIONS_COLUMNS, normalizeRow } from './schema.js';
import { SealmetricsSession } from './session.js';
import { sealmetricsDryRun } from './dry-run.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'email', env: 'SEALMETRICS_EMAIL', profileKey: 'email', label: 'Sealmetrics login email', secret: false, required: true },
  { name: 'password', env: 'SEALMETRICS_PASSWORD', profileKey: 'password', label: 'Sealmetrics password', secret: true, required: true },
  { name: 'accountId', env: 'SEALMETRICS_ACCOUNT_ID', profileKey: 'account_id', label: 'Sealmetrics account id', secret: false, required: false },
];

const PARAMS: readonly ParamSpec[] = [{ name: 'country', description: 'only rows from this country: an ISO 3166-1 alpha-2 code such as es' }];

/** Rows held by days waiting behind a slower one (a day is one batch, so whole days wait). */
/** Per read of one day: 2M rows at limit 100, far past any real day, short of forever. */
const MAX_PAGES_PER_READ = 20_000;

const NOTES =
  '--from/--to are read as whole days and exported one day per window: date_range=YYYYMMDD,YYYYMMDD naming that day twice ' +
  '(inclusive; the API applies the account\'s own day boundaries). Pages are skip/limit with limit = min(--per-page, 100), ' +
  'ending on a short or empty page, as the API reports no total. Its order is not guaranteed stable, so rows are ' +
  'de-duplicated by _id, each read is checked against the rows it received, a day is read again when a row moved across a page ' +
  'edge, and rows are written in day order, then by _id (creation order). No account id: the login\'s only account is used.';

async function* exportMicroconversions(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const country = checkCountry(options.params.country?.[0]);
  const email = options.credentials.email!;
  const session = new SealmetricsSession({ client, baseUrl: options.baseUrl, email, password: options.credentials.password!, now: ctx.clock.now });
  const say = (message: string) => {
    if (!options.quiet) observer.note(message);
  };
  const accountId = await resolveAccountId(session, options.baseUrl, email, options.credentials.accountId, say);
  const limit = Math.min(options.perPage, MAX_LIMIT);
  const days = [...eachDay(options.from, options.to)];
  observer.plan(days.length);

  const readDay = async (day: string): Promise<Row[]> => {
    const label = `sealmetrics:microconversions ${day}${country ? ` country=${country}` : ''}`;
    const normalize = (raw: Row): Row => {
      const row = normalizeRow(raw, label);
      if (row.date !== day) throw new IntegrityError(`${label}: row _id ${String(row._id)} is dated ${String(row.date)}, outside the day asked for`);
      return row;
    };
    const window = await readWindowExactly(
      async ({ skip, limit: size }) => {
        const url = microconversionsUrl(options.baseUrl, { accountId, from: day, to: day, country, skip, limit: size });
        const res = await session.get(url, { validate: validateRowsEnvelope, countRows: (j) => rowsOf(j).length, rows: ['data'] });
        return rowsOf(res.json);
      },
      { limit, label, maxPages: MAX_PAGES_PER_READ, normalize },
    );
    if (window.passes > 1 && options.verbose) say(`${label}: the API's order moved rows across page edges; ${window.passes} reads to collect all ${window.total}`);
    observer.windowDone(label, window.rows.length);
    return window.rows;
  };

  yield* orderedMerge(
    days.map((day) => async function* () {
      yield inWindow({ from: day, to: day }, await readDay(day));
    }),
    lookahead(options.concurrency),
  );
}

/** ISO 3166-1 alpha-2, sent lower-case as in the docs ("es"); checked before any request. */
export function checkCountry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z]{2}$/.test(value.trim())) throw new UsageError(`--param country=${JSON.stringify(value)} must be a two-letter ISO 3166-1 code such as es or US`);
  return value.trim().toLowerCase();
}

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
    run: exportMicroconversions,
    dryRun: sealmetricsDryRun((ctx) => checkCountry(ctx.options.params.country?.[0])),
  },
];
