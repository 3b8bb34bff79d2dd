import { UsageError } from '../../core/errors.js';
import { isDayWord, parseIsoDate } from '../../core/dates.js';
import { resolve as resolvePath, sep } from 'node:path';
import { FORMATS, type Format } from '../../writers/types.js';
import type { ExportFlags } from '../../pipeline/request.js';
import { parseShard } from '../../pipeline/shard.js';

export type { ExportFlags };

// Pure flag parsing: commander's raw strings -> typed values, each checked on its own. Nothing
// here has a default, so a profile can supply what the command line leaves out (np's rule).

export interface RawExportFlags {
  from?: string;
  to?: string;
  range?: string;
  channel?: string[];
  funnel?: string;
  customer?: string;
  param?: string[];
  format?: string;
  output?: string;
  fields?: string;
  perPage?: string;
  concurrency?: string;
  maxRows?: string;
  profile?: string;
  config?: string;
  baseUrl?: string;
  apiKey?: string;
  retries?: string;
  timeout?: string;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
  insecureHttp?: boolean;
  includeToday?: boolean;
  resume?: boolean;
  csvSafe?: boolean;
  state?: string;
  lookback?: string;
  partitionBy?: string;
  replaceExport?: boolean;
  manifest?: boolean;
  datasets?: string;
  shard?: string;
  dryRun?: boolean;
  json?: boolean;
  report?: string;
  logFormat?: string;
}

export function parseExportFlags(dataset: string, raw: RawExportFlags, progressGiven: boolean): ExportFlags {
  const flags: ExportFlags = { dataset };
  if (raw.from !== undefined) flags.from = date('--from', raw.from);
  if (raw.to !== undefined) flags.to = date('--to', raw.to);
  if (raw.range !== undefined) flags.rangeDays = range(raw.range);
  if (flags.rangeDays !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new UsageError('--range cannot be combined with --from/--to');
  }
  if (flags.to !== undefined && flags.from === undefined) {
    throw new UsageError('--to needs --from (or use --range)');
  }
  // today/yesterday are days too, but which ones the clock says later (pipeline/resolve.ts)
  if (flags.from !== undefined && flags.to !== undefined && !isDayWord(flags.from) && !isDayWord(flags.to) && flags.from > flags.to) {
    throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  }
  if (raw.channel !== undefined) flags.channels = list(raw.channel);
  if (raw.funnel !== undefined) flags.funnel = nonEmpty('--funnel', raw.funnel);
  if (raw.customer !== undefined) flags.customer = nonEmpty('--customer', raw.customer);
  if (raw.param !== undefined) flags.params = params(raw.param);
  if (raw.format !== undefined) flags.format = format(raw.format);
  if (raw.output !== undefined) flags.output = nonEmpty('--output', raw.output);
  if (raw.fields !== undefined) {
    flags.fields = list([raw.fields]);
    if (flags.fields.length === 0) throw new UsageError('--fields needs at least one column name');
    const dup = flags.fields.find((f, i) => flags.fields!.indexOf(f) !== i);
    if (dup) throw new UsageError(`--fields names ${dup} twice`);
  }
  if (raw.perPage !== undefined) flags.perPage = int('--per-page', raw.perPage, 1, 1000);
  if (raw.concurrency !== undefined) flags.concurrency = int('--concurrency', raw.concurrency, 1, 64);
  if (raw.maxRows !== undefined) flags.maxRows = int('--max-rows', raw.maxRows, 1, Number.MAX_SAFE_INTEGER);
  if (raw.profile !== undefined) flags.profile = nonEmpty('--profile', raw.profile);
  if (raw.config !== undefined) flags.config = nonEmpty('--config', raw.config);
  if (raw.baseUrl !== undefined) flags.baseUrl = nonEmpty('--base-url', raw.baseUrl);
  if (raw.apiKey !== undefined) flags.apiKey = nonEmpty('--api-key', raw.apiKey);
  if (raw.retries !== undefined) flags.retries = int('--retries', raw.retries, 0, 20);
  if (raw.timeout !== undefined) flags.timeoutSeconds = int('--timeout', raw.timeout, 1, 3600);
  if (raw.quiet) flags.quiet = true;
  if (raw.verbose) flags.verbose = true;
  if (flags.quiet && flags.verbose) throw new UsageError('--quiet and --verbose cannot be combined');
  if (progressGiven) flags.progress = raw.progress !== false;
  if (raw.insecureHttp) flags.insecureHttp = true;
  if (raw.includeToday) flags.includeToday = true;
  if (raw.resume) flags.resume = true;
  if (raw.csvSafe) flags.csvSafe = true;
  if (raw.state !== undefined) flags.state = nonEmpty('--state', raw.state);
  if (raw.lookback !== undefined) flags.lookback = int('--lookback', raw.lookback, 0, 366);
  if (raw.partitionBy !== undefined) {
    if (raw.partitionBy !== 'date') throw new UsageError(`--partition-by ${JSON.stringify(raw.partitionBy)}: only date is supported`);
    flags.partitionBy = 'date';
  }
  if (raw.replaceExport) flags.replaceExport = true;
  if (raw.manifest) flags.manifest = true;
  if (raw.datasets !== undefined) flags.datasets = list([raw.datasets]);
  if (raw.shard !== undefined) flags.shard = parseShard(raw.shard);
  if (raw.dryRun) flags.dryRun = true;
  return flags;
}

/**
 * The report is written last, over whatever its path holds: it must not be a file this run
 * writes or reads (the output, its manifest, the --state file) nor inside an output directory
 * (partitions, `export all`), where it would replace a partition or the directory's manifest.
 */
function checkReportPath(report: string, dataset: string, raw: RawExportFlags): void {
  const path = resolvePath(report);
  const refuse = (what: string) => {
    throw new UsageError(`--report ${report} is ${what}: name another file`);
  };
  if (raw.state !== undefined && path === resolvePath(raw.state)) refuse('the --state file');
  const output = raw.output;
  if (output === undefined || output === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(output)) return; // stdout, s3://, postgresql://
  const out = resolvePath(output);
  if (path === out) refuse('the output');
  if (path === `${out}.manifest.json`) refuse("the output's manifest");
  if ((raw.partitionBy !== undefined || dataset === 'all') && path.startsWith(`${out}${sep}`)) refuse(`inside the output directory ${output}`);
}

/**
 * --report, --json and --dry-run together, checked before anything else (so the report, once its
 * path is known good, holds every later usage error). A dry run writes no file: its plan goes to
 * stdout (--json for JSON), and only `--report -` (stderr) goes with it.
 */
export async function parseReportFlags(dataset: string, raw: RawExportFlags): Promise<{ report?: string; json: boolean }> {
  if (raw.json && !raw.dryRun) throw new UsageError("--json goes with --dry-run (the plan as JSON); a run's own record is --report FILE");
  if (raw.report === undefined) return { json: raw.json === true };
  const report = nonEmpty('--report', raw.report);
  if (raw.dryRun && report !== '-') throw new UsageError('--dry-run writes no file: --dry-run --json prints the plan as JSON on stdout (--report - writes the report on stderr)');
  // a regular file or nothing, in a writable directory: refused now rather than lost at the end
  if (report === '-') return { report, json: raw.json === true };
  // before the path is taken: the report of a refused run is written too, and must not land there
  checkReportPath(report, dataset, raw);
  // a symlink of ours to a regular file is written through, as -o is
  const { checkFileTarget } = await import('../../destinations/file-target.js');
  return { report: await checkFileTarget(report, ''), json: raw.json === true };
}

function date(flag: string, value: string): string {
  const word = value.trim().toLowerCase();
  if (isDayWord(word)) return word;
  const d = parseIsoDate(value);
  if (!d) {
    const shape = /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'is not a calendar date' : 'must be YYYY-MM-DD, today or yesterday';
    throw new UsageError(`${flag} ${JSON.stringify(value)} ${shape}`);
  }
  return d;
}

function range(value: string): number {
  const m = /^(\d{1,4})d$/.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!m || n < 1 || n > 3660) throw new UsageError(`--range ${JSON.stringify(value)} must be a number of days such as 7d, 30d or 90d`);
  return n;
}

function format(value: string): Format {
  const f = value.toLowerCase() === 'jsonl' ? 'ndjson' : value.toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format ${JSON.stringify(value)} must be one of ${FORMATS.join(', ')}`);
  return f as Format;
}

export function int(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} ${JSON.stringify(value)} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} ${n} must be between ${min} and ${max}`);
  return n;
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return value;
}

/** `--param name=value`, repeatable; a name given twice collects its values. */
function params(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new UsageError(`--param ${JSON.stringify(v)} must be name=value`);
    (out[v.slice(0, eq).trim()] ??= []).push(v.slice(eq + 1));
  }
  return out;
}

/** Repeatable flags that also accept comma lists: `--channel a --channel b,c`. */
function list(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}
