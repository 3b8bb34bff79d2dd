// The PostgreSQL destination: `-o postgresql://user@host:5432/db?table=schema.name`.
//
//   isPostgresUrl(text)                        is -o a PostgreSQL target?
//   parsePostgresUrl(text, { vars })           the target (UsageError on bad input); .label is safe to print
//   withTable(target, { name })                name the table after the dataset when the URL did not
//   checkPostgresTarget(target, spec, opts)    pre-flight: connect, create or compare the table (exit 2)
//   openPostgresLoad(target, opts)             an Output replacing opts.scope's rows in one transaction;
//                                              write with its .writer, then commit() or abort()
//
// The driver (pg, pg-copy-streams) is imported only when a connection is opened.
export { isPostgresUrl, maskUrl, parsePostgresUrl, withTable, type PgTarget, type SslMode } from './url.js';
export { parseTableName, type TableName } from './table-name.js';
export { checkPostgresTarget, type PgCheckResult } from './check.js';
export { openPostgresLoad, type PostgresLoad, type PostgresLoadOptions } from './load.js';
export type { LoadScope, PgTableSpec } from './scope.js';
export type { PasswordOptions } from './password.js';
export { writeCopyRows } from './encode.js';
