import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { listPartitions, type ExportIdentity, type PartitionOnDisk } from '../destinations/partition-records.js';
import type { PartitionStore } from '../destinations/partition-store.js';
import type { ExportOptions } from '../providers/types.js';

// One directory of partitions holds one export. A run with other filters, columns or format
// would otherwise replace the days it reads and leave the others as they were: a directory whose
// days mean different things, with exit 0. So the partition records are read before any request
// and such a run is refused (exit 2) unless --replace-export says the directory is to become this
// export, in which case the other export's partitions are replaced or removed at commit.
// A different dataset is never mixed in. A different key or base URL only warns: a rotated key is
// routine, and nothing in the records can tell it from another account's.

export function exportIdentity(o: ExportOptions): ExportIdentity {
  const filters: Record<string, unknown> = {};
  if (o.channels !== undefined) filters.channels = [...o.channels].sort();
  if (o.funnel !== undefined) filters.funnel = o.funnel;
  if (o.customer !== undefined) filters.customer = o.customer;
  const params = Object.keys(o.params).sort();
  if (params.length) filters.params = Object.fromEntries(params.map((k) => [k, o.params[k]]));
  return { dataset: o.dataset.name, filters, format: o.format, fields: o.projected ? o.columns.map((c) => c.name) : null, csvSafe: o.csvSafe };
}

/** Which host and account: base URL and credentials, hashed (16 hex), never the key itself. */
export function sourceFingerprint(o: ExportOptions): string {
  const creds = Object.keys(o.credentials).sort().map((k) => [k, o.credentials[k]]);
  return createHash('sha256').update(JSON.stringify({ baseUrl: o.baseUrl, creds })).digest('hex').slice(0, 16);
}

/** The export in words, as a command line would say it. */
export function describeExport(e: ExportIdentity): string {
  const f = e.filters as { channels?: string[]; funnel?: string; customer?: string; params?: Record<string, string[]> };
  const parts: string[] = [];
  if (f.channels) parts.push(`--channel ${f.channels.join(',')}`);
  if (f.funnel !== undefined) parts.push(`--funnel ${f.funnel}`);
  if (f.customer !== undefined) parts.push(`--customer ${f.customer}`);
  for (const [k, vs] of Object.entries(f.params ?? {})) for (const v of vs) parts.push(`--param ${k}=${v}`);
  if (!parts.length) parts.push('no filters');
  parts.push(e.format);
  if (e.fields) parts.push(`--fields ${e.fields.join(',')}`);
  if (e.csvSafe) parts.push('--csv-safe');
  return `${e.dataset} (${parts.join(', ')})`;
}

export function sameExport(a: ExportIdentity, b: ExportIdentity): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Refuses (UsageError) to mix another export into `dir`; warns of partitions nothing recorded and
 * of another source. Returns the dates of the other export's partitions that --replace-export
 * hands over to this run (each replaced by this run's rows for the day, or removed).
 */
export async function checkSameExport(store: PartitionStore, o: ExportOptions, replace: boolean, say: (line: string) => void): Promise<string[]> {
  const dir = store.where;
  const ours = exportIdentity(o);
  const parts = (await listPartitions(store)).filter((p) => p.files.length > 0 || p.record);
  const unrecorded = parts.filter((p) => !p.record);
  if (unrecorded.length) {
    say(`warning: ${dir} has ${count(unrecorded)} with no record of the export that wrote them (${span(unrecorded)}: an older mbuzz, another tool, or a run that died while publishing); they are kept as they are, and exporting those days again records them`);
  }
  const recorded = parts.filter((p): p is PartitionOnDisk & { record: NonNullable<PartitionOnDisk['record']> } => p.record !== undefined);
  const otherDataset = recorded.filter((p) => p.record.export.dataset !== ours.dataset);
  if (otherDataset.length) {
    const theirs = otherDataset[0]!.record.export.dataset;
    throw new UsageError(`${dir} holds ${theirs} partitions (${count(otherDataset)}, ${span(otherDataset)}); ${ours.dataset} goes to a directory of its own`);
  }
  const other = recorded.filter((p) => !sameExport(p.record.export, ours));
  if (other.length && !replace) {
    throw new UsageError(
      `${dir} holds ${describeExport(other[0]!.record.export)} in ${count(other)} (${span(other)}), and this run is ${describeExport(ours)}: ` +
        `use another directory, or --replace-export to make ${dir} this export (those partitions are replaced or removed)`,
    );
  }
  if (other.length) say(`--replace-export: ${count(other)} of ${describeExport(other[0]!.record.export)} in ${dir} are replaced by this run's days or removed`);
  // Said once, when the source changes: the latest run's record is the one compared, so a rotated
  // key warns on its first run and not every night after while older days keep the old fingerprint.
  const latest = recorded.reduce<(typeof recorded)[number] | undefined>((a, p) => (!a || p.record.run.startedAt > a.record.run.startedAt ? p : a), undefined);
  if (latest && latest.record.source !== sourceFingerprint(o)) {
    say(`warning: the last run into ${dir} (${latest.record.run.startedAt}) used another API key or base URL than this one: fine for a rotated key, wrong for another account`);
  }
  return other.map((p) => p.date);
}

const count = (ps: readonly unknown[]) => `${ps.length} partition${ps.length === 1 ? '' : 's'}`;
const span = (ps: readonly PartitionOnDisk[]) => (ps.length === 1 ? ps[0]!.date : `${ps[0]!.date}..${ps[ps.length - 1]!.date}`);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
