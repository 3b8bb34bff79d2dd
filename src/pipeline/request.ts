import type { Format } from '../writers/types.js';

/**
 * What an export was asked for: the command line, parsed and checked flag by flag (commands/
 * export/options.ts) but not yet merged with a profile or the environment. Nothing here has a
 * default, so a profile can supply what the command line leaves out (np's rule).
 */
export interface ExportFlags {
  dataset: string;
  /** YYYY-MM-DD, or `today` / `yesterday` (UTC), which resolve.ts turns into days. */
  from?: string;
  to?: string;
  rangeDays?: number;
  channels?: string[];
  funnel?: string;
  customer?: string;
  params?: Record<string, string[]>;
  format?: Format;
  output?: string;
  fields?: string[];
  perPage?: number;
  concurrency?: number;
  maxRows?: number;
  profile?: string;
  config?: string;
  baseUrl?: string;
  apiKey?: string;
  retries?: number;
  timeoutSeconds?: number;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
  insecureHttp?: boolean;
  /** Add today (still changing) to --range and to --from alone, which otherwise end yesterday. */
  includeToday?: boolean;
  resume?: boolean;
  csvSafe?: boolean;
  state?: string;
  lookback?: number;
  partitionBy?: 'date';
  /** --replace-export: -o DIR becomes this export, replacing or removing another export's partitions. */
  replaceExport?: boolean;
  manifest?: boolean;
  datasets?: string[];
  /** --shard I/N: this worker's 1/N of the range's days (shard.ts). */
  shard?: Shard;
  /** --dry-run: plan and print, write nothing (pipeline/validate.ts skips every effect). */
  dryRun?: boolean;
}

/** One of N sharded workers. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

