import type { Command } from 'commander';
import type { Env } from '../../core/env.js';
import type { CommandSpec } from '../spec.js';
import type { DatasetDef } from '../../providers/types.js';

/** What `export --dry-run` knows of a dataset without a plan of its own (pipeline/dry-run.ts genericPlan). */
const GENERIC_DRY_RUN = 'the days of the range only; nothing is sent';

export const datasetsCommand: CommandSpec = {
  declare: (program: Command) =>
    program
      .command('datasets')
      .description('list datasets, their provider, filters and columns; or one of them')
      .argument('[name]', 'only this dataset (e.g. conversions, mixpanel:events)')
      .option('--json', 'machine-readable output'),
  async run(env: Env, [name, raw]) {
    // an unknown name is a usage error that suggests the nearest one
    const { DATASETS, findDataset, providerOf } = await import('../../providers/registry.js');
    const chosen = name === undefined ? DATASETS : [findDataset(name as string)];
    const times = (d: DatasetDef) => providerOf(d).times;
    env.stdout.write((raw as { json?: boolean }).json ? `${JSON.stringify(datasetsJson(chosen, times), null, 2)}\n` : datasetsText(chosen, times));
    return 0;
  },
};

/** `times`: the provider's time zone handling (its record's `times`). */
export function datasetsJson(datasets: readonly DatasetDef[], times: (d: DatasetDef) => string) {
  return datasets.map((d) => ({
    name: d.name,
    provider: d.provider,
    summary: d.summary,
    filters: d.filters,
    credentials: d.credentials.map((c) => c.env),
    params: (d.params ?? []).map((p) => ({ name: p.name, description: p.description, required: p.required ?? false, multiple: p.multiple ?? false, choices: p.choices, default: p.default })),
    notes: d.notes,
    times: times(d),
    dryRun: d.dryRun?.knows ?? GENERIC_DRY_RUN,
    columns: d.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(c.timeFormat ? { timeFormat: c.timeFormat } : {}) })),
  }));
}

function datasetsText(datasets: readonly DatasetDef[], times: (d: DatasetDef) => string): string {
  const lines: string[] = [];
  for (const d of datasets) {
    lines.push(`${d.name}  (${d.provider}) ${d.summary}`);
    lines.push(`  filters: ${d.filters.length ? d.filters.map((f) => `--${f}`).join(' ') : 'none'}; credentials: ${d.credentials.map((c) => c.env).join(', ')}`);
    for (const p of d.params ?? []) {
      const extra = [p.required ? 'required' : '', p.multiple ? 'repeatable' : '', p.choices ? `one of ${p.choices.join('|')}` : '', p.default ? `default ${p.default}` : ''].filter(Boolean).join(', ');
      lines.push(`  --param ${p.name}=...  ${p.description}${extra ? ` (${extra})` : ''}`);
    }
    if (d.notes) lines.push(`  note: ${d.notes}`);
    lines.push(`  times: ${times(d)}`);
    lines.push(`  --dry-run knows: ${d.dryRun?.knows ?? GENERIC_DRY_RUN}`);
    lines.push(`  columns: ${d.columns.map((c) => `${c.name} ${c.type}${c.nullable ? '?' : ''}`).join(', ')}`);
    lines.push('');
  }
  lines.push('(? = may be null)');
  return `${lines.join('\n')}\n`;
}
