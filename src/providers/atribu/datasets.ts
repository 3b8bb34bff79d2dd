import type { CredentialSpec, DatasetDef, ParamSpec } from '../types.js';
import { atribuDryRun } from './dry-run.js';
import { CUSTOMERS_COLUMNS, JOURNEY_COLUMNS } from './schemas.js';

// What Atribu's datasets are; how they are read is run.ts, loaded by the first export.

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
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportCustomers(ctx);
    },
    dryRun: atribuDryRun('customers'),
  },
  {
    ...BASE,
    name: 'atribu:journey',
    summary: "one row per event in one customer's timeline (--customer ID), oldest first",
    columns: JOURNEY_COLUMNS,
    filters: ['customer'],
    notes: `The whole timeline of --customer (a customer_profile_id from atribu:customers); --from/--to do not apply. An id that is unknown or not yours gives no rows (Atribu does not say which). ${PACING}`,
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportJourney(ctx);
    },
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
    run: async function* (ctx) {
      yield* (await import('./run.js')).exportJourneys(ctx);
    },
    dryRun: atribuDryRun('journeys'),
  },
];
