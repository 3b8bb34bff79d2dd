import { IntegrityError } from '../../core/errors.js';
import { eachDay } from '../../core/dates.js';
import { lookahead, orderedMerge } from '../../paginate/ordered-merge.js';
import type { Row } from '../../core/columns.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { ExportContext } from '../types.js';
import { MAX_LIMIT, microconversionsUrl, rowsOf, validateRowsEnvelope } from './api.js';
import { resolveAccountId } from './account.js';
import { checkCountry } from './country.js';
import { readWindowExactly } from './exact-window.js';
import { normalizeRow } from './schema.js';
import { SealmetricsSession } from './session.js';

// How Sealmetrics' microconversions are read; datasets.ts says what they are and loads this on the first export.

/** Per read of one day: 2M rows at limit 100, far past any real day, short of forever. */
const MAX_PAGES_PER_READ = 20_000;

export async function* exportMicroconversions(ctx: ExportContext): AsyncGenerator<WindowRows> {
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
