import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import type { ProfileConfig } from '../../config/schema.js';
import type { ConfigSource } from '../../config/search.js';
import { maskSecret, maskUrlUserinfo } from '../../core/secrets.js';

// What `mbuzz profiles` reports, as one pure model; the text and --json views both render it, so
// they cannot disagree. Secrets appear only masked; base_url userinfo is masked too.

type Vars = Readonly<Record<string, string | undefined>>;

export interface SecretView {
  /** inline: written in the file; env: the file names a variable. */
  source: 'inline' | 'env';
  variable?: string;
  set: boolean;
  masked: string | null;
}

export interface ProfileView {
  name: string;
  file: string;
  active: boolean;
  provider: string;
  base_url: string | null;
  secrets: Record<string, SecretView>;
  /** Every other key as written (format, channels, *_env names of non-secrets, params, ...). */
  settings: Record<string, unknown>;
}

export interface ProfilesView {
  config: { file: string; found_by: ConfigSource } | null;
  searched: string[];
  active: { name: string; source: 'MBUZZ_PROFILE' | 'file'; defined: boolean } | null;
  profiles: ProfileView[];
  warnings: string[];
}

const FOUND_BY: Record<ConfigSource, string> = {
  '--config': 'named by --config',
  MBUZZ_CONFIG: 'named by MBUZZ_CONFIG',
  project: 'found in the project directory',
  user: 'found in the user config directory',
};

export function viewProfiles(loaded: LoadedConfig, vars: Vars, secretKeys: readonly string[]): ProfilesView {
  const { config, file } = loaded;
  const fromEnv = vars.MBUZZ_PROFILE?.trim() || undefined;
  const activeName = fromEnv ?? config.profile;
  const names = Object.keys(config.profiles);
  return {
    config: file ? { file, found_by: loaded.source ?? 'project' } : null,
    searched: loaded.searched,
    active: activeName ? { name: activeName, source: fromEnv ? 'MBUZZ_PROFILE' : 'file', defined: names.includes(activeName) } : null,
    profiles: names.map((name) => viewProfile(name, config.profiles[name]!, file!, name === activeName, vars, secretKeys)),
    warnings: loaded.warnings,
  };
}

function viewProfile(name: string, p: ProfileConfig, file: string, active: boolean, vars: Vars, keys: readonly string[]): ProfileView {
  const secrets: Record<string, SecretView> = {};
  const settings: Record<string, unknown> = {};
  const secretKeys = new Set<string>(keys.flatMap((k) => [k, `${k}_env`]));
  for (const key of keys) {
    const variable = p[`${key}_env`] as string | undefined;
    if (variable) {
      const value = vars[variable];
      secrets[key] = { source: 'env', variable, set: Boolean(value), masked: value ? maskSecret(value) : null };
    } else if (typeof p[key] === 'string') {
      secrets[key] = { source: 'inline', set: true, masked: maskSecret(p[key] as string) };
    }
  }
  for (const [key, value] of Object.entries(p)) {
    if (!secretKeys.has(key) && key !== 'provider' && key !== 'base_url') settings[key] = value;
  }
  return { name, file, active, provider: p.provider ?? 'mbuzz', base_url: p.base_url ? maskUrlUserinfo(p.base_url) : null, secrets, settings };
}

export function renderProfilesJson(view: ProfilesView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

export function renderProfilesText(view: ProfilesView): string {
  if (!view.config) return `no config file found; looked for ${describeSearched(view.searched)} (or name one with --config FILE)\n`;
  const lines = [`config: ${view.config.file} (${FOUND_BY[view.config.found_by]})`];
  if (view.profiles.length === 0) lines.push('no profiles defined');
  const via = view.active?.source === 'MBUZZ_PROFILE' ? 'MBUZZ_PROFILE' : 'profile: in the file';
  for (const p of view.profiles) {
    const mark = p.active ? `* ${p.name} (active via ${via})` : `  ${p.name}`;
    lines.push(`${mark}  provider=${p.provider}${p.base_url ? ` base_url=${p.base_url}` : ''}`);
    for (const [key, s] of Object.entries(p.secrets)) {
      lines.push(`      ${key}: ${s.source === 'env' ? `from $${s.variable} (${s.masked ?? 'not set'})` : `inline ${s.masked}`}`);
    }
    const shown = (['format', 'concurrency', 'per_page', 'channels', 'funnel', 'fields'] as const)
      .filter((k) => p.settings[k] !== undefined)
      .map((k) => `${k}=${Array.isArray(p.settings[k]) ? (p.settings[k] as string[]).join(',') : String(p.settings[k])}`);
    if (shown.length) lines.push(`      ${shown.join(' ')}`);
  }
  if (view.active && !view.active.defined) lines.push(`active profile ${JSON.stringify(view.active.name)} is not defined`);
  return `${lines.join('\n')}\n`;
}

/** "package.json ("mbuzz" key), .mbuzzrc, ... in /proj, then config, ... in ~/.config/mbuzz". */
function describeSearched(files: string[]): string {
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const base = path.basename(f);
    const list = byDir.get(path.dirname(f)) ?? byDir.set(path.dirname(f), []).get(path.dirname(f))!;
    list.push(base === 'package.json' ? 'package.json ("mbuzz" key)' : base);
  }
  return [...byDir].map(([dir, names]) => `${names.join(', ')} in ${dir}`).join(', then ');
}
