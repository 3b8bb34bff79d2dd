import fs from 'node:fs';
import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { UsageError } from '../core/errors.js';
import { secretKeys, validateConfig, type ConfigFile, type ConfigSpec } from './schema.js';

export interface LoadedConfig {
  /** Absolute path of the file, or undefined when none was found. */
  file?: string;
  config: ConfigFile;
  warnings: string[];
}

export interface LoadOptions {
  cwd: string;
  home: string;
  /** An explicit file (MBUZZ_CONFIG): skips the search. */
  file?: string;
  /** The profile keys and providers the registry allows. */
  spec: ConfigSpec;
}

/**
 * cosmiconfig's global strategy: package.json `mbuzz`, .mbuzzrc[.json|.yaml|.yml|.js|.cjs|.mjs],
 * mbuzz.config.* from the working directory up to home, then ~/.config/mbuzz/.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const explorer = cosmiconfig('mbuzz', { searchStrategy: 'global', stopDir: options.home });
  let found: { filepath: string; config: unknown; isEmpty?: boolean } | null;
  try {
    found = options.file ? await explorer.load(path.resolve(options.cwd, options.file)) : await explorer.search(options.cwd);
  } catch (err) {
    throw new UsageError(describeLoadError(err, options.file));
  }
  if (!found) return { config: { profiles: {} }, warnings: [] };
  const file = found.filepath;
  const { config, warnings } = validateConfig(found.config, file, options.spec);
  warnings.push(...inlineSecretWarnings(config, file, secretKeys(options.spec)));
  return { file, config, warnings };
}

/** A secret written into a file that others can read is a leak waiting to happen. */
function inlineSecretWarnings(config: ConfigFile, file: string, keys: readonly string[]): string[] {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
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

function describeLoadError(err: unknown, file?: string): string {
  const e = err as { message?: string; filepath?: string; mark?: { line?: number }; reason?: string; code?: string };
  if (e.code === 'ENOENT') return `config file not found: ${file}`;
  const where = e.filepath ?? file ?? 'config';
  const message = e.message ?? String(err);
  // js-yaml: the reason, and a 0-based line in `mark`.
  if (typeof e.reason === 'string' && e.mark?.line !== undefined) return `cannot read config ${where} (line ${e.mark.line + 1}): ${e.reason}`;
  // cosmiconfig's JSON errors: "JSON Error in FILE:", a code frame whose "> N |" marks the line, then the reason.
  const line = /^>\s*(\d+)\s*\|/m.exec(message)?.[1];
  const reason = message
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !/^(?:>\s*)?\d*\s*\|/.test(l) && !/^(?:JSON|YAML) Error in /i.test(l))
    ?.replace(/ while parsing .*$/, '');
  return `cannot read config ${where}${line ? ` (line ${line})` : ''}: ${reason ?? message.split('\n')[0]}`;
}
