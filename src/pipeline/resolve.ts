import { UsageError } from '../core/errors.js';
import { isLoopbackHost } from '../http/transport.js';
import { addDays } from '../core/dates.js';
import type { ExportFlags } from './request.js';
import type { DatasetDef, ExportOptions, Provider } from '../providers/types.js';
import { FORMATS, type Format } from '../writers/types.js';
import type { ConfigFile, ProfileConfig } from '../config/schema.js';
import { didYouMean } from '../core/suggest.js';
import { registerSecret, registerUrlCredentials } from '../core/secrets.js';

// defaults < profile < environment < flags, in one pure function: no IO, no clock (today comes
// in), so every precedence rule is a table-driven unit test. Its one side effect: the secrets it
// settles on join the process's masking registry (core/secrets.ts), where they are known for sure.

export const DEFAULTS = { perPage: 1000, concurrency: 4, retries: 5, timeoutSeconds: 60, days: 30 } as const;

export interface ResolveInput {
  dataset: DatasetDef;
  /** The dataset's Provider record: base URL, its variable, filter checks. */
  provider: Provider;
  flags: ExportFlags;
  config: ConfigFile;
  configFile?: string;
  vars: Readonly<Record<string, string | undefined>>;
  /** UTC date of "now". */
  today: string;
}

export interface SelectedProfile {
  name: string;
  profile: ProfileConfig;
}

export function selectProfile(dataset: DatasetDef, flags: Pick<ExportFlags, 'profile'>, config: ConfigFile, configFile: string | undefined, vars: ResolveInput['vars']): SelectedProfile | undefined {
  const explicit = flags.profile ?? nonBlank(vars.MBUZZ_PROFILE);
  const name = explicit ?? config.profile;
  if (name === undefined) return undefined;
  const profile = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!profile) {
    const where = configFile ? `in ${configFile}` : '(no config file found)';
    const have = Object.keys(config.profiles);
    throw new UsageError(`unknown profile ${JSON.stringify(name)} ${where}${didYouMean(name, have) || (have.length ? `; profiles: ${have.join(', ')}` : '')}`);
  }
  const provider = profile.provider ?? 'mbuzz';
  if (provider !== dataset.provider) {
    // The file's default profile may be for another provider: it simply does not apply here.
    if (explicit === undefined) return undefined;
    throw new UsageError(`profile ${JSON.stringify(name)} is for ${provider}, but ${dataset.name} comes from ${dataset.provider}`);
  }
  return { name, profile };
}

export function resolveExport(input: ResolveInput): ExportOptions {
  const { dataset, provider, flags, config, configFile, vars, today } = input;
  const selected = selectProfile(dataset, flags, config, configFile, vars);
  const profile: ProfileConfig = selected?.profile ?? {};
  const at = (key: string) => `${configFile ?? 'config'}: profiles.${selected?.name}.${key}`;
  const warnings: string[] = [];

  // dates
  // Complete days by default: today is still changing, so --range and --from alone end yesterday
  // unless --include-today adds it.
  const yesterday = addDays(today, -1);
  const day = (d: string) => (d === 'today' ? today : d === 'yesterday' ? yesterday : d);
  if (flags.includeToday && flags.to !== undefined) throw new UsageError('--include-today goes with --range or --from alone: --to already says which day is last');
  const end = flags.includeToday || dataset.endsNow ? today : yesterday;
  let from: string;
  let to: string;
  if (flags.from !== undefined) {
    from = day(flags.from);
    to = flags.to !== undefined ? day(flags.to) : end;
    if (from > to) {
      const last = flags.to !== undefined ? `--to ${to}` : flags.includeToday ? `today (${today}, UTC)` : `yesterday (${yesterday}, UTC), the last complete day (--include-today adds today)`;
      throw new UsageError(`--from ${from} is after ${last}`);
    }
  } else {
    to = end;
    from = addDays(yesterday, -((flags.rangeDays ?? DEFAULTS.days) - 1));
  }

  // filters
  const channels = flags.channels ?? profile.channels;
  if (channels !== undefined) requireFilter(dataset, 'channel', '--channel');
  const badChannels = channels !== undefined ? provider.checkFilter?.('channel', channels) : undefined;
  if (badChannels) throw new UsageError(`${flags.channels ? '--channel' : at('channels')}: ${badChannels}`);
  const funnel = flags.funnel ?? profile.funnel;
  if (funnel !== undefined) requireFilter(dataset, 'funnel', '--funnel');
  if (flags.customer !== undefined) requireFilter(dataset, 'customer', '--customer');
  const params = resolveParams(dataset, flags.params, profile.params, at);

  // output and format
  const output = flags.output === '-' ? undefined : flags.output;
  const fromExt = output !== undefined ? formatFromPath(output) : undefined;

  if (flags.format && fromExt?.format && flags.format !== fromExt.format) {
    throw new UsageError(`--format ${flags.format} conflicts with the output file's extension (${output})`);
  }
  if (profile.format !== undefined && !(FORMATS as readonly string[]).includes(profile.format)) {
    throw new UsageError(`${at('format')} must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(profile.format)})`);
  }
  // An extension mbuzz does not write, with no format asked for, would get NDJSON under a name that promises something else.
  if (fromExt?.foreign && !flags.partitionBy && flags.format === undefined && profile.format === undefined) {
    throw new UsageError(`-o ${output}: mbuzz does not write ${fromExt.foreign} files; name the output .ndjson, .jsonl, .csv or .parquet (text formats may add .gz), or give -f`);
  }
  const format: Format = flags.format ?? fromExt?.format ?? (profile.format as Format | undefined) ?? 'ndjson';
  const gzip = fromExt?.gzip ?? false;
  if (flags.csvSafe && format !== 'csv') throw new UsageError(`--csv-safe applies to CSV output, not ${format}`);
  if (gzip && format === 'parquet') throw new UsageError('Parquet is compressed inside the file: drop the .gz from the output name');

  // columns
  const fields = flags.fields ?? profile.fields;
  let columns = dataset.columns;
  if (fields !== undefined) {
    const byName = new Map(dataset.columns.map((c) => [c.name, c]));
    const unknown = fields.filter((f) => !byName.has(f));
    if (unknown.length) {
      throw new UsageError(`${flags.fields ? '--fields' : at('fields')}: ${dataset.name} has no column ${unknown.map((u) => JSON.stringify(u)).join(', ')} (columns: ${dataset.columns.map((c) => c.name).join(', ')})`);
    }
    columns = fields.map((f) => byName.get(f)!);
  }

  const perPage = flags.perPage ?? profile.per_page ?? DEFAULTS.perPage;
  if (perPage > 1000) throw new UsageError(`${at('per_page')} must be at most 1000 (the API's largest page)`);

  // where and who
  const baseUrl = flags.baseUrl ?? nonBlank(vars[provider.baseUrlEnv]) ?? profile.base_url ?? provider.defaultBaseUrl;
  registerUrlCredentials(baseUrl);
  checkBaseUrl(baseUrl, flags.insecureHttp ?? false);
  const credentials: Record<string, string> = {};
  for (const spec of dataset.credentials) {
    const fromFlag = spec.flag ? flags[spec.flag] : undefined;
    const varName = profile[`${spec.profileKey}_env`] as string | undefined;
    if (varName !== undefined && fromFlag === undefined && nonBlank(vars[spec.env]) === undefined && nonBlank(vars[varName]) === undefined) {
      throw new UsageError(`${at(`${spec.profileKey}_env`)} names ${varName}, which is not set`);
    }
    const value = fromFlag ?? nonBlank(vars[spec.env]) ?? (varName ? nonBlank(vars[varName]) : undefined) ?? (profile[spec.profileKey] as string | undefined);
    if (value === undefined) {
      if (spec.required) throw new UsageError(`no ${spec.label} for ${dataset.name}: set ${spec.env}, or use a profile with ${spec.profileKey}_env`);
      continue;
    }
    if (/[\x00-\x1f\x7f]/.test(value)) throw new UsageError(`the ${spec.label} contains control characters`);
    credentials[spec.name] = value;
    if (spec.secret) registerSecret(value);
  }
  if (flags.apiKey !== undefined) warnings.push('--api-key puts the key where other processes can see it (ps, shell history); prefer MBUZZ_API_KEY or a profile with api_key_env');

  return {
    dataset,
    from,
    to,
    today,
    channels: channels ? [...new Set(channels)] : undefined,
    funnel,
    customer: flags.customer,
    params,
    format,
    output,
    gzip,
    columns,
    projected: fields !== undefined,
    csvSafe: flags.csvSafe ?? false,
    perPage,
    concurrency: flags.concurrency ?? profile.concurrency ?? DEFAULTS.concurrency,
    maxRows: flags.maxRows,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    credentials,
    retries: flags.retries ?? profile.retries ?? DEFAULTS.retries,
    timeoutMs: (flags.timeoutSeconds ?? profile.timeout ?? DEFAULTS.timeoutSeconds) * 1000,
    quiet: flags.quiet ?? false,
    verbose: flags.verbose ?? false,
    progress: flags.progress ?? true,
    profileName: selected?.name,
    warnings,
  };
}

/**
 * The format an output name asks for: `.ndjson`/`.jsonl`/`.csv`/`.parquet`, plus `.gz` for text.
 * `foreign` is an extension mbuzz does not write (`.zst`, `.tsv`, `.json`): refused rather than
 * filled with NDJSON under a name that promises something else. A name without an extension
 * (or whose last dot starts no word, as in `conv.2026-05-01`) asks for nothing.
 */
export function formatFromPath(path: string): { format?: Format; gzip: boolean; foreign?: string } {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const gzip = name.endsWith('.gz');
  const stem = gzip ? name.slice(0, -3) : name;
  const dot = stem.lastIndexOf('.');
  const ext = dot > 0 ? stem.slice(dot + 1) : '';
  const format: Format | undefined = ext === 'ndjson' || ext === 'jsonl' ? 'ndjson' : ext === 'csv' ? 'csv' : ext === 'parquet' ? 'parquet' : undefined;
  const foreign = format === undefined && /^[a-z][a-z0-9]{0,9}$/.test(ext) ? `.${ext}` : undefined;
  return foreign ? { format, gzip, foreign } : { format, gzip };
}

export { isLoopbackHost };

function checkBaseUrl(raw: string, insecureHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base-url ${JSON.stringify(raw)} is not a URL (expected e.g. https://mbuzz.co)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--base-url must be http(s), not ${url.protocol}`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !insecureHttp) {
    throw new UsageError(`refusing plain http:// to ${url.hostname}: the API key would cross the network in clear (use https, or --insecure-http)`);
  }
  if (url.search || url.hash) throw new UsageError('--base-url is the host root (e.g. https://mbuzz.co), without a query');
}

/** --param over the profile's params:, checked against the dataset's ParamSpecs, defaults filled. */
function resolveParams(
  dataset: DatasetDef,
  fromFlags: Record<string, string[]> | undefined,
  fromProfile: Record<string, string | string[]> | undefined,
  at: (key: string) => string,
): Record<string, string[]> {
  const specs = dataset.params ?? [];
  const merged: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(fromProfile ?? {})) merged[k] = Array.isArray(v) ? v : [v];
  for (const [k, v] of Object.entries(fromFlags ?? {})) merged[k] = v;
  for (const [name, values] of Object.entries(merged)) {
    const spec = specs.find((s) => s.name === name);
    const src = fromFlags?.[name] ? '--param' : at('params');
    if (!spec) {
      const known = specs.length ? `known: ${specs.map((s) => s.name).join(', ')}` : 'it takes none';
      throw new UsageError(`${src}: ${dataset.name} has no parameter ${JSON.stringify(name)} (${known})`);
    }
    if (values.length > 1 && !spec.multiple) throw new UsageError(`${src}: ${name} takes one value`);
    const bad = spec.choices ? values.find((v) => !spec.choices!.includes(v)) : undefined;
    if (bad !== undefined) throw new UsageError(`${src}: ${name}=${JSON.stringify(bad)} must be one of ${spec.choices!.join(', ')}`);
  }
  for (const spec of specs) {
    if (merged[spec.name] === undefined && spec.default !== undefined) merged[spec.name] = [spec.default];
    if (merged[spec.name] === undefined && spec.required) throw new UsageError(`${dataset.name} needs --param ${spec.name}=<value> (${spec.description})`);
  }
  return merged;
}

function requireFilter(dataset: DatasetDef, filter: DatasetDef['filters'][number], flag: string): void {
  if (!dataset.filters.includes(filter)) throw new UsageError(`${flag} does not apply to ${dataset.name}`);
}

function nonBlank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
