import type { Command } from 'commander';
import type { Env } from '../../cli/env.js';
import type { CommandResult } from '../../cli/program.js';
import { loadConfig } from '../../config/load.js';
import { SECRET_KEYS, type ConfigFile, type ProfileConfig } from '../../config/schema.js';
import { maskSecret, maskUrlUserinfo } from '../../secrets.js';

export function registerProfiles(program: Command, env: Env, result: CommandResult): void {
  program
    .command('profiles')
    .description('the profiles found, where, and which is active (secrets masked)')
    .action(async () => {
      const loaded = await loadConfig({ cwd: env.cwd, home: env.home, file: env.vars.MBUZZ_CONFIG });
      for (const w of loaded.warnings) env.stderr.write(`mbuzz: warning: ${w}\n`);
      env.stdout.write(describeProfiles(loaded.config, loaded.file, env.vars));
      result.code = 0;
    });
}

/** Pure: what `mbuzz profiles` prints. */
export function describeProfiles(config: ConfigFile, file: string | undefined, vars: Readonly<Record<string, string | undefined>>): string {
  if (!file) return 'no config file found (searched .mbuzzrc*, mbuzz.config.*, package.json "mbuzz" up to your home directory, then ~/.config/mbuzz/)\n';
  const active = vars.MBUZZ_PROFILE?.trim() || config.profile;
  const activeWhy = vars.MBUZZ_PROFILE?.trim() ? 'MBUZZ_PROFILE' : 'profile: in the file';
  const lines = [`config: ${file}`];
  const names = Object.keys(config.profiles);
  if (names.length === 0) lines.push('no profiles defined');
  for (const name of names) {
    const p = config.profiles[name]!;
    const mark = name === active ? `* ${name} (active via ${activeWhy})` : `  ${name}`;
    lines.push(`${mark}  provider=${p.provider ?? 'mbuzz'}${p.base_url ? ` base_url=${maskUrlUserinfo(p.base_url)}` : ''}`);
    for (const key of SECRET_KEYS) {
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

function secretSource(p: ProfileConfig, key: (typeof SECRET_KEYS)[number], vars: Readonly<Record<string, string | undefined>>): string | undefined {
  const envName = p[`${key}_env`];
  if (envName) {
    const v = vars[envName];
    return `from $${envName} (${v ? maskSecret(v) : 'not set'})`;
  }
  const inline = p[key];
  return inline ? `inline ${maskSecret(inline)}` : undefined;
}
