import type { Env } from '../../core/env.js';
import { UsageError } from '../../core/errors.js';
import { eachDay } from '../../core/dates.js';
import type { ExportIdentity } from '../../destinations/partition-records.js';
import { parsePostgresUrl } from '../../destinations/postgres/url.js';
import { findDataset } from '../../providers/registry.js';
import type { HeldExport, VerifyTarget } from './target.js';

// `mbuzz verify postgresql://...?table=`: the table's load table says which scopes (dataset and
// filter) were loaded and over which days; each scope's rows are counted per day with SQL, and
// --fix loads the days that differ again through the PostgreSQL destination, whose load replaces
// exactly those days (and that filter) in one transaction.

export function postgresVerifyTarget(text: string, env: Env): VerifyTarget {
  const target = parsePostgresUrl(text, { vars: env.vars });
  if (!target.table) throw new UsageError(`${target.label}: which table? give ?table=schema.name`);
  return {
    label: target.label,
    async read(o) {
      if (o.given) throw new UsageError(`${target.label} records each load in its load table: drop --dataset and its filters`);
      const { readHeldTable } = await import('../../destinations/postgres/held.js');
      const held = await readHeldTable(target, {
        vars: env.vars,
        home: env.home,
        days: o.range ? [...eachDay(o.range.from, o.range.to)] : undefined,
        dateColumnOf: (name) => {
          const d = findDataset(name).dateColumn;
          if (!d) throw new UsageError(`${name} has no date column to count days by`);
          return d;
        },
      });
      return held.scopes.map((s): HeldExport => {
        const dataset = findDataset(s.dataset);
        const all = dataset.columns.map((c) => c.name);
        // a table loaded with --fields holds those columns only: --fix must write the same
        const fields = held.columns.length === all.length && all.every((c) => held.columns.includes(c)) ? null : all.filter((c) => held.columns.includes(c));
        const filters: ExportIdentity['filters'] = {};
        if (s.filters.channel) filters.channels = s.filters.channel;
        if (s.filters.funnel) filters.funnel = s.filters.funnel[0];
        const scope = Object.keys(filters).length ? ` (${Object.entries(s.filters).map(([k, v]) => `${k} in ${v.join(',')}`).join(', ')})` : '';
        return {
          label: `${target.label}${scope}`,
          identity: { dataset: dataset.name, filters, format: 'csv', fields, csvSafe: false },
          recorded: true,
          days: s.days,
          fix: { kind: 'days', output: text },
        };
      });
    },
  };
}
