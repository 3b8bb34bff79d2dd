import { Option, type Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import { UsageError } from '../../core/errors.js';
import { createTable, type Dialect } from '../../schema/ddl.js';

export const schemaCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('schema')
      .description("a dataset's typed columns, as JSON or as CREATE TABLE DDL")
      .argument('<dataset>', 'see `mbuzz datasets`')
      .addOption(new Option('--as <kind>', 'json or sql').choices(['json', 'sql']))
      .addOption(new Option('--dialect <dialect>', 'SQL dialect for --as sql (default duckdb)').choices(['duckdb', 'postgres'])),
  async run(env: Env, args) {
      const [name, raw] = args as [string, { as?: 'json' | 'sql'; dialect?: Dialect }];
      if (raw.dialect !== undefined && raw.as !== 'sql') throw new UsageError('--dialect goes with --as sql');
      const { findDataset } = await import('../../providers/registry.js');
      const dataset = findDataset(name);
      if (raw.as === 'sql') {
        env.stdout.write(createTable(dataset.name, dataset.columns, raw.dialect ?? 'duckdb'));
      } else {
        const columns = dataset.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(c.timeFormat ? { timeFormat: c.timeFormat } : {}), ...(c.description ? { description: c.description } : {}) }));
        env.stdout.write(`${JSON.stringify({ dataset: dataset.name, provider: dataset.provider, columns }, null, 2)}\n`);
      }
      return 0;
  },
};
