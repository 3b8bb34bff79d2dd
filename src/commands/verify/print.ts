import { describeExport } from '../../pipeline/same-export.js';
import { differs, type ExportCheck } from '../../pipeline/verify/verify.js';

// What verify prints on stdout: per export, a line saying how many days differ, then those days
// (day, rows held, the API's count now, the difference); or, with --json, every day checked.

const n = (x: number) => x.toLocaleString('en-US');

export function verifyText(checks: readonly ExportCheck[]): string {
  const out: string[] = [];
  for (const c of checks) {
    const what = `${describeExport(c.held.identity)} in ${c.held.label}`;
    const bad = c.days.filter(differs);
    const days = `${c.days.length} day${c.days.length === 1 ? '' : 's'}`;
    if (!bad.length) {
      out.push(`${what}: all ${days} match the API (${n(c.days.reduce((s, d) => s + d.held, 0))} rows)`);
      continue;
    }
    out.push(`${what}: ${bad.length} of ${days} differ from the API now`);
    const rows = bad.map((d) => [d.day, n(d.held), n(d.api), `${d.api > d.held ? '+' : ''}${n(d.api - d.held)}`, d.open ? 'still changing (today or later, UTC)' : '']);
    const head = ['day', 'held', 'api now', 'difference', ''];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) out.push(`  ${r.map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('  ').trimEnd()}`);
  }
  return `${out.join('\n')}\n`;
}

export function verifyJson(checks: readonly ExportCheck[]): string {
  const doc = checks.map((c) => ({
    target: c.held.label,
    export: c.held.identity,
    days: c.days.map((d) => ({ day: d.day, held: d.held, api: d.api, difference: d.api - d.held, open: d.open })),
    differ: c.days.filter(differs).map((d) => d.day),
  }));
  return `${JSON.stringify({ exports: doc }, null, 2)}\n`;
}
