import type { Column, Row } from '../core/columns.js';
import type { Clock } from '../core/env.js';
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
  /** The column holding each row's date (YYYY-MM-DD), for --partition-by date. */
  dateColumn?: string;
  /**
   * Its rows are totals up to the moment of the request (Mixpanel's event-names and the like):
   * without --to its range ends today, since complete days mean nothing to it.
   */
  endsNow?: boolean;
  /** Honours ExportContext.resume (skips finished windows); others restart from the beginning. */
  resumable?: boolean;
  /** Pull every row for the options, in deterministic order, as batches. */
  run(ctx: ExportContext): AsyncIterable<Row[]>;
}

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
  /** Rows the API held for it (its total_count). */
  received: number;
  /** Also still changing (today or later). */
  open?: boolean;
}

/** What a dataset reports while it runs; progress, checkpoints and the manifest observe it. */
export interface ExportObserver {
  plan(windows: number): void;
  /** The rows the API says it holds for what was just planned (its total_count), where it says: progress bases its ETA on them. */
  expect?(rows: number): void;
  /** `rows`: rows the window put out (after client-side filters). */
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
