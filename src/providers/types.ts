import type { Column, Row } from '../core/columns.js';
import type { ProviderName } from '../config/schema.js';
import type { HttpClient } from '../http/client.js';
import type { Format } from '../writers/types.js';

export type FilterName = 'channel' | 'funnel' | 'customer';

/** A secret or setting a provider needs, and where it may come from. */
export interface CredentialSpec {
  /** Key in ExportOptions.credentials. */
  name: string;
  /** Environment variable that holds it. */
  env: string;
  /** Profile key holding it inline; `<profileKey>_env` names a variable instead. */
  profileKey: 'api_key' | 'api_secret' | 'password' | 'username' | 'email' | 'project_id' | 'account_id';
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
  provider: ProviderName;
  summary: string;
  columns: readonly Column[];
  filters: readonly FilterName[];
  defaultBaseUrl: string;
  baseUrlEnv: string;
  credentials: readonly CredentialSpec[];
  /** Provider-specific parameters; none for mbuzz's datasets. */
  params?: readonly ParamSpec[];
  /** Extra help for `mbuzz datasets` (e.g. how --from/--to map onto the provider's units). */
  notes?: string;
  /** The column holding each row's date (YYYY-MM-DD), for --partition-by date. */
  dateColumn?: string;
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
}
