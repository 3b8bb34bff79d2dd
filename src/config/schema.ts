import { UsageError } from '../cli/errors.js';
import { didYouMean, suggest } from '../suggest.js';

// The shape of a config file (snake_case, as users write it) and its validation. Errors name the
// file and the key path; unknown keys are warnings (with the nearest known key), so a newer file
// still works with an older mbuzz.

export const PROVIDERS = ['mbuzz', 'mixpanel', 'sealmetrics', 'atribu', 'attributionhub'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ProfileConfig {
  provider?: ProviderName;
  base_url?: string;
  api_key?: string;
  api_key_env?: string;
  api_secret?: string;
  api_secret_env?: string;
  username?: string;
  username_env?: string;
  password?: string;
  password_env?: string;
  email?: string;
  email_env?: string;
  project_id?: string;
  account_id?: string;
  format?: string;
  concurrency?: number;
  per_page?: number;
  retries?: number;
  timeout?: number;
  channels?: string[];
  funnel?: string;
  fields?: string[];
  /** Provider-specific parameters, as --param gives them. */
  params?: Record<string, string | string[]>;
  project_id_env?: string;
  account_id_env?: string;
}

export interface ConfigFile {
  profile?: string;
  profiles: Record<string, ProfileConfig>;
}

/** Keys that hold a secret inline; each has an `<key>_env` sibling naming a variable instead. */
export const SECRET_KEYS = ['api_key', 'api_secret', 'password'] as const;

type Kind = 'string' | 'posint' | 'strings' | 'provider' | 'params';
const PROFILE_KEYS: Record<keyof ProfileConfig, Kind> = {
  provider: 'provider',
  base_url: 'string',
  api_key: 'string',
  api_key_env: 'string',
  api_secret: 'string',
  api_secret_env: 'string',
  username: 'string',
  username_env: 'string',
  password: 'string',
  password_env: 'string',
  email: 'string',
  email_env: 'string',
  project_id: 'string',
  account_id: 'string',
  format: 'string',
  concurrency: 'posint',
  per_page: 'posint',
  retries: 'posint',
  timeout: 'posint',
  channels: 'strings',
  funnel: 'string',
  fields: 'strings',
  params: 'params',
  project_id_env: 'string',
  account_id_env: 'string',
};

export interface Validated {
  config: ConfigFile;
  warnings: string[];
}

export function validateConfig(raw: unknown, file: string): Validated {
  const warnings: string[] = [];
  const fail = (key: string, msg: string): never => {
    throw new UsageError(`${file}: ${key} ${msg}`);
  };
  if (raw === null || raw === undefined) return { config: { profiles: {} }, warnings };
  if (!isObject(raw)) fail('(top level)', 'must be a mapping with `profiles:`');
  const top = raw as Record<string, unknown>;
  // No prototype: a profile called `__proto__` or `toString` is just a name (and an unknown one).
  const config: ConfigFile = { profiles: Object.create(null) as ConfigFile['profiles'] };
  for (const [key, value] of Object.entries(top)) {
    if (key === 'profile') {
      if (typeof value !== 'string' || value === '') fail('profile', 'must be a profile name');
      config.profile = value as string;
    } else if (key === 'profiles') {
      if (!isObject(value)) fail('profiles', 'must be a mapping of profile names to settings');
      for (const [name, body] of Object.entries(value as Record<string, unknown>)) {
        config.profiles[name] = validateProfile(body, `profiles.${name}`, fail, warnings, file);
      }
    } else {
      warnings.push(unknownKey(key, key, file, TOP_KEYS));
    }
  }
  if (config.profile !== undefined && !Object.hasOwn(config.profiles, config.profile)) {
    const have = Object.keys(config.profiles);
    fail('profile', `names "${config.profile}", which is not under profiles:${didYouMean(config.profile, have) || ` (have: ${have.join(', ') || 'none'})`}`);
  }
  return { config, warnings };
}

function validateProfile(
  body: unknown,
  path: string,
  fail: (key: string, msg: string) => never,
  warnings: string[],
  file: string,
): ProfileConfig {
  if (!isObject(body)) fail(path, 'must be a mapping of settings');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const kind = Object.hasOwn(PROFILE_KEYS, key) ? (PROFILE_KEYS as Record<string, Kind>)[key] : undefined;
    const at = `${path}.${key}`;
    if (!kind) {
      warnings.push(unknownKey(at, key, file, Object.keys(PROFILE_KEYS)));
      continue;
    }
    switch (kind) {
      case 'string':
        if (typeof value !== 'string' || value === '') fail(at, 'must be a non-empty string');
        break;
      case 'posint':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(at, `must be a positive integer (got ${shown(value)})`);
        break;
      case 'strings':
        if (typeof value === 'string') {
          out[key] = value.split(',').map((s) => s.trim()).filter(Boolean);
          continue;
        }
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(at, 'must be a list of strings');
        break;
      case 'params': {
        if (!isObject(value)) fail(at, 'must be a mapping of parameter names to values');
        const ok = Object.values(value as Record<string, unknown>).every(
          (v) => ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))),
        );
        if (!ok) fail(at, 'values must be strings, numbers or lists of them');
        out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
        continue;
      }
      case 'provider':
        if (typeof value !== 'string' || !(PROVIDERS as readonly string[]).includes(value)) {
          fail(at, `must be one of ${PROVIDERS.join(', ')} (got ${shown(value)})${typeof value === 'string' ? didYouMean(value, PROVIDERS) : ''}`);
        }
        break;
    }
    out[key] = value;
  }
  return out as ProfileConfig;
}

const TOP_KEYS = ['profile', 'profiles'];

/** A bad value as it appears in an error: a scalar in full, a list or mapping only by its kind (it may be huge). */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "unknown key `profiles.prod.basurl` in FILE (ignored; did you mean base_url?)". */
function unknownKey(at: string, key: string, file: string, known: string[]): string {
  const near = suggest(key, known);
  return `unknown key \`${at}\` in ${file} (ignored${near === undefined ? '' : `; did you mean ${near}?`})`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
