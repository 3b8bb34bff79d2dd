import { promises as fsp } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { secretKeys, validateConfig, type ConfigFile, type ConfigSpec } from './schema.js';
import { planSearch, isCodeFile, type Candidate, type ConfigSource, type SearchInput } from './search.js';
import { importConfigCode, parseConfigText, readConfigText } from './read.js';
import { steeringKeys, whyUntrusted } from './trust.js';

export interface LoadedConfig {
  /** Absolute path of the file, or undefined when none was found. */
  file?: string;
  /** How it was found: named by --config or MBUZZ_CONFIG, or by the search of the project or user directory. */
  source?: ConfigSource;
  config: ConfigFile;
  warnings: string[];
  /** Every file looked for, in order (what `mbuzz profiles` lists when none was found). */
  searched: string[];
}

/** cwd, home, the environment (MBUZZ_CONFIG, XDG_CONFIG_HOME) and --config FILE; and what the providers allow in a profile. */
export type LoadOptions = SearchInput & { spec: ConfigSpec };

/**
 * The config file: the one named by --config or MBUZZ_CONFIG, else the first of the project
 * directory's and then the user config directory's data files (see search.ts). It is refused when
 * it is too big or expands too far (read.ts), and when it steers the key (base_url, secrets,
 * *_env) or is JavaScript while someone else could have written it (trust.ts).
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const plan = planSearch(options);
  const warnings = await unrunCode(plan.code);
  for (const candidate of plan.candidates) {
    const raw = await readCandidate(candidate);
    if (raw === undefined) continue;
    const { file, source } = candidate;
    const { config, warnings: schemaWarnings } = validateConfig(raw, file, options.spec);
    const secrets = secretKeys(options.spec);
    const steering = steeringKeys(config, secrets);
    if (steering.length > 0) {
      const why = await whyUntrusted(file);
      if (why !== undefined) throw new UsageError(`refusing config ${file}: it sets ${steering[0]}${steering.length > 1 ? ` (and ${steering.length - 1} more)` : ''}, but ${why}`);
    }
    warnings.push(...schemaWarnings, ...(await inlineSecretWarnings(config, file, secrets)));
    return { file, source, config, warnings, searched: plan.candidates.map((c) => c.file) };
  }
  return { config: { profiles: {} }, warnings, searched: plan.candidates.map((c) => c.file) };
}

/** The parsed content, or undefined when this candidate holds no mbuzz config and the search goes on. */
async function readCandidate({ file, source }: Candidate): Promise<unknown> {
  const named = source === '--config' || source === 'MBUZZ_CONFIG';
  if (isCodeFile(file)) {
    // Only a named file gets here (the search lists no code); it still must be yours before it runs.
    const why = await whyUntrusted(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new UsageError(`config file not found: ${file}`);
      throw new UsageError(`cannot read config ${file}: ${err.message}`);
    });
    if (why !== undefined) throw new UsageError(`refusing to run config ${file}: ${why}`);
    return (await importConfigCode(file)) ?? null;
  }
  const text = await readConfigText(file, named);
  if (text === undefined) return undefined;
  const parsed = parseConfigText(file, text);
  if (parsed === undefined && named) throw new UsageError(`config ${file} has no "mbuzz" key`);
  return parsed;
}

/** JavaScript config next to the data files ran on load before; now it is named in a warning, never run. */
async function unrunCode(files: string[]): Promise<string[]> {
  const found = await Promise.all(files.map((f) => fsp.lstat(f).then(() => f, () => undefined)));
  return found
    .filter((f): f is string => f !== undefined)
    .map((f) => `${f} not loaded: mbuzz runs JavaScript config only from a file named with --config or MBUZZ_CONFIG`);
}

/** A secret written into a file that others can read is a leak waiting to happen. */
async function inlineSecretWarnings(config: ConfigFile, file: string, keys: readonly string[]): Promise<string[]> {
  let mode: number;
  try {
    mode = (await fsp.stat(file)).mode;
  } catch {
    return [];
  }
  if ((mode & 0o044) === 0) return [];
  const out: string[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    for (const key of keys) {
      if (profile[key] !== undefined) {
        out.push(`${file} holds profiles.${name}.${key} inline and is readable by others: chmod 600 it, or use ${key}_env`);
      }
    }
  }
  return out;
}
