import type { Column, Row } from '../core/columns.js';
import type { Clock } from '../core/env.js';
import type { WindowRows } from '../core/window-rows.js';
import type { SandboxProvider } from '../sandbox/mounts.js';
import type { HttpClient } from '../http/client.js';
import type { Format } from '../writers/types.js';

export type FilterName = 'channel' | 'funnel' | 'customer';

/**
 * One API, everything mbuzz knows of it in one record: config, the registry, `export --help`,
 * `mbuzz datasets` and the sandbox all read it. A sixth API is a folder under providers/ holding
 * its record, a folder under sandbox/ for its local copy, and one line in providers/registry.ts
 * (docs/adding-a-provider.md).
 */
export interface Provider {
  /** `mbuzz`, `mixpanel`: a profile's `provider:` and its datasets' `<name>:` prefix. */
  name: string;
  /** For people: "Mixpanel Data API 2.0". */
  title: string;
  defaultBaseUrl: string;
  /** The environment variable that overrides the base URL. */
  baseUrlEnv: string;
  datasets: readonly DatasetDef[];
  /** How --from/--to map onto this API's parameters, one line for `export --help`. */
  dates: string;
  /**
   * How this API's times and time zones become columns, for `mbuzz datasets`: which columns are
   * instants, the zone the API writes them in, and what each format stores.
   */
  times: string;
  /** Refuses a filter value before any request (mbuzz: an unknown channel); the message, or undefined. */
  checkFilter?(filter: FilterName, values: readonly string[]): string | undefined;
  /** The sandbox's copy of this API, loaded only by `mbuzz sandbox`. */
  sandbox?: () => Promise<SandboxProvider>;
}

/** A secret or setting a provider needs, and where it may come from. */
export interface CredentialSpec {
  /** Key in ExportOptions.credentials. */
  name: string;
  /** Environment variable that holds it. */
  env: string;
  /** Profile key holding it inline; `<profileKey>_env` names a variable instead. */
  profileKey: string;
  /** For messages: "API key", "API secret", "password". */
  label: string;
  secret: boolean;
  required: boolean;
  /** Flag that can also carry it (only the API key has one). */
  flag?: 'apiKey';
}

/** A provider-specific request parameter, given as `--param name=value` (or a profile's `params:`). */
export interface ParamSpec {
  name: string;
  description: string;
  required?: boolean;
  /** May be given more than once (a list, e.g. Mixpanel's event names). */
  multiple?: boolean;
  choices?: readonly string[];
  default?: string;
}

export interface DatasetDef {
  /** `conversions`, or `<provider>:<dataset>` for other providers. */
  name: string;
  /** The Provider record's name. */
  provider: string;
  summary: string;
  columns: readonly Column[];
  filters: readonly FilterName[];
  credentials: readonly CredentialSpec[];
  /** Provider-specific parameters; none for mbuzz's datasets. */
  params?: readonly ParamSpec[];
  /** Extra help for `mbuzz datasets` (e.g. how --from/--to map onto the provider's units). */
  notes?: string;
  /** The column holding each row's date (YYYY-MM-DD), for --partition-by date; rowDate says the same with kind 'day'. */
  dateColumn?: string;
  /**
   * Its rows are totals up to the moment of the request (Mixpanel's event-names and the like):
   * without --to its range ends today, since complete days mean nothing to it.
   */
  endsNow?: boolean;
  /**
   * How each row's date relates to the window it was read for. The pipeline checks every row
   * against its batch's window with it (pipeline/checks.ts); a dataset without one has rows that
   * the window does not bound (a whole journey, a total up to now), and says why in providers' tests.
   */
  rowDate?: RowDate;
  /**
   * A documented filter the API does not apply (mbuzz ignores `funnel` on conversions), applied by
   * the pipeline after it has counted the window's rows against the API's total.
   */
  keep?(options: ExportOptions): ((row: Row) => boolean) | undefined;
  /** Honours ExportContext.resume (skips finished windows); others restart from the beginning. */
  resumable?: boolean;
  /** The API's current row count per UTC day, for `mbuzz verify`; absent where the API has no cheap count. */
  dayTotal?: DayTotal;
  /** Pull every row for the options, in deterministic order, as batches tagged with the window each was read for. */
  run(ctx: ExportContext): AsyncIterable<WindowRows>;
  /** What --dry-run can know before reading the data; without it, the generic plan (pipeline/dry-run.ts). */
  dryRun?: DryRunSpec;
}

/**
 * One day's rows as the API counts them now, under an export's filters, in one cheap request: what
 * `mbuzz verify` compares an export with (late attribution changes past days).
 */
export interface DayTotal {
  /** Why these options have no such count (a filter the API does not apply), or undefined. */
  unavailable?(options: ExportOptions): string | undefined;
  count(ctx: { options: ExportOptions; client: HttpClient }, day: string): Promise<number>;
}

/** What a row's date column means, for the pipeline's window check. */
export type RowDate =
  /** A calendar day (YYYY-MM-DD) inside the window. */
  | { kind: 'day'; column: string }
  /** A period label (a week, a month) whose days, as the provider reads them, overlap the window. */
  | { kind: 'period'; column: string; days(label: string, options: ExportOptions): { first: string; last: string } | undefined }
  /**
   * A moment (epoch seconds, or ISO 8601 text) whose UTC day lies inside the window widened by
   * `slackDays`: the API applies a time zone of its own that it does not state.
   */
  | { kind: 'instant'; column: string; slackDays: number };

export interface ExportOptions {
  dataset: DatasetDef;
  from: string;
  to: string;
  /** UTC date of "now": days from here on are still open. */
  today: string;
  channels?: string[];
  funnel?: string;
  customer?: string;
  /** --param values, validated against the dataset's ParamSpecs, defaults filled in. */
  params: Record<string, string[]>;
  format: Format;
  /** undefined = stdout. */
  output?: string;
  gzip: boolean;
  /** Output columns after --fields, in output order. */
  columns: readonly Column[];
  /** --fields was given (NDJSON then projects instead of passing rows through). */
  projected: boolean;
  /** --csv-safe: neutralise spreadsheet formulas in CSV cells. */
  csvSafe: boolean;
  perPage: number;
  concurrency: number;
  maxRows?: number;
  baseUrl: string;
  credentials: Record<string, string>;
  retries: number;
  timeoutMs: number;
  quiet: boolean;
  verbose: boolean;
  progress: boolean;
  profileName?: string;
  /** Said once on stderr before the run (unless --quiet). */
  warnings: string[];
}

/** Where a top-level window stands, for checkpoints and manifests. */
export interface WindowInfo {
  /** Position in the export's window order (0-based), across the whole run. */
  index: number;
  from: string;
  to: string;
  /** Rows the API held for it (its total_count): the pipeline counts the window's rows against it (pipeline/checks.ts). */
  received: number;
  /** Also still changing (today or later). */
  open?: boolean;
}

/** What a dataset reports while it runs; progress, checkpoints and the manifest observe it. */
export interface ExportObserver {
  plan(windows: number): void;
  /** The rows the API says it holds for what was just planned (its total_count), where it says: progress bases its ETA on them. */
  expect?(rows: number): void;
  /** `rows`: rows the window put out; `info` (with the API's total) makes the pipeline count them again. */
  windowDone(label: string, rows: number, info?: WindowInfo): void;
  note(message: string): void;
}

/** Continue after a checkpoint: the first windows are already in the output. */
export interface ResumePoint {
  /** API totals of the windows already written, in window order; they are skipped. */
  skipped: readonly number[];
}

export interface ExportContext {
  options: ExportOptions;
  resume?: ResumePoint;
  client: HttpClient;
  observer: ExportObserver;
  signal: AbortSignal;
  /** The run's clock: providers never read Date.now or sleep on their own. */
  clock: Clock;
}

// `mbuzz export --dry-run`: what a dataset can say about a run before reading its data. A dataset
// that can know more than the generic plan (the days of the range) implements DatasetDef.dryRun,
// asking the API only what is cheap (a count: a one-row page, or the total in a first page)
// through the client a real run uses, so a bad key fails the dry run as it would the run (exit 3).

/** A dataset's dry run: the plan, and in one line for `mbuzz datasets` what it can know. */
export interface DryRunSpec {
  knows: string;
  plan(ctx: PlanContext): Promise<DryRunPlan>;
}

/** What a plan may use: the run's options, client and clock; nothing of the output. */
export type PlanContext = Omit<ExportContext, 'observer' | 'resume'>;

/** One window of the run, as the real run will read it. */
export interface PlannedWindow {
  from: string;
  to: string;
  /** The API's count for it, where counting is cheap. */
  rows?: number;
  /** Today or later: its rows may still change. */
  open?: boolean;
}

/** The share of a provider's rate limit or quota the run takes. */
export interface QuotaUse {
  /** The limit in words: "60 export requests an hour per project". */
  limit: string;
  /** What it is counted in: "requests", "units". */
  unit: string;
  /** How much of it the real run will spend; undefined when its requests are unknown. */
  spend?: number;
  /** What the dry run itself spent of it. */
  spentByDryRun: number;
  /** What the API says is left now, where it says. */
  remaining?: number;
  /** The least time the limit lets the run's requests take (ms): the ETA is never below it. */
  minMs?: number;
  /** The run will not fit the limit as planned: what to do about it. */
  warning?: string;
}

export interface DryRunPlan {
  /** How this plan was made, and what the dry run sent to make it (one line, for people). */
  basis: string;
  /** The windows a real run reads, in order; undefined when only the data itself could tell. */
  windows?: PlannedWindow[];
  /** Requests the real run will send; `exact` false for an estimate (`note` says which way it errs). */
  requests?: { count: number; exact: boolean; note?: string };
  /** The API's total of rows, where counting is cheap. */
  rows?: number;
  /** Requests the real run has in flight at once (a cursor, or date blocks, are read one by one). */
  concurrency: number;
  quota?: QuotaUse;
  /** Anything else to know before the run, one line each. */
  notes: string[];
}
