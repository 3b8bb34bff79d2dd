import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS } from '../../src/providers/registry.js';
import { BROKEN_MODES } from '../../src/sandbox/broken.js';
import { LIVE_KEY, runCli, startSandbox, tempDir, TEST_KEY, type Sandbox } from './harness.js';

// Issue 6.1: bad input fails loudly, precisely and before anything is sent. Each case runs the
// real CLI against a real sandbox and checks the exit code, the exact single line on stderr (no
// stack, no second line), that the sandbox saw no request at all, and that nothing was left
// behind in the case's directory (no temp file, no partial output).

interface Ctx {
  /** The case's own empty directory (also cwd and HOME, so no stray config is found). */
  dir: string;
  url: string;
}

interface Case {
  name: string;
  args: (c: Ctx) => string[];
  /** Added to MBUZZ_BASE_URL=<sandbox> and MBUZZ_API_KEY=<test key>; undefined removes one. */
  env?: (c: Ctx) => Record<string, string | undefined>;
  /** Files to create in the case directory first: name -> text (and mode). */
  files?: Record<string, string | { text: string; mode: number }>;
  /** Prepare the directory; return a reason to skip the case when the machine cannot. */
  setup?: (c: Ctx) => string | undefined;
  code: number;
  /** The whole of stderr minus its final newline, or a pattern for the one line. */
  stderr: string | RegExp | ((c: Ctx) => string);
}

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const datasetNames = () => DATASETS.map((d) => d.name).join(', ');
const CHANNELS = 'paid_search, organic_search, paid_social, organic_social, email, display, affiliate, referral, video, ai, direct, other';
const baseUrlOf = (provider: string, url: string) => `${url}/${provider}`;
const exp = (...rest: string[]) => (): string[] => ['export', 'conversions', ...rest];

/**
 * Nine lists of nine aliases of the previous list, ten deep: 9^10 strings once expanded. Under
 * concurrency, because the old loader quoted the bad value in its error with JSON.stringify, which
 * expanded every alias (3.1 GB).
 */
function billionLaughs(): string {
  const lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`lol${i}: &lol${i} [${Array(9).fill(`*lol${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nprofiles:\n  p:\n    concurrency: *lol9\n`;
}

const CASES: Case[] = [
  // --- dates -------------------------------------------------------------------------------
  { name: 'inverted dates', args: exp('--from', '2026-05-10', '--to', '2026-05-01'), code: 2, stderr: 'mbuzz: --from 2026-05-10 is after --to 2026-05-01' },
  { name: 'February 30th', args: exp('--from', '2026-02-30', '--to', '2026-03-01'), code: 2, stderr: 'mbuzz: --from "2026-02-30" is not a calendar date' },
  { name: 'February 29th of a common year', args: exp('--from', '2026-02-29'), code: 2, stderr: 'mbuzz: --from "2026-02-29" is not a calendar date' },
  { name: 'month 13 in --to', args: exp('--from', '2026-01-01', '--to', '2026-13-01'), code: 2, stderr: 'mbuzz: --to "2026-13-01" is not a calendar date' },
  { name: 'day 00', args: exp('--from', '2026-01-00'), code: 2, stderr: 'mbuzz: --from "2026-01-00" is not a calendar date' },
  // The server's lenient Date.parse would take these (api-contracts/mbuzz.md §2); mbuzz does not.
  { name: 'a date without dashes', args: exp('--from', '20260501'), code: 2, stderr: 'mbuzz: --from "20260501" must be YYYY-MM-DD, today or yesterday' },
  { name: 'an unpadded date', args: exp('--from', '2026-5-1'), code: 2, stderr: 'mbuzz: --from "2026-5-1" must be YYYY-MM-DD, today or yesterday' },
  { name: 'a US date', args: exp('--from', '05/01/2026'), code: 2, stderr: 'mbuzz: --from "05/01/2026" must be YYYY-MM-DD, today or yesterday' },
  { name: 'a word for a date', args: exp('--from', 'tomorrow'), code: 2, stderr: 'mbuzz: --from "tomorrow" must be YYYY-MM-DD, today or yesterday' },
  { name: '--include-today with --to', args: exp('--from', '2026-05-01', '--to', '2026-05-02', '--include-today'), code: 2, stderr: 'mbuzz: --include-today goes with --range or --from alone: --to already says which day is last' },
  { name: '--include-today with --state', args: (c) => ['export', 'conversions', '--state', join(c.dir, 's.json'), '--include-today'], code: 2, stderr: 'mbuzz: --state records complete days only: drop --include-today' },
  { name: 'a timestamp for a date', args: exp('--from', '2026-05-01T00:00:00Z'), code: 2, stderr: 'mbuzz: --from "2026-05-01T00:00:00Z" must be YYYY-MM-DD, today or yesterday' },
  { name: '--from in the future', args: exp('--from', '2099-01-01'), code: 2, stderr: () => `mbuzz: --from 2099-01-01 is after yesterday (${yesterday()}, UTC), the last complete day (--include-today adds today)` },
  { name: '--to alone', args: exp('--to', '2026-05-01'), code: 2, stderr: 'mbuzz: --to needs --from (or use --range)' },
  { name: '--range with --from', args: exp('--range', '7d', '--from', '2026-01-01'), code: 2, stderr: 'mbuzz: --range cannot be combined with --from/--to' },
  { name: '--range 0d', args: exp('--range', '0d'), code: 2, stderr: 'mbuzz: --range "0d" must be a number of days such as 7d, 30d or 90d' },
  { name: '--range without a unit', args: exp('--range', '7'), code: 2, stderr: 'mbuzz: --range "7" must be a number of days such as 7d, 30d or 90d' },
  { name: '--range in weeks', args: exp('--range', '2w'), code: 2, stderr: 'mbuzz: --range "2w" must be a number of days such as 7d, 30d or 90d' },

  // --- dataset, format, channel, filters, fields ----------------------------------------------
  ...['x.zst', 'x.tsv', 'x.json', 'x.tsv.gz'].map((name): Case => ({
    name: `-o ${name}: an extension mbuzz does not write`,
    args: exp('-o', name),
    code: 2,
    stderr: `mbuzz: -o ${name}: mbuzz does not write .${name.split('.')[1]} files; name the output .ndjson, .jsonl, .csv or .parquet (text formats may add .gz), or give -f`,
  })),
  {
    // every dataset of `export all` is checked before the first one runs
    name: 'export all with a dataset missing its required --param',
    args: (c) => ['export', 'all', '-o', join(c.dir, 'out'), '--datasets', 'conversions,mixpanel:retention'],
    env: (c) => ({ MIXPANEL_BASE_URL: baseUrlOf('mixpanel', c.url), MIXPANEL_API_KEY: 'k', MIXPANEL_API_SECRET: 's' }),
    code: 2,
    stderr: /^mbuzz: mixpanel:retention needs --param event=<value>/,
  },
  { name: '--manifest without -o', args: exp('--manifest'), code: 2, stderr: 'mbuzz: --manifest needs -o FILE' },
  { name: 'unknown dataset', args: () => ['export', 'conversion'], code: 2, stderr: 'mbuzz: unknown dataset "conversion" (did you mean conversions?)' },
  { name: 'a typo in a provider dataset', args: () => ['export', 'mixpanel:evnets'], code: 2, stderr: 'mbuzz: unknown dataset "mixpanel:evnets" (did you mean mixpanel:events?)' },
  { name: 'unknown provider prefix', args: () => ['export', 'ga4:events'], code: 2, stderr: () => `mbuzz: unknown dataset "ga4:events" (known: ${datasetNames()}; see mbuzz datasets)` },
  { name: 'unknown format', args: exp('-f', 'xml'), code: 2, stderr: 'mbuzz: --format "xml" must be one of ndjson, csv, parquet' },
  { name: 'format against the extension', args: (c) => ['export', 'conversions', '-f', 'csv', '-o', join(c.dir, 'x.parquet')], code: 2, stderr: (c) => `mbuzz: --format csv conflicts with the output file's extension (${join(c.dir, 'x.parquet')})` },
  { name: 'gzip around parquet', args: (c) => ['export', 'conversions', '-o', join(c.dir, 'x.parquet.gz')], code: 2, stderr: 'mbuzz: Parquet is compressed inside the file: drop the .gz from the output name' },
  { name: 'unknown channel', args: exp('--channel', 'email,tv'), code: 2, stderr: `mbuzz: --channel: unknown channel "tv" (valid: ${CHANNELS})` },
  { name: 'a channel in the wrong case', args: exp('--channel', 'Email'), code: 2, stderr: 'mbuzz: --channel: unknown channel "Email" (did you mean email?)' },
  { name: 'a channel typo', args: exp('--channel', 'paid_search,emial'), code: 2, stderr: 'mbuzz: --channel: unknown channel "emial" (did you mean email?)' },
  { name: 'a channel typo and an unknown channel', args: exp('--channel', 'emial,tv'), code: 2, stderr: `mbuzz: --channel: unknown channel "emial" (did you mean email?), "tv" (valid: ${CHANNELS})` },
  { name: '--funnel on spend', args: () => ['export', 'spend', '--funnel', 'sales'], code: 2, stderr: 'mbuzz: --funnel does not apply to spend' },
  { name: '--customer on conversions', args: exp('--customer', '42'), code: 2, stderr: 'mbuzz: --customer does not apply to conversions' },
  { name: 'unknown --param', args: exp('--param', 'sort=asc'), code: 2, stderr: 'mbuzz: --param: conversions has no parameter "sort" (it takes none)' },
  { name: '--param without =', args: exp('--param', 'sort'), code: 2, stderr: 'mbuzz: --param "sort" must be name=value' },
  { name: 'unknown --fields column', args: exp('--fields', 'date,revenu'), code: 2, stderr: /^mbuzz: --fields: conversions has no column "revenu" \(columns: date, type, name, .*\)$/ },
  { name: 'a column twice in --fields', args: exp('--fields', 'date,date'), code: 2, stderr: 'mbuzz: --fields names date twice' },
  { name: 'empty --fields', args: exp('--fields', ','), code: 2, stderr: 'mbuzz: --fields needs at least one column name' },

  // --- conflicting flags -------------------------------------------------------------------------
  { name: '--csv-safe with a format that is not CSV', args: (c) => ['export', 'conversions', '--csv-safe', '-o', join(c.dir, 'x.parquet')], code: 2, stderr: 'mbuzz: --csv-safe applies to CSV output, not parquet' },
  { name: '--quiet with --verbose', args: exp('--quiet', '--verbose'), code: 2, stderr: 'mbuzz: --quiet and --verbose cannot be combined' },
  { name: '--lookback without --state', args: exp('--lookback', '3'), code: 2, stderr: 'mbuzz: --lookback goes with --state' },
  { name: '--datasets without `export all`', args: exp('--datasets', 'spend'), code: 2, stderr: 'mbuzz: --datasets goes with `mbuzz export all`' },
  { name: '`export all` without -o', args: () => ['export', 'all'], code: 2, stderr: 'mbuzz: `mbuzz export all` needs -o DIR' },

  // --- numbers -----------------------------------------------------------------------------------
  { name: 'non-numeric --per-page', args: exp('--per-page', 'abc'), code: 2, stderr: 'mbuzz: --per-page "abc" must be a whole number' },
  { name: '--per-page 0 (the server would silently make it 1)', args: exp('--per-page', '0'), code: 2, stderr: 'mbuzz: --per-page 0 must be between 1 and 1000' },
  { name: '--per-page above the API maximum', args: exp('--per-page', '5000'), code: 2, stderr: 'mbuzz: --per-page 5000 must be between 1 and 1000' },
  { name: 'negative --concurrency', args: exp('--concurrency', '-3'), code: 2, stderr: 'mbuzz: --concurrency "-3" must be a whole number' },
  { name: '--max-rows in exponent form', args: exp('--max-rows', '1e3'), code: 2, stderr: 'mbuzz: --max-rows "1e3" must be a whole number' },
  { name: 'fractional --timeout', args: exp('--timeout', '1.5'), code: 2, stderr: 'mbuzz: --timeout "1.5" must be a whole number' },
  { name: '--retries out of range', args: exp('--retries', '99'), code: 2, stderr: 'mbuzz: --retries 99 must be between 0 and 20' },

  // --- output ------------------------------------------------------------------------------------
  { name: '-o into a missing directory', args: (c) => ['export', 'conversions', '-o', join(c.dir, 'nope', 'x.csv')], code: 2, stderr: (c) => `mbuzz: cannot write ${join(c.dir, 'nope', 'x.csv')}: directory ${join(c.dir, 'nope')} does not exist` },
  {
    name: '-o into an unwritable directory',
    setup: (c) => makeUnwritable(join(c.dir, 'ro')),
    args: (c) => ['export', 'conversions', '-o', join(c.dir, 'ro', 'x.csv')],
    code: 2,
    stderr: (c) => `mbuzz: cannot write ${join(c.dir, 'ro', 'x.csv')}: directory ${join(c.dir, 'ro')} is not writable`,
  },
  { name: '-o onto a directory', setup: (c) => void mkdirSync(join(c.dir, 'out.csv')), args: (c) => ['export', 'conversions', '-o', join(c.dir, 'out.csv')], code: 2, stderr: (c) => `mbuzz: cannot write ${join(c.dir, 'out.csv')}: it is a directory` },
  { name: '-o under a file', files: { 'file.txt': 'x' }, args: (c) => ['export', 'conversions', '-o', join(c.dir, 'file.txt', 'x.csv')], code: 2, stderr: (c) => `mbuzz: cannot write ${join(c.dir, 'file.txt', 'x.csv')}: ${join(c.dir, 'file.txt')} is not a directory` },

  // --- incremental runs and partition directories (nothing earlier is replaced silently) ---------
  {
    name: '--state into a single file',
    args: (c) => ['export', 'conversions', '--state', join(c.dir, 's.json'), '--lookback', '2', '-o', join(c.dir, 'one.ndjson')],
    code: 2,
    stderr: "mbuzz: --state with -o FILE would replace the earlier days in the file with the next run's few: use -o DIR --partition-by date (each day its own file), or stdout",
  },
  {
    name: '--state with export all into single files',
    args: (c) => ['export', 'all', '--state', join(c.dir, 's.json'), '-o', join(c.dir, 'all')],
    code: 2,
    stderr: "mbuzz: --state with -o FILE would replace the earlier days in the file with the next run's few: use -o DIR --partition-by date (each day its own file), or stdout",
  },
  { name: '--max-rows with --partition-by', args: (c) => ['export', 'conversions', '--max-rows', '10', '-o', join(c.dir, 'p'), '--partition-by', 'date'], code: 2, stderr: 'mbuzz: --max-rows would cut a day short, and a partition replaces its day whole: drop --max-rows with --partition-by' },
  { name: '--replace-export without --partition-by', args: (c) => ['export', 'conversions', '--replace-export', '-o', join(c.dir, 'x.csv')], code: 2, stderr: 'mbuzz: --replace-export goes with --partition-by date' },
  {
    name: 'a partition directory holding another dataset',
    setup: (c) => void partitionOf(join(c.dir, 'p'), '2026-04-01', { dataset: 'spend', filters: {}, format: 'ndjson', fields: null, csvSafe: false }),
    args: (c) => ['export', 'conversions', '--from', '2026-04-01', '--to', '2026-04-02', '-o', join(c.dir, 'p'), '--partition-by', 'date'],
    code: 2,
    stderr: (c) => `mbuzz: ${join(c.dir, 'p')} holds spend partitions (1 partition, 2026-04-01); conversions goes to a directory of its own`,
  },
  {
    name: 'a partition directory holding another export (filters)',
    setup: (c) => void partitionOf(join(c.dir, 'p'), '2026-03-07', { dataset: 'conversions', filters: {}, format: 'ndjson', fields: null, csvSafe: false }),
    args: (c) => ['export', 'conversions', '--from', '2026-04-01', '--to', '2026-04-02', '--channel', 'email', '-o', join(c.dir, 'p'), '--partition-by', 'date', '-f', 'ndjson'],
    code: 2,
    stderr: (c) =>
      `mbuzz: ${join(c.dir, 'p')} holds conversions (no filters, ndjson) in 1 partition (2026-03-07), and this run is conversions (--channel email, ndjson): use another directory, or --replace-export to make ${join(c.dir, 'p')} this export (those partitions are replaced or removed)`,
  },

  // --- config files ---------------------------------------------------------------------------
  {
    name: 'malformed JSON config, with file and line',
    files: { '.mbuzzrc.json': '{\n  "profiles": {\n    "a": { "format": "csv", }\n  }\n}\n' },
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: cannot read config ${join(c.dir, '.mbuzzrc.json')} (line 3): Expected double-quoted property name in JSON at position 46`,
  },
  {
    name: 'malformed YAML config, with file and line',
    files: { '.mbuzzrc.yaml': 'profiles:\n  a:\n    format: csv\n   bad: [\n' },
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: cannot read config ${join(c.dir, '.mbuzzrc.yaml')} (line 4): All mapping items must start at the same column`,
  },
  { name: 'a config that is a list', files: { '.mbuzzrc.yaml': '- 1\n- 2\n' }, args: exp('--range', '7d'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: (top level) must be a mapping with \`profiles:\`` },
  { name: 'config: a bad format', files: { '.mbuzzrc.yaml': 'profiles:\n  a:\n    format: xml\n' }, args: exp('--profile', 'a'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.a.format must be one of ndjson, csv, parquet (got "xml")` },
  { name: 'config: non-numeric concurrency', files: { '.mbuzzrc.yaml': 'profiles:\n  a:\n    concurrency: many\n' }, args: exp('--profile', 'a'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.a.concurrency must be a positive integer (got "many")` },
  { name: 'config: unknown channel', files: { '.mbuzzrc.yaml': 'profiles:\n  a:\n    channels: [tv]\n' }, args: exp('--profile', 'a'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.a.channels: unknown channel "tv" (valid: ${CHANNELS})` },
  { name: 'config: default profile missing', files: { '.mbuzzrc.yaml': 'profile: prod\nprofiles:\n  dev: {}\n' }, args: exp('--range', '7d'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profile names "prod", which is not under profiles: (have: dev)` },
  { name: 'config: a profile of another provider', files: { '.mbuzzrc.yaml': 'profiles:\n  mp:\n    provider: mixpanel\n' }, args: exp('--profile', 'mp'), code: 2, stderr: 'mbuzz: profile "mp" is for mixpanel, but conversions comes from mbuzz' },
  { name: 'config: unknown provider', files: { '.mbuzzrc.yaml': 'profiles:\n  x:\n    provider: ga4\n' }, args: exp('--profile', 'x'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.x.provider must be one of mbuzz, mixpanel, sealmetrics, atribu, attributionhub (got "ga4")` },
  {
    name: 'config: api_key_env names an unset variable',
    files: { '.mbuzzrc.yaml': 'profile: prod\nprofiles:\n  prod:\n    api_key_env: MBUZZ_PROD_KEY\n' },
    env: () => ({ MBUZZ_API_KEY: undefined }),
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.prod.api_key_env names MBUZZ_PROD_KEY, which is not set`,
  },
  { name: 'MBUZZ_CONFIG names a missing file', env: (c) => ({ MBUZZ_CONFIG: join(c.dir, 'nope.yaml') }), args: exp('--range', '7d'), code: 2, stderr: (c) => `mbuzz: config file not found: ${join(c.dir, 'nope.yaml')}` },
  { name: 'unknown --profile, no config file', args: exp('--profile', 'ghost'), code: 2, stderr: 'mbuzz: unknown profile "ghost" (no config file found)' },
  { name: 'a --profile typo', files: { '.mbuzzrc.yaml': 'profiles:\n  prod: {}\n  dev: {}\n' }, args: exp('--profile', 'prdo'), code: 2, stderr: (c) => `mbuzz: unknown profile "prdo" in ${join(c.dir, '.mbuzzrc.yaml')} (did you mean prod?)` },
  { name: 'config: a typo in the default profile', files: { '.mbuzzrc.yaml': 'profile: pord\nprofiles:\n  prod: {}\n' }, args: exp('--range', '7d'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profile names "pord", which is not under profiles: (did you mean prod?)` },
  { name: 'config: a provider typo', files: { '.mbuzzrc.yaml': 'profiles:\n  x:\n    provider: mixpanl\n' }, args: exp('--profile', 'x'), code: 2, stderr: (c) => `mbuzz: ${join(c.dir, '.mbuzzrc.yaml')}: profiles.x.provider must be one of mbuzz, mixpanel, sealmetrics, atribu, attributionhub (got "mixpanl") (did you mean mixpanel?)` },
  // Issue 9.14: a file someone else could have written may not steer the key (exit 2 before any request).
  {
    name: 'config: base_url in a group-writable file',
    files: { '.mbuzzrc.yaml': { text: 'profile: p\nprofiles:\n  p:\n    base_url: http://127.0.0.1:9\n', mode: 0o664 } },
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: refusing config ${join(c.dir, '.mbuzzrc.yaml')}: it sets profiles.p.base_url, but it is writable by its group (fix: chmod go-w ${join(c.dir, '.mbuzzrc.yaml')})`,
  },
  {
    name: 'config: api_key_env in a world-writable file',
    files: { '.mbuzzrc.json': { text: '{"profiles": {"p": {"api_key_env": "HOME", "format": "csv"}}}', mode: 0o646 } },
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: refusing config ${join(c.dir, '.mbuzzrc.json')}: it sets profiles.p.api_key_env, but it is writable by others (fix: chmod go-w ${join(c.dir, '.mbuzzrc.json')})`,
  },
  {
    name: 'config: an inline key in a file in a world-writable directory without the sticky bit',
    files: { '.mbuzzrc.yaml': `profiles:\n  p:\n    api_key: ${LIVE_KEY}\n` },
    setup: (c) => void chmodSync(c.dir, 0o777),
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: refusing config ${join(c.dir, '.mbuzzrc.yaml')}: it sets profiles.p.api_key, but its directory ${c.dir} is writable by group and others (fix: chmod go-w ${c.dir}, or move the file)`,
  },
  // Issue 9.12: refused before it is expanded or read whole.
  {
    name: 'config: YAML aliases that expand to billions of items',
    files: { '.mbuzzrc.yaml': billionLaughs() },
    // A small heap: should the guard ever go, the case fails fast instead of eating the machine's memory.
    env: () => ({ NODE_OPTIONS: '--max-old-space-size=128' }),
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: config ${join(c.dir, '.mbuzzrc.yaml')}: its YAML aliases expand too far (a "billion laughs" file?): refusing it`,
  },
  {
    name: 'config: a file larger than 1 MiB',
    files: { '.mbuzzrc.json': `{"profiles": {}}${' '.repeat(1024 * 1024)}` },
    args: exp('--range', '7d'),
    code: 2,
    stderr: (c) => `mbuzz: config ${join(c.dir, '.mbuzzrc.json')} is larger than 1 MiB: refusing to read it (a config file is a few lines)`,
  },
  { name: 'unknown MBUZZ_PROFILE', files: { '.mbuzzrc.yaml': 'profiles:\n  prod: {}\n  dev: {}\n' }, env: () => ({ MBUZZ_PROFILE: 'ghost' }), args: exp('--range', '7d'), code: 2, stderr: (c) => `mbuzz: unknown profile "ghost" in ${join(c.dir, '.mbuzzrc.yaml')}; profiles: prod, dev` },

  // --- environment, keys, hosts ------------------------------------------------------------------
  { name: 'no API key', env: () => ({ MBUZZ_API_KEY: undefined }), args: exp('--range', '7d'), code: 2, stderr: 'mbuzz: no API key for conversions: set MBUZZ_API_KEY, or use a profile with api_key_env' },
  { name: 'a blank API key', env: () => ({ MBUZZ_API_KEY: '   ' }), args: exp('--range', '7d'), code: 2, stderr: 'mbuzz: no API key for conversions: set MBUZZ_API_KEY, or use a profile with api_key_env' },
  { name: 'a key with a control character', env: () => ({ MBUZZ_API_KEY: 'sk_test_0123\u0007abc' }), args: exp('--range', '7d'), code: 2, stderr: 'mbuzz: the API key contains control characters' },
  { name: 'plain http to another host', args: exp('--range', '7d', '--base-url', 'http://mbuzz.invalid'), code: 2, stderr: 'mbuzz: refusing plain http:// to mbuzz.invalid: the API key would cross the network in clear (use https, or --insecure-http)' },
  { name: 'plain http to another host, from the environment', env: () => ({ MBUZZ_BASE_URL: 'http://mbuzz.invalid:8080' }), args: exp('--range', '7d'), code: 2, stderr: 'mbuzz: refusing plain http:// to mbuzz.invalid: the API key would cross the network in clear (use https, or --insecure-http)' },
  { name: 'a base URL that is not http', args: exp('--range', '7d', '--base-url', 'ftp://mbuzz.invalid'), code: 2, stderr: 'mbuzz: --base-url must be http(s), not ftp:' },
  { name: 'a base URL that is not a URL', args: exp('--range', '7d', '--base-url', 'mbuzz.co'), code: 2, stderr: 'mbuzz: --base-url "mbuzz.co" is not a URL (expected e.g. https://mbuzz.co)' },
  { name: 'a base URL with a query', args: exp('--range', '7d', '--base-url', 'https://mbuzz.invalid/?x=1'), code: 2, stderr: 'mbuzz: --base-url is the host root (e.g. https://mbuzz.co), without a query' },
  { name: 'a body cap that is not a size', env: () => ({ MBUZZ_MAX_BODY_MB: 'lots' }), args: exp('--from', '2026-03-01', '--to', '2026-03-01'), code: 2, stderr: 'mbuzz: MBUZZ_MAX_BODY_MB must be a number of megabytes above 0 and at most 4096, got "lots"' },

  // --- the command line itself (commander) ------------------------------------------------------
  { name: 'unknown option', args: exp('--form', '2026-01-01'), code: 2, stderr: "mbuzz: unknown option '--form' (Did you mean --from?) (run with --help for usage)" },
  { name: 'option without its value', args: exp('--from'), code: 2, stderr: "mbuzz: option '--from <date>' argument missing (run with --help for usage)" },
  { name: 'no dataset', args: () => ['export'], code: 2, stderr: "mbuzz: missing required argument 'dataset' (run with --help for usage)" },
  { name: 'two datasets', args: () => ['export', 'conversions', 'spend'], code: 2, stderr: "mbuzz: too many arguments for 'export'. Expected 1 argument but got 2. (run with --help for usage)" },
  { name: 'unknown command', args: () => ['exprot', 'conversions'], code: 2, stderr: "mbuzz: unknown command 'exprot' (Did you mean export?) (run with --help for usage)" },

  { name: 'sandbox: unknown --broken mode', args: () => ['sandbox', '--port', '0', '--broken', 'flaky'], code: 2, stderr: `mbuzz: --broken must be one of ${BROKEN_MODES.join(', ')}, got "flaky"` },

  // --- missing secrets, per provider ------------------------------------------------------------
  { name: 'mixpanel: no API key', env: (c) => ({ MIXPANEL_BASE_URL: baseUrlOf('mixpanel', c.url) }), args: () => ['export', 'mixpanel:events', '--range', '7d', '--param', 'event=signup'], code: 2, stderr: 'mbuzz: no Mixpanel API key for mixpanel:events: set MIXPANEL_API_KEY, or use a profile with api_key_env' },
  { name: 'mixpanel: key but no secret', env: (c) => ({ MIXPANEL_BASE_URL: baseUrlOf('mixpanel', c.url), MIXPANEL_API_KEY: 'f0aa' }), args: () => ['export', 'mixpanel:events', '--range', '7d', '--param', 'event=signup'], code: 2, stderr: 'mbuzz: no Mixpanel API secret for mixpanel:events: set MIXPANEL_API_SECRET, or use a profile with api_secret_env' },
  { name: 'mixpanel export: no credentials', env: (c) => ({ MIXPANEL_BASE_URL: baseUrlOf('mixpanel', c.url) }), args: () => ['export', 'mixpanel:export', '--range', '7d'], code: 2, stderr: /^mbuzz: no credentials for mixpanel:export: set MIXPANEL_SERVICE_ACCOUNT_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET and MIXPANEL_PROJECT_ID .*MIXPANEL_API_SECRET/ },
  { name: 'sealmetrics: no email', env: (c) => ({ SEALMETRICS_BASE_URL: baseUrlOf('sealmetrics', c.url) }), args: () => ['export', 'sealmetrics:microconversions', '--range', '7d'], code: 2, stderr: 'mbuzz: no Sealmetrics login email for sealmetrics:microconversions: set SEALMETRICS_EMAIL, or use a profile with email_env' },
  { name: 'sealmetrics: no password', env: (c) => ({ SEALMETRICS_BASE_URL: baseUrlOf('sealmetrics', c.url), SEALMETRICS_EMAIL: 'ops@example.com' }), args: () => ['export', 'sealmetrics:microconversions', '--range', '7d'], code: 2, stderr: 'mbuzz: no Sealmetrics password for sealmetrics:microconversions: set SEALMETRICS_PASSWORD, or use a profile with password_env' },
  { name: 'atribu: no API key', env: (c) => ({ ATRIBU_BASE_URL: baseUrlOf('atribu', c.url) }), args: () => ['export', 'atribu:journey', '--customer', 'c1', '--range', '7d'], code: 2, stderr: /^mbuzz: no Atribu API key .*for atribu:journey: set ATRIBU_API_KEY, or use a profile with api_key_env$/ },
  { name: 'attributionhub: no API key', env: (c) => ({ ATTRIBUTIONHUB_BASE_URL: baseUrlOf('attributionhub', c.url) }), args: () => ['export', 'attributionhub:conversions', '--range', '7d'], code: 2, stderr: 'mbuzz: no AttributionHub API key for attributionhub:conversions: set ATTRIBUTIONHUB_API_KEY, or use a profile with api_key_env' },
];

/** A partition as an earlier run left it: its part file and its record (destinations/partition-records.ts). */
function partitionOf(dir: string, date: string, exportId: Record<string, unknown>): void {
  const part = join(dir, `date=${date}`);
  mkdirSync(part, { recursive: true });
  const body = '{"date":"' + date + '"}\n';
  writeFileSync(join(part, 'part-0000.ndjson'), body);
  const run = { id: 'earlier', startedAt: '2026-05-01T00:00:00.000Z', args: [] };
  const file = { name: 'part-0000.ndjson', bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex'), rows: 1 };
  writeFileSync(join(part, '_mbuzz.json'), JSON.stringify({ tool: 'mbuzz', version: '0.1.0', date, export: exportId, source: 'x', run, file }));
}

/** A directory this process cannot write to: chmod, or for root a read-only tmpfs. */
const mounted: string[] = [];
function makeUnwritable(dir: string): string | undefined {
  mkdirSync(dir);
  chmodSync(dir, 0o555);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return undefined; // not root: the mode is enough
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounted.push(dir);
    return undefined;
  } catch {
    return 'running as root without permission to mount a read-only tmpfs';
  }
}

// One sandbox for every case, which run a few at a time. Each case points its base URL at its own
// path prefix (/case-N), so the sandbox's request log says which case, if any, sent something;
// the request counter of /_sandbox/stats must still read 0 once all cases are done.
let sb: Sandbox;
const sandboxLog: string[] = [];
const root = tempDir('mbuzz-bad-input-');
beforeAll(async () => {
  sb = await startSandbox(['--verbose']);
  sb.child.stderr!.on('data', (d: Buffer) => sandboxLog.push(...d.toString().split('\n')));
});
afterAll(async () => {
  await sb.stop();
  for (const dir of mounted) execFileSync('umount', [dir]);
  root.cleanup();
});
const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

async function runCase(k: Case, i: number, { expect, skip }: Pick<TestContext, 'expect' | 'skip'>): Promise<void> {
  const dir = join(root.path, `case-${i}`);
  mkdirSync(dir);
  const url = `${sb.url}/case-${i}`;
  const ctx: Ctx = { dir, url };
  for (const [name, f] of Object.entries(k.files ?? {})) {
    writeFileSync(join(dir, name), typeof f === 'string' ? f : f.text, { mode: 0o600 });
    // chmod, not writeFileSync's mode: the umask would take group and other write bits off.
    if (typeof f !== 'string') chmodSync(join(dir, name), f.mode);
  }
  // A setup this machine cannot make is a skipped case with its reason, never a silent pass.
  const impossible = k.setup?.(ctx);
  if (impossible) {
    console.warn(`skipped "${k.name}": ${impossible}`);
    skip(impossible);
  }
  const before = readdirSync(dir).sort();
  const r = await runCli(k.args(ctx), { cwd: dir, env: { MBUZZ_BASE_URL: url, MBUZZ_API_KEY: TEST_KEY, ...k.env?.(ctx) } });

  const want = typeof k.stderr === 'function' ? k.stderr(ctx) : k.stderr;
  if (typeof want === 'string') expect(r.stderr).toBe(`${want}\n`);
  else expect(r.stderr.trimEnd()).toMatch(want);
  expect(r.stderr.split('\n'), 'exactly one line on stderr').toHaveLength(2);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|a bug/);
  expect(r.code).toBe(k.code);
  expect(r.stdout.length, 'nothing on stdout').toBe(0);
  expect(sandboxLog.filter((l) => l.includes(`/case-${i}/`)), 'no request reached the API').toEqual([]);
  expect(readdirSync(dir).sort(), 'nothing left behind').toEqual(before);
}

describe('bad input: exit 2, one precise line, nothing sent, nothing left behind', () => {
  it(`has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  const cases = CASES.map((c, i) => [c.name, i] as const);
  it.concurrent.for(cases)('%s', async ([, i], context) => runCase(CASES[i]!, i, context));
});

describe('after every bad-input case', () => {
  it('the sandbox counted no request at all', async () => {
    expect(await requests()).toBe(0);
  });
});

describe('warnings: the run goes on, the warning is one line, the key never shows', () => {
  let ws: Sandbox;
  const wroot = tempDir('mbuzz-warnings-');
  beforeAll(async () => {
    ws = await startSandbox();
  });
  afterAll(async () => {
    await ws.stop();
    wroot.cleanup();
  });
  const oneDay = ['export', 'spend', '--from', '2026-03-01', '--to', '2026-03-01'];
  const summary = /^mbuzz: \d+ rows of spend 2026-03-01 .*$/;

  it('unknown config keys are warnings naming the file and the key', async () => {
    const dir = join(wroot.path, 'unknown-keys');
    mkdirSync(dir);
    const file = join(dir, '.mbuzzrc.yaml');
    writeFileSync(file, 'colour: blue\nprofile: prod\nprofiles:\n  prod:\n    format: csv\n    concurency: 2\n', { mode: 0o600 });
    const r = await runCli([...oneDay, '-o', join(dir, 'spend.out')], { cwd: dir, env: { MBUZZ_BASE_URL: ws.url, MBUZZ_API_KEY: TEST_KEY } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([`mbuzz: warning: unknown key \`colour\` in ${file} (ignored)`, `mbuzz: warning: unknown key \`profiles.prod.concurency\` in ${file} (ignored; did you mean concurrency?)`]);
    expect(lines[2]).toMatch(summary);
    expect(lines).toHaveLength(3);
    expect(readFileSync(join(dir, 'spend.out'), 'utf8')).toMatch(/^spend_date,channel,/); // the profile's format applied
  });

  it('an inline key in a file others can read draws a warning; chmod 600 silences it', async () => {
    const dir = join(wroot.path, 'inline');
    mkdirSync(dir);
    const file = join(dir, '.mbuzzrc.yaml');
    writeFileSync(file, `profile: prod\nprofiles:\n  prod:\n    api_key: ${LIVE_KEY}\n`);
    chmodSync(file, 0o644);
    const env = { MBUZZ_BASE_URL: ws.url, MBUZZ_API_KEY: undefined };
    const r = await runCli([...oneDay, '--verbose'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(`mbuzz: warning: ${file} holds profiles.prod.api_key inline and is readable by others: chmod 600 it, or use api_key_env`);
    expect(r.stderr + r.stdout.toString()).not.toContain(LIVE_KEY);
    chmodSync(file, 0o600);
    const quiet = await runCli(oneDay, { cwd: dir, env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toMatch(/^mbuzz: \d+ rows of spend/);
    expect(quiet.stderr).not.toContain('warning');
  });

  it('--api-key warns that other processes can see it, and the key is masked everywhere', async () => {
    const dir = join(wroot.path, 'api-key');
    mkdirSync(dir);
    const out = join(dir, 'spend.ndjson');
    const parts = join(dir, 'spend');
    const state = join(dir, 'state.json');
    const r = await runCli([...oneDay, '--api-key', LIVE_KEY, '-o', out, '--manifest', '--verbose'], {
      cwd: dir,
      env: { MBUZZ_BASE_URL: ws.url, MBUZZ_API_KEY: undefined },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('mbuzz: warning: --api-key puts the key where other processes can see it (ps, shell history); prefer MBUZZ_API_KEY or a profile with api_key_env');
    expect(r.stderr).toMatch(/^mbuzz: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/data\/spend\?.* 200 /m); // --verbose really logged requests
    // and with --state into partitions: the state file, each partition's record and the manifest
    const p = await runCli(['export', 'spend', '--from', '2026-03-01', '--api-key', LIVE_KEY, '-o', parts, '--partition-by', 'date', '--state', state, '--quiet'], {
      cwd: dir,
      env: { MBUZZ_BASE_URL: ws.url, MBUZZ_API_KEY: undefined, MBUZZ_NOW: '2026-03-03T12:00:00Z' },
    });
    expect(p.code, p.stderr).toBe(0);
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
    const written = files(dir).map((f) => readFileSync(f, 'utf8'));
    expect(files(dir).map((f) => f.slice(dir.length + 1)).sort()).toEqual(
      ['spend.ndjson', 'spend.ndjson.manifest.json', 'state.json', 'spend/_manifest.json', ...['01', '02'].flatMap((d) => [`spend/date=2026-03-${d}/_mbuzz.json`, `spend/date=2026-03-${d}/part-0000.ndjson`])].sort(),
    );
    for (const text of [r.stderr, r.stdout.toString(), p.stderr, ...written]) expect(text).not.toContain(LIVE_KEY);
    expect(readFileSync(`${out}.manifest.json`, 'utf8')).toContain('sk_live_…3210'); // the args are recorded, masked
    expect(readFileSync(join(parts, 'date=2026-03-01', '_mbuzz.json'), 'utf8')).toContain('sk_live_…3210');
  });

  it('a key the server refuses is never echoed, even with --verbose and a failing run', async () => {
    const key = 'sk_live_deadbeefdeadbeefdeadbeefdeadbeef';
    const r = await runCli([...oneDay, '--verbose'], { cwd: wroot.path, env: { MBUZZ_BASE_URL: ws.url, MBUZZ_API_KEY: key } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mbuzz: authentication failed \(401\): "Invalid or expired API key"$/m);
    expect(r.stderr).not.toContain(key);
  });

  it('`mbuzz profiles` shows keys masked like sk_live_…3210', async () => {
    const dir = join(wroot.path, 'profiles');
    mkdirSync(dir);
    writeFileSync(join(dir, '.mbuzzrc.yaml'), `profiles:\n  prod:\n    api_key: ${LIVE_KEY}\n`, { mode: 0o600 });
    const r = await runCli(['profiles'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout.toString() + r.stderr;
    expect(all).toContain('sk_live_…3210');
    expect(all).not.toContain(LIVE_KEY);
  });
});
