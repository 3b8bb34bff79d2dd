import type { Env } from '../core/env.js';
import { UsageError } from '../core/errors.js';
import { eachDay } from '../core/dates.js';
import { VERSION } from '../core/version.js';
import { registerSecret } from '../core/secrets.js';
import type { LoadScope, PgTableSpec } from '../destinations/postgres/scope.js';
import type { PostgresLoad } from '../destinations/postgres/load.js';
import { isPostgresUrl, parsePostgresUrl, withTable, type PgTarget } from '../destinations/postgres/url.js';
import type { ExportOptions } from '../providers/types.js';
import { tableName } from '../schema/ddl.js';
import type { ExportFlags } from './request.js';
import type { SelectedProfile } from './resolve.js';

// An export into `-o postgresql://...`: which flags make sense there, what the load covers (the
// export's days, narrowed by its filters), and the calls into the destination, which is loaded
// only here, only for such a target (the driver loads later still, on connect).

/** The target when -o is a PostgreSQL URL (UsageError if it is a bad one), else undefined. */
export function postgresTarget(flags: ExportFlags, env: Env): PgTarget | undefined {
  if (flags.output === undefined || !isPostgresUrl(flags.output)) return undefined;
  const target = parsePostgresUrl(flags.output, { vars: env.vars });
  const refuse = (what: string, why: string) => {
    throw new UsageError(`${what} does not apply to a PostgreSQL target: ${why}`);
  };
  if (flags.dataset === 'all') refuse('`mbuzz export all`', 'export one dataset per table');
  if (flags.partitionBy) refuse('--partition-by', 'a load replaces whole days already');
  if (flags.resume) refuse('--resume', 'a load that stops is rolled back; run it again');
  if (flags.manifest) refuse('--manifest', `each load is recorded in <table>_mbuzz_loads`);
  if (flags.maxRows !== undefined) refuse('--max-rows', 'it would replace whole days with part of their rows');
  if (flags.csvSafe) refuse('--csv-safe', 'it would change the data loaded');
  if (flags.format !== undefined) refuse('--format', 'rows are loaded with COPY');
  return target;
}

/** The target with its table named (the dataset's own name when the URL gave no table=). */
export function withDatasetTable(target: PgTarget, dataset: string): PgTarget {
  return target.table ? target : withTable(target, { name: tableName(dataset) });
}

export function tableSpec(options: ExportOptions): PgTableSpec {
  const { dataset } = options;
  if (!dataset.dateColumn) throw new UsageError(`${dataset.name} has no date column, and a PostgreSQL load replaces whole days: write it to a file`);
  return { dataset: dataset.name, columns: options.columns, dateColumn: dataset.dateColumn };
}

/**
 * The rows a load replaces: every day of --from..--to, narrowed the way the API narrows the rows
 * it returns. --channel returns the rows whose channel is one of those (conversions: the
 * credit's channel; funnel: the session's) and --funnel the rows whose funnel is that one, so
 * both map onto their column. A filter whose rows a column cannot describe is refused rather
 * than guessed; the load's count check catches any mapping that turns out wrong.
 */
export function loadScope(options: ExportOptions): LoadScope {
  const match: Record<string, string[]> = {};
  if (options.channels !== undefined) match.channel = [...options.channels];
  if (options.funnel !== undefined) {
    // on /funnel, funnel=all drops the visits and keeps every other row: no column says that
    if (options.dataset.name === 'funnel' && options.funnel === 'all') throw new UsageError('--funnel all cannot be loaded into PostgreSQL: give the funnel by name');
    match.funnel = [options.funnel];
  }
  if (options.customer !== undefined) throw new UsageError('--customer narrows rows in a way a PostgreSQL load cannot replace by day');
  const params = Object.entries(options.params).filter(([, v]) => v.length > 0);
  if (params.length) throw new UsageError(`--param ${params[0]![0]} narrows rows in a way a PostgreSQL load cannot replace by day`);
  return { days: [...eachDay(options.from, options.to)], match };
}

/**
 * The password a profile names for PostgreSQL (`postgres_password_env: VAR`), read from the
 * environment and masked from then on; a variable named but not set is a usage error naming the key.
 */
export function profilePgPassword(profile: SelectedProfile | undefined, configFile: string | undefined, vars: Env['vars']): string | undefined {
  const name = profile?.profile.postgres_password_env;
  if (name === undefined) return undefined;
  const value = vars[name];
  if (value === undefined || value === '') throw new UsageError(`${configFile ?? 'config'}: profiles.${profile!.name}.postgres_password_env names ${name}, which is not set`);
  registerSecret(value);
  return value;
}

/** Pre-flight, before any request: connect, create or compare the table. */
export async function checkPostgres(target: PgTarget, options: ExportOptions, env: Env, say: (line: string) => void, profilePassword?: string): Promise<void> {
  const { checkPostgresTarget } = await import('../destinations/postgres/check.js');
  loadScope(options);
  const result = await checkPostgresTarget(target, tableSpec(options), { vars: env.vars, home: env.home, profilePassword });
  for (const w of result.warnings) say(`warning: ${w}`);
  if (result.created) say(`created table ${result.schema}.${result.table} for ${options.dataset.name}`);
}

/** The load: its days are replaced when it commits. */
export async function openPostgres(target: PgTarget, options: ExportOptions, env: Env, say: (line: string) => void, profilePassword?: string): Promise<PostgresLoad> {
  const { openPostgresLoad } = await import('../destinations/postgres/load.js');
  return openPostgresLoad(target, { spec: tableSpec(options), scope: loadScope(options), version: VERSION, vars: env.vars, home: env.home, profilePassword, note: say });
}
