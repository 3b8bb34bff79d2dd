import { interruptedBy, UsageError } from '../../core/errors.js';
import { lookahead, orderedMerge } from '../../paginate/ordered-merge.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { CredentialSpec, DatasetDef, ExportContext, ParamSpec } from '../types.js';
import { ATRIBU_MAX_LIMIT, type AtribuApi, type CustomersQuery } from './api.js';
import { atribuDryRun } from './dry-run.js';
import { collectCustomerIds, walkCustomers, walkJourney } from './journey.js';
import { RatePacer } from './pace.js';
import { CUSTOMERS_COLUMNS, JOURNEY_COLUMNS } from './schemas.js';

const CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'ATRIBU_API_KEY', profileKey: 'api_key', label: 'Atribu API key (atb_live_...)', secret: true, required: true, flag: 'apiKey' },
];

/** The documented goals; Atribu says "etc.", so this list may be shorter than the server's. */
export const ATRIBU_GOALS = ['payment_received', 'lead_created', 'appointment_booked', 'closed_won'] as const;

const CUSTOMER_PARAMS: readonly ParamSpec[] = [
  { name: 'goal', description: 'the conversion goal customers achieved', required: true, choices: ATRIBU_GOALS },
  { name: 'search', description: 'only customers whose name or email contains this' },
];

const BASE = { provider: 'atribu', credentials: CREDENTIALS } as const;
const PACING =
  'Calls are paced to the key\'s 60 units/min (3 per call, ~20 calls/min) from the X-RateLimit-Remaining header; needs the customers:read scope.';

export const ATRIBU_DATASETS: readonly DatasetDef[] = [
  {
    ...BASE,
    name: 'atribu:customers',
    summary: 'one row per conversion of the goal in the window, with the customer and lifetime metrics',
    columns: CUSTOMERS_COLUMNS,
    filters: [],
    params: CUSTOMER_PARAMS,
    notes: `--from/--to are sent as date_from/date_to (inclusive UTC days). Pages of up to 100 (--per-page above that is capped), newest first, by the time|id cursor. ${PACING}`,
    // Atribu does not say in which time zone date_from/date_to are days (api-contracts/others.md §3):
    // a conversion a UTC day either side is still the range.
    rowDate: { kind: 'instant', column: 'conversion_time', slackDays: 1 },
    run: (ctx) => exportCustomers(ctx),
    dryRun: atribuDryRun('customers'),
  },
  {
    ...BASE,
    name: 'atribu:journey',
    summary: "one row per event in one customer's timeline (--customer ID), oldest first",
    columns: JOURNEY_COLUMNS,
    filters: ['customer'],
    notes: `The whole timeline of --customer (a customer_profile_id from atribu:customers); --from/--to do not apply. An id that is unknown or not yours gives no rows (Atribu does not say which). ${PACING}`,
    run: (ctx) => exportJourney(ctx),
    dryRun: atribuDryRun('journey'),
  },
  {
    ...BASE,
    name: 'atribu:journeys',
    summary: 'the whole journey of every customer who reached the goal in the window, one row per event',
    columns: JOURNEY_COLUMNS,
    filters: [],
    params: CUSTOMER_PARAMS,
    notes: `Customers are those atribu:customers lists for --from/--to (each once, in that order); each journey is whole, not cut to the window. One call per 100 events per customer, so at ~20 calls/min a big window takes a while. ${PACING}`,
    run: (ctx) => exportJourneys(ctx),
    dryRun: atribuDryRun('journeys'),
  },
];

function connect(ctx: ExportContext): AtribuApi {
  const { options, client, observer, signal, clock } = ctx;
  const pacer = new RatePacer({
    now: clock.now,
    sleep: async (ms) => {
      // a wait for the key's units: the run report counts it with the 429s' waits
      client.rateLimitWait(ms);
      try {
        await clock.sleep(ms, signal);
      } catch {
        throw interruptedBy(signal);
      }
    },
    onWait: (ms, left, limit) => observer.note(`atribu rate limit: ${left} of ${limit ?? '?'} units left this minute; waiting ${Math.ceil(ms / 1000)}s`),
  });
  return { client, baseUrl: options.baseUrl, apiKey: options.credentials.apiKey!, pacer };
}

function customersQuery(ctx: ExportContext): CustomersQuery {
  const { options } = ctx;
  return {
    from: options.from,
    to: options.to,
    goal: options.params.goal![0]!,
    search: options.params.search?.[0],
    limit: Math.min(options.perPage, ATRIBU_MAX_LIMIT),
  };
}

/** The window a whole-range read answers for; the journeys' events are not bounded by it (no rowDate). */
const wholeRange = (ctx: ExportContext) => ({ from: ctx.options.from, to: ctx.options.to });

async function* exportCustomers(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const api = connect(ctx);
  ctx.observer.plan(1);
  let rows = 0;
  const window = wholeRange(ctx);
  for await (const batch of walkCustomers(api, customersQuery(ctx))) {
    rows += batch.length;
    yield inWindow(window, batch);
  }
  ctx.observer.windowDone(`${ctx.options.from}..${ctx.options.to}`, rows);
}

async function* exportJourney(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const id = ctx.options.customer;
  if (id === undefined || id.trim() === '') throw new UsageError('atribu:journey needs --customer ID (a customer_profile_id from atribu:customers)');
  const api = connect(ctx);
  ctx.observer.plan(1);
  let rows = 0;
  const window = wholeRange(ctx);
  for await (const batch of walkJourney(api, id, Math.min(ctx.options.perPage, ATRIBU_MAX_LIMIT))) {
    rows += batch.length;
    yield inWindow(window, batch);
  }
  if (rows === 0) ctx.observer.note(`atribu: customer ${id} has no events, or is not in this key's profile (Atribu answers both the same way)`);
  ctx.observer.windowDone(id, rows);
}

/** Rows held by journeys waiting their turn behind the one being written. */

async function* exportJourneys(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const api = connect(ctx);
  const limit = Math.min(ctx.options.perPage, ATRIBU_MAX_LIMIT);
  // Ids only (a few bytes each) are held, so the whole list can come first and fix the order.
  const ids = await collectCustomerIds(walkCustomers(api, customersQuery(ctx)));
  ctx.observer.plan(ids.length);
  const window = wholeRange(ctx);
  const sources = ids.map((id) => async function* () {
    let rows = 0;
    for await (const batch of walkJourney(api, id, limit)) {
      rows += batch.length;
      yield inWindow(window, batch);
    }
    ctx.observer.windowDone(id, rows);
  });
  yield* orderedMerge(sources, lookahead(ctx.options.concurrency));
}
