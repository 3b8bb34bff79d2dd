import { Option, type Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import type { Provider } from '../../providers/types.js';
import type { RawExportFlags } from './options.js';

/** The providers' records, loaded by prepareHelp only when help is asked for (not by every start). */
let providers: readonly Provider[] = [];

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export const exportCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('export')
      .description('pull every row of a dataset (see `mbuzz datasets`) to NDJSON, CSV or Parquet')
      .argument('<dataset>', 'conversions, funnel, spend, <provider>:<dataset>, or all (with -o DIR)')
      .option('--from <date>', 'first UTC day: YYYY-MM-DD, today or yesterday (inclusive); alone it runs to yesterday')
      .option('--to <date>', 'last UTC day: YYYY-MM-DD, today or yesterday (inclusive); needs --from')
      .option('--range <days>', 'instead of dates: the last N complete UTC days, ending yesterday, e.g. 7d, 30d, 90d (default 30d)')
      .option('--include-today', 'add today, whose rows are still changing, to --range or --from alone')
      .option('--channel <name>', 'only these channels; repeatable or comma-separated', collect)
      .option('--funnel <name>', 'only this funnel (conversions, funnel)')
      .option('--customer <id>', 'customer id (atribu:journey)')
      .option('--param <name=value>', "a provider-specific parameter (see `mbuzz datasets`); repeatable", collect)
      .option('-f, --format <format>', 'ndjson | csv | parquet (default: from -o, else ndjson)')
      .option('-o, --output <path>', 'write here, atomically (default: stdout); .gz compresses text formats')
      .option('--fields <list>', 'only these columns, in this order (comma-separated)')
      .option('--per-page <n>', 'rows per request, 1-1000 (default 1000)')
      .option('--concurrency <n>', 'requests in flight at once (default 4)')
      .option('--max-rows <n>', 'stop after this many rows')
      .option('--profile <name>', 'use this profile from the config file (or MBUZZ_PROFILE)')
      .option('--config <file>', 'read this config file instead of searching (or MBUZZ_CONFIG); the only way to use a .js/.mjs/.cjs config')
      .option('--base-url <url>', 'API host root, e.g. https://mbuzz.co (or MBUZZ_BASE_URL)')
      .option('--api-key <key>', 'API key (prefer MBUZZ_API_KEY: flags are visible to other processes)')
      .option('--retries <n>', 'retries per request on 429/5xx/resets (default 5)')
      .option('--timeout <seconds>', 'deadline for each request attempt: the whole response, headers and body, must arrive within it, or the attempt is retried (default 60)')
      .option('--state <file>', 'incremental runs: export from the last complete day recorded here to yesterday, then record it')
      .option('--lookback <days>', 'with --state: also re-read this many recent days (late data, attribution reruns)')
      .option('--partition-by <field>', 'date: write -o DIR as DIR/date=YYYY-MM-DD/part-0000.<ext>, each day replaced whole')
      .option('--replace-export', 'with --partition-by: -o DIR holds another export (filters, --fields, format); make it this one, replacing or removing those partitions')
      .option('--manifest', 'write a JSON manifest beside the output (always on with --partition-by and export all)')
      .option('--shard <i/n>', 'one of N parallel workers: export the I-th of N contiguous blocks of the --from..--to days (docs/orchestration.md)')
      .option('--datasets <list>', 'with `export all`: which datasets (default: conversions, funnel, spend)')
      .option('--csv-safe', "CSV for spreadsheets: cells starting with = + - @ tab or CR get a leading ' (no formula injection)")
      .option('--resume', 'continue an interrupted export to the same -o FILE from its checkpoint')
      .option('--insecure-http', 'allow plain http:// to a host other than this machine')
      .option('-q, --quiet', 'no summary or warnings on stderr')
      .option('-v, --verbose', 'one stderr line per request (secrets masked)')
      .option('--no-progress', 'no progress spinner')
      .option('--dry-run', 'print the plan and write nothing: windows, requests, rows where counting is cheap, quota use, ETA (sends only what counting costs; `mbuzz datasets NAME` says what)')
      .option('--json', 'with --dry-run: the plan as one JSON document on stdout')
      .option('--report <file>', 'when the run ends, however it ends, write one JSON report here (- for stderr): exit code and reason, windows with rows and API totals, requests, retries, files with sha256')
      .addOption(new Option('--log-format <format>', 'json: every stderr line one JSON object {"level","msg",...}, spinner off (default: text)').choices(['text', 'json']))
      // A function: the providers' lines are built only when this help is shown (see prepareHelp).
      .addHelpText(
      'after',
      () => `
Examples:
  mbuzz export conversions --from 2026-04-01 --to 2026-05-14 -o conv.parquet
  MBUZZ_API_KEY=sk_live_... mbuzz export funnel --range 7d | jq -c 'select(.type=="conversion")'
  mbuzz export spend --channel paid_search,paid_social -o spend.csv

Dates are inclusive UTC days. Each provider maps them onto its own parameters:
${providers.map((p) => `  ${p.title}: ${p.dates}`).join('\n')}
\`mbuzz datasets\` says how for each dataset, with its --param names.
mixpanel:events and mixpanel:funnels without --param event=/funnel= export every event/funnel
(the names Mixpanel's events/names and funnels/names list).

Before a big pull, --dry-run shows the windows, the requests and rows where the API counts them
cheaply, each provider's quota use and an ETA; \`mbuzz datasets NAME\` says what it can know there.
For schedulers: --report FILE (one JSON document, written whatever the outcome) and
--log-format json (one JSON object per stderr line).

Exit codes: 0 ok, 1 unexpected, 2 usage/config, 3 auth, 4 rejected/quota, 5 server/network,
6 data integrity, 75 busy (another run holds the target), 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.`,
      ),
  async prepareHelp() {
    providers = (await import('../../providers/registry.js')).PROVIDERS;
  },
  async run(env: Env, args, cmd, invocation) {
    const [dataset, raw] = args as [string, RawExportFlags];
    // the flag parser, the pipeline, providers' readers and the HTTP client load only when an export runs
    const { parseExportFlags, parseReportFlags } = await import('./options.js');
    // --report first: once its path is known to be writable, every later outcome is in the report
    const view = await parseReportFlags(dataset, raw);
    invocation.report.path = view.report;
    const progressGiven = cmd.getOptionValueSource('progress') === 'cli';
    const flags = parseExportFlags(dataset, raw, progressGiven);
    const { runExport } = await import('./run.js');
    return runExport(flags, env, { ...invocation, json: view.json });
  },
};
