import { UsageError } from '../core/errors.js';
import { didYouMean, suggest } from '../core/suggest.js';

// The shape of a config file (snake_case, as users write it) and its validation. Errors name the
// file and the key path; unknown keys are warnings (with the nearest known key), so a newer file
// still works with an older mbuzz.

/**
 * What the providers' records allow in a profile. Config knows no provider itself: the layer
 * above builds this from the registry (providers/registry.ts `configSpec`), so a new API's keys
 * need no change here.
 */
export interface ConfigSpec {
  providers: readonly string[];
  /** Credential keys (`api_key`), each also valid as `<key>_env` naming a variable; `secret` ones are masked and watched. */
  credentials: readonly { key: string; secret: boolean }[];
}

export interface ProfileConfig {
  provider?: string;
  base_url?: string;
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
  /** The variable holding the password for `-o postgresql://` (no inline form: a password belongs in the environment or ~/.pgpass). */
  postgres_password_env?: string;
  /** Credentials, by the keys the providers declare (api_key, api_key_env, password, ...). */
  [credential: string]: unknown;
}

export interface ConfigFile {
  profile?: string;
  profiles: Record<string, ProfileConfig>;
}

/** Keys that hold a secret inline; each has an `<key>_env` sibling naming a variable instead. */
export function secretKeys(spec: ConfigSpec): string[] {
  return [...new Set(spec.credentials.filter((c) => c.secret).map((c) => c.key))];
}

type Kind = 'string' | 'posint' | 'strings' | 'provider' | 'params';
const COMMON_KEYS: Record<string, Kind> = {
  provider: 'provider',
  base_url: 'string',
  format: 'string',
  concurrency: 'posint',
  per_page: 'posint',
  retries: 'posint',
  timeout: 'posint',
  channels: 'strings',
  funnel: 'string',
  fields: 'strings',
  params: 'params',
  postgres_password_env: 'string',
};

function profileKeys(spec: ConfigSpec): Record<string, Kind> {
  const keys: Record<string, Kind> = { ...COMMON_KEYS };
  for (const c of spec.credentials) {
    keys[c.key] = 'string';
    keys[`${c.key}_env`] = 'string';
  }
  return keys;
}

export interface Validated {
  config: ConfigFile;
  warnings: string[];
}

export function validateConfig(raw: unknown, file: string, spec: ConfigSpec): Validated {
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
        config.profiles[name] = validateProfile(body, `profiles.${name}`, fail, warnings, file, spec);
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
  spec: ConfigSpec,
): ProfileConfig {
  if (!isObject(body)) fail(path, 'must be a mapping of settings');
  const kinds = profileKeys(spec);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const kind = Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    const at = `${path}.${key}`;
    if (!kind) {
      warnings.push(unknownKey(at, key, file, Object.keys(kinds)));
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
        if (typeof value !== 'string' || !spec.providers.includes(value)) {
          fail(at, `must be one of ${spec.providers.join(', ')} (got ${shown(value)})${typeof value === 'string' ? didYouMean(value, spec.providers) : ''}`);
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
