import type { Column } from '../../core/columns.js';
import { UsageError } from '../../core/errors.js';
import { daysFromIsoDate } from '../../writers/values.js';
import { quoteIdent } from './table-name.js';

// What a load writes (the table's columns, the date column it replaces by) and what it covers
// (days, and the filter values that narrow them). A load deletes exactly the rows its scope
// covers and copies in what the API returned for that scope, so the scope must describe the
// API's rows exactly: `--channel email` covers the rows whose channel is email, nothing more.
// Mapping an export's flags onto a scope is the pipeline's job; this file checks a scope is
// expressible and turns it into SQL.

export interface PgTableSpec {
  /** For messages and the load table: `conversions`. */
  dataset: string;
  /** The columns written, in COPY order (the export's columns after --fields). */
  columns: readonly Column[];
  /** The column holding each row's day (a date column); loads replace by it. */
  dateColumn: string;
}

export interface LoadScope {
  /** Every day the load covers (YYYY-MM-DD); their rows are replaced, an empty day included. */
  days: readonly string[];
  /** Column -> values: only rows whose column holds one of these are replaced (the filters). */
  match?: Readonly<Record<string, readonly string[]>>;
}

export function checkSpec(spec: PgTableSpec): void {
  const date = spec.columns.find((c) => c.name === spec.dateColumn);
  if (!date) throw new UsageError(`PostgreSQL loads replace whole days by ${spec.dataset}'s ${spec.dateColumn} column: keep it in --fields`);
  if (date.type !== 'date') throw new UsageError(`${spec.dataset}.${spec.dateColumn} is ${date.type}, not a date to replace days by`);
}

export function checkScope(spec: PgTableSpec, scope: LoadScope): void {
  if (scope.days.length === 0) throw new UsageError('a PostgreSQL load needs the days it covers');
  for (const day of scope.days) if (daysFromIsoDate(day) === undefined) throw new UsageError(`${day} is not a YYYY-MM-DD day`);
  for (const [name, values] of Object.entries(scope.match ?? {})) {
    const col = spec.columns.find((c) => c.name === name);
    if (!col) throw new UsageError(`the filter on ${name} needs that column in the table: keep it in --fields`);
    if (col.type !== 'string') throw new UsageError(`the filter on ${name} needs a text column; ${name} is ${col.type}`);
    if (values.length === 0) throw new UsageError(`the filter on ${name} has no values`);
  }
}

/** `WHERE` text for the rows a scope covers, with its parameters numbered from $1. */
export function scopeWhere(spec: PgTableSpec, scope: LoadScope): { sql: string; params: unknown[] } {
  const parts = [`${quoteIdent(spec.dateColumn)} = ANY($1::date[])`];
  const params: unknown[] = [[...scope.days]];
  for (const [name, values] of Object.entries(scope.match ?? {})) {
    params.push([...values]);
    parts.push(`${quoteIdent(name)} = ANY($${params.length}::text[])`);
  }
  return { sql: parts.join(' AND '), params };
}

/** For messages: `2026-05-01..2026-05-07 with channel in (email)`. */
export function describeScope(scope: LoadScope): string {
  const days = scope.days.length === 1 ? scope.days[0]! : `${scope.days[0]}..${scope.days[scope.days.length - 1]}`;
  const filters = Object.entries(scope.match ?? {}).map(([k, v]) => `${k} in (${v.join(', ')})`);
  return filters.length ? `${days} with ${filters.join(' and ')}` : days;
}
