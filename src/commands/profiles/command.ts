import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import { streamLog } from '../../core/log.js';
import type { CommandSpec } from '../spec.js';

export const profilesCommand: CommandSpec = {
  declare: (program: Command) =>
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
      ),
  async run(env: Env, [raw]) {
    const { config, json } = raw as { config?: string; json?: boolean };
    // the config loader and the providers' specs load only when profiles are asked for
    const [{ loadConfig }, { secretKeys }, { configSpec }, describe] = await Promise.all([
      import('../../config/load.js'),
      import('../../config/schema.js'),
      import('../../providers/registry.js'),
      import('./describe.js'),
    ]);
    const spec = configSpec();
    const loaded = await loadConfig({ cwd: env.cwd, home: env.home, vars: env.vars, flag: config, spec });
    const view = describe.viewProfiles(loaded, env.vars, secretKeys(spec));
    // Warnings go to stderr either way (and into the JSON document, for a script that keeps them).
    for (const w of loaded.warnings) streamLog(env.stderr).write('warning', w);
    env.stdout.write(json ? describe.renderProfilesJson(view) : describe.renderProfilesText(view));
    return 0;
  },
};
