import type { Command } from 'commander';
import type { Env } from '../../cli/env.js';
import type { CommandResult } from '../../cli/program.js';
import { DATASETS } from '../../providers/registry.js';

export function registerDatasets(program: Command, env: Env, result: CommandResult): void {
  program
    .command('datasets')
    .description('list datasets, their provider, filters and columns')
    .option('--json', 'machine-readable output')
    .action((raw: { json?: boolean }) => {
      env.stdout.write(raw.json ? `${JSON.stringify(datasetsJson(), null, 2)}\n` : datasetsText());
      result.code = 0;
    });
}

export function datasetsJson() {
  return DATASETS.map((d) => ({
    name: d.name,
    provider: d.provider,
    summary: d.summary,
    filters: d.filters,
    credentials: d.credentials.map((c) => c.env),
    params: (d.params ?? []).map((p) => ({ name: p.name, description: p.description, required: p.required ?? false, multiple: p.multiple ?? false, choices: p.choices, default: p.default })),
    notes: d.notes,
    columns: d.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
  }));
}

function datasetsText(): string {
  const lines: string[] = [];
  for (const d of DATASETS) {
    lines.push(`${d.name}  (${d.provider}) ${d.summary}`);
    lines.push(`  filters: ${d.filters.length ? d.filters.map((f) => `--${f}`).join(' ') : 'none'}; credentials: ${d.credentials.map((c) => c.env).join(', ')}`);
    for (const p of d.params ?? []) {
      const extra = [p.required ? 'required' : '', p.multiple ? 'repeatable' : '', p.choices ? `one of ${p.choices.join('|')}` : '', p.default ? `default ${p.default}` : ''].filter(Boolean).join(', ');
      lines.push(`  --param ${p.name}=...  ${p.description}${extra ? ` (${extra})` : ''}`);
    }
    if (d.notes) lines.push(`  note: ${d.notes}`);
    lines.push(`  columns: ${d.columns.map((c) => `${c.name} ${c.type}${c.nullable ? '?' : ''}`).join(', ')}`);
    lines.push('');
  }
  lines.push('(? = may be null)');
  return `${lines.join('\n')}\n`;
}
