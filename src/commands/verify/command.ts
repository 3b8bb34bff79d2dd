import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import { parseVerifyFlags, type RawVerifyFlags } from './options.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export const verifyCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('verify')
      .description("compare an export's rows per day with the API's counts now; --fix exports the days that differ again")
      .argument('<target>', 'what an export wrote: a -o DIR of date partitions, a file, s3://bucket/key, or postgresql://...?table=')
      .option('--fix', 'export the days that differ again into the same target, atomically, as `mbuzz export` would (a single file: its whole range)')
      .option('--from <date>', 'only check from this UTC day (YYYY-MM-DD, today or yesterday); default: every day the target covers')
      .option('--to <date>', 'only check up to this UTC day (needs --from); default with --from: yesterday')
      .option('--dataset <name>', 'the export, when nothing beside the target records it (a file without its .manifest.json)')
      .option('--channel <name>', "with --dataset: the export's --channel filter", collect)
      .option('--funnel <name>', "with --dataset: the export's --funnel filter")
      .option('--param <name=value>', "with --dataset: the export's --param values", collect)
      .option('--json', 'print every day checked as JSON')
      .option('--profile <name>', 'use this profile from the config file (or MBUZZ_PROFILE)')
      .option('--config <file>', 'read this config file instead of searching (or MBUZZ_CONFIG)')
      .option('--base-url <url>', 'API host root, e.g. https://mbuzz.co (or MBUZZ_BASE_URL)')
      .option('--api-key <key>', 'API key (prefer MBUZZ_API_KEY: flags are visible to other processes)')
      .option('--concurrency <n>', 'requests in flight at once (default 4)')
      .option('--retries <n>', 'retries per request on 429/5xx/resets (default 5)')
      .option('--timeout <seconds>', 'deadline for each request attempt (default 60)')
      .option('--insecure-http', 'allow plain http:// to a host other than this machine')
      .option('-q, --quiet', 'no notes or summary on stderr')
      .option('-v, --verbose', 'one stderr line per request (secrets masked)')
      .option('--no-progress', 'no progress spinner while --fix exports')
      .addHelpText(
        'after',
        `
Late attribution changes past days. verify asks the API for each day's current total, with the
export's own filters (one small request a day), and compares it with the rows the target holds:
the partition records and manifest mbuzz wrote, the rows of a file counted by day, or a
PostgreSQL table counted with SQL. Credentials come as for export (profile, environment).
mbuzz's datasets (conversions, funnel, spend) have such counts; other providers do not.

Examples:
  mbuzz verify out/conversions                      # a -o DIR --partition-by date export
  mbuzz verify out/conversions --fix                # re-export the days that differ
  mbuzz verify conv.csv --dataset conversions       # a file with no manifest beside it
  mbuzz verify 'postgresql://loader@db/analytics?table=raw.conversions' --fix

Exit codes: 0 every day matches (or --fix exported the ones that did not), 6 some days differ
(listed on stdout), 2 usage (nothing was sent), 3 auth, 4 rejected, 5 server/network.`,
      ),
  async run(env: Env, args, cmd) {
    const [target, raw] = args as [string, RawVerifyFlags];
    const request = parseVerifyFlags(target, raw, cmd.getOptionValueSource('progress') === 'cli');
    const { runVerify } = await import('./run.js');
    return runVerify(request, raw.json === true, env);
  },
};
