import { VERSION } from '../../core/version.js';
import type { DatasetDryRun, DryRunResult } from '../../pipeline/dry-run.js';
import { formatDuration } from '../../pipeline/summary.js';

// The dry run's plan on stdout: for people, or with --json as one JSON document that says the
// same (a scheduler checks a plan before it commits to a run).

const n = (v: number) => v.toLocaleString('en-US');
const plural = (k: number, word: string) => `${n(k)} ${word}${k === 1 ? '' : 's'}`;

export function renderDryRun(result: DryRunResult, json: boolean): string {
  return json ? `${JSON.stringify(dryRunJson(result), null, 2)}\n` : dryRunText(result);
}

export function dryRunJson(result: DryRunResult): Record<string, unknown> {
  const datasets = result.datasets.map((d) => ({
    dataset: d.dataset,
    from: d.from,
    to: d.to,
    days: d.days,
    format: d.format,
    output: d.output,
    basis: d.plan.basis,
    windows: d.plan.windows ?? null,
    rows: d.plan.rows ?? null,
    requests: d.plan.requests ?? null,
    concurrency: d.plan.concurrency,
    quota: d.plan.quota ?? null,
    notes: d.plan.notes,
    sent: d.sent,
    eta: d.eta,
  }));
  const known = <T>(values: (T | undefined)[]) => (values.every((v) => v !== undefined) ? (values as T[]) : undefined);
  const requests = known(result.datasets.map((d) => d.plan.requests?.count));
  const rows = known(result.datasets.map((d) => d.plan.rows));
  const etas = known(result.datasets.map((d) => d.eta?.ms));
  return {
    tool: 'mbuzz',
    version: VERSION,
    dryRun: true,
    datasets,
    totals: {
      requests: requests ? requests.reduce((a, b) => a + b, 0) : null,
      rows: rows ? rows.reduce((a, b) => a + b, 0) : null,
      sent: result.datasets.reduce((a, d) => a + d.sent.requests, 0),
      // datasets run one after another
      etaMs: etas ? etas.reduce((a, b) => a + b, 0) : null,
    },
    notes: result.notes,
  };
}

function dryRunText(result: DryRunResult): string {
  const sent = result.datasets.reduce((a, d) => a + d.sent.requests, 0);
  const lines = [`dry run: nothing written; ${sent ? `${plural(sent, 'request')} sent to plan it` : 'no request sent'}`];
  for (const note of result.notes) lines.push(note);
  for (const d of result.datasets) lines.push('', ...datasetText(d));
  return `${lines.join('\n')}\n`;
}

function datasetText(d: DatasetDryRun): string[] {
  const { plan } = d;
  const range = d.from === d.to ? d.from : `${d.from}..${d.to}`;
  const lines = [`${d.dataset} ${range} (${plural(d.days, 'day')}) -> ${d.output ?? 'stdout'} [${d.format}]`, `  how:      ${plan.basis}`];
  if (plan.windows) {
    const rows = plan.rows !== undefined ? `, ${plural(plan.rows, 'row')}` : '';
    lines.push(`  windows:  ${n(plan.windows.length)}${rows}`);
    for (const w of plan.windows) {
      const days = w.from === w.to ? w.from : `${w.from}..${w.to}`;
      const count = w.rows !== undefined ? plural(w.rows, 'row') : '';
      lines.push(`    ${days.padEnd(22)} ${count.padStart(14)}${w.open ? '  (open: today or later, still changing)' : ''}`.trimEnd());
    }
  } else lines.push(`  windows:  not known before reading (${plural(d.days, 'day')} in the range)`);
  if (plan.rows === undefined) lines.push('  rows:     not known before reading');
  const r = plan.requests;
  const estimate = r && !r.exact && !r.note ? 'about ' : '';
  lines.push(`  requests: ${r ? `${estimate}${n(r.count)}${r.note ? ` (${r.note})` : ''}` : 'not known before reading'}; ${plan.concurrency} in flight`);
  const q = plan.quota;
  if (!q) lines.push('  quota:    none stated by the API');
  else {
    const spend = q.spend !== undefined ? `the run takes ${n(q.spend)} ${q.unit}` : `the run's share is not known before reading`;
    const left = q.remaining !== undefined ? `, ${n(q.remaining)} left now` : '';
    lines.push(`  quota:    ${q.limit}: ${spend} (this dry run took ${n(q.spentByDryRun)}${left})`);
    if (q.warning) lines.push(`  warning:  ${q.warning}`);
  }
  lines.push(`  ETA:      ${d.eta ? `${formatDuration(d.eta.ms / 1000)} (${d.eta.model})` : 'not known before reading'}`);
  for (const note of plan.notes) lines.push(`  note:     ${note}`);
  return lines;
}
