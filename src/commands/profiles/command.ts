import type { Command } from 'commander';
import type { Env } from '../../cli/env.js';
import type { CommandResult } from '../../cli/program.js';
import { loadConfig } from '../../config/load.js';
import { renderProfilesJson, renderProfilesText, viewProfiles } from './describe.js';

export function registerProfiles(program: Command, env: Env, result: CommandResult): void {
  program
    .command('profiles')
    .description('the profiles found, where, and which is active (secrets masked)')
    .option('--config <file>', 'read this config file instead of searching (or MBUZZ_CONFIG); the only way to use a .js/.mjs/.cjs config')
    .option('--json', 'print the same as one JSON document (for scripts)')
    .addHelpText(
      'after',
      `
Without --config or MBUZZ_CONFIG, the first of these is used (never a parent directory's):
  ./package.json ("mbuzz" key), ./.mbuzzrc, ./.mbuzzrc.json, ./.mbuzzrc.yaml, ./.mbuzzrc.yml
  $XDG_CONFIG_HOME/mbuzz/ or ~/.config/mbuzz/: config, config.json, config.yaml, config.yml
A file that sets base_url, a secret or an *_env name is refused (exit 2) if others could write it.`,
    )
    .action(async (raw: { config?: string; json?: boolean }) => {
      const loaded = await loadConfig({ cwd: env.cwd, home: env.home, vars: env.vars, flag: raw.config });
      const view = viewProfiles(loaded, env.vars);
      // Warnings go to stderr either way (and into the JSON document, for a script that keeps them).
      for (const w of loaded.warnings) env.stderr.write(`mbuzz: warning: ${w}\n`);
      env.stdout.write(raw.json ? renderProfilesJson(view) : renderProfilesText(view));
      result.code = 0;
    });
}
