import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import { loadConfig } from '../../config/load.js';
import { secretKeys, type ConfigFile, type ProfileConfig } from '../../config/schema.js';
import { configSpec } from '../../providers/registry.js';
import { maskSecret } from '../../core/secrets.js';

export const profilesCommand: CommandSpec = {
  declare: (program: Command) => program.command('profiles').description('the profiles found, where, and which is active (secrets masked)'),
  async run(env: Env) {
    const spec = configSpec();
    const loaded = await loadConfig({ cwd: env.cwd, home: env.home, file: env.vars.MBUZZ_CONFIG, spec });
    for (const w of loaded.warnings) env.stderr.write(`mbuzz: warning: ${w}\n`);
    env.stdout.write(describeProfiles(loaded.config, loaded.file, env.vars, secretKeys(spec)));
    return 0;
  },
};

/** Pure: what `mbuzz profiles` prints. */
export function describeProfiles(config: ConfigFile, file: string | undefined, vars: Readonly<Record<string, string | undefined>>, secrets: readonly string[]): string {
  if (!file) return 'no config file found (searched .mbuzzrc*, mbuzz.config.*, package.json "mbuzz" up to your home directory, then ~/.config/mbuzz/)\n';
  const active = vars.MBUZZ_PROFILE?.trim() || config.profile;
  const activeWhy = vars.MBUZZ_PROFILE?.trim() ? 'MBUZZ_PROFILE' : 'profile: in the file';
  const lines = [`config: ${file}`];
  const names = Object.keys(config.profiles);
  if (names.length === 0) lines.push('no profiles defined');
  for (const name of names) {
    const p = config.profiles[name]!;
    const mark = name === active ? `* ${name} (active via ${activeWhy})` : `  ${name}`;
    lines.push(`${mark}  provider=${p.provider ?? 'mbuzz'}${p.base_url ? ` base_url=${p.base_url}` : ''}`);
    for (const key of secrets) {
      const src = secretSource(p, key, vars);
      if (src) lines.push(`      ${key}: ${src}`);
    }
    const settings = (['format', 'concurrency', 'per_page', 'channels', 'funnel', 'fields'] as const)
      .filter((k) => p[k] !== undefined)
      .map((k) => `${k}=${Array.isArray(p[k]) ? (p[k] as string[]).join(',') : String(p[k])}`);
    if (settings.length) lines.push(`      ${settings.join(' ')}`);
  }
  if (active && !names.includes(active)) lines.push(`active profile ${JSON.stringify(active)} is not defined`);
  return `${lines.join('\n')}\n`;
}

function secretSource(p: ProfileConfig, key: string, vars: Readonly<Record<string, string | undefined>>): string | undefined {
  const envName = p[`${key}_env`] as string | undefined;
  if (envName) {
    const v = vars[envName];
    return `from $${envName} (${v ? maskSecret(v) : 'not set'})`;
  }
  const inline = p[key] as string | undefined;
  return inline ? `inline ${maskSecret(inline)}` : undefined;
}
