import { interruptedBy, UsageError } from '../../core/errors.js';
import { lookahead, orderedMerge } from '../../paginate/ordered-merge.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { ExportContext } from '../types.js';
import { ATRIBU_MAX_LIMIT, type AtribuApi, type CustomersQuery } from './api.js';
import { collectCustomerIds, walkCustomers, walkJourney } from './journey.js';
import { RatePacer } from './pace.js';

// How Atribu's datasets are read; datasets.ts says what they are and loads this on the first export.

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

export async function* exportCustomers(ctx: ExportContext): AsyncGenerator<WindowRows> {
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

export async function* exportJourney(ctx: ExportContext): AsyncGenerator<WindowRows> {
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

export async function* exportJourneys(ctx: ExportContext): AsyncGenerator<WindowRows> {
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
