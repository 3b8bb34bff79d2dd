import { IntegrityError, UsageError } from '../../core/errors.js';
import type { ExportIdentity, PartitionOnDisk } from '../../destinations/partition-records.js';
import type { Format } from '../../writers/types.js';
import type { ManifestDataset } from '../manifest.js';
import { formatFromPath } from '../resolve.js';
import { describeExport, sameExport } from '../same-export.js';
import { coveredDays, givenIdentity, type HeldExport, type ReadOptions } from './target.js';

// A directory of date partitions as `mbuzz verify` reads it, wherever it lives: the partitions
// present with their records (partition-records.ts: which export wrote each, and its rows), the
// manifest's ranges for the days a run read and found empty, and a count of the part file for a
// partition nothing recorded. A local DIR (local.ts) and an S3 prefix are each a source.

export interface PartitionSource {
  /** For messages: the directory or prefix as the user wrote it. */
  label: string;
  /** Every partition with part files or a record, oldest first; `record` only when it describes the part file present. */
  list(): Promise<PartitionOnDisk[]>;
  /** Rows in one part file, read from the file itself (a partition without a record). */
  countPart(p: PartitionOnDisk, name: string, format: Format): Promise<number>;
}

export interface PartitionRead {
  /** The manifest's entries for this directory's dataset (its ranges; the export, for an older directory without records). */
  entries: readonly ManifestDataset[];
  /** What --fix is given as -o: the directory or prefix. */
  output: string;
  /** For the message when nothing says which export this is. */
  manifestName: string;
}

export async function readPartitions(src: PartitionSource, r: PartitionRead, o: ReadOptions, listed?: PartitionOnDisk[]): Promise<HeldExport> {
  const parts = listed ?? (await src.list());
  const records = parts.flatMap((p) => (p.record ? [p.record] : []));
  const kinds: ExportIdentity[] = [];
  for (const rec of records) if (!kinds.some((k) => sameExport(k, rec.export))) kinds.push(rec.export);
  if (kinds.length > 1) throw new UsageError(`${src.label} holds partitions of ${kinds.length} exports (${kinds.map(describeExport).join('; ')}): nothing can be verified against one of them`);
  const recorded = kinds[0] ?? r.entries.find((e) => e.export !== undefined)?.export;
  if (recorded && o.given) throw new UsageError(`${src.label} records which export it holds (${describeExport(recorded)}): drop --dataset and its filters`);
  const identity = recorded ?? (o.given ? givenIdentity(o.given, formatOfParts(parts) ?? 'ndjson') : undefined);
  if (!identity) {
    const what = r.entries.length ? `${r.manifestName} was written by an older mbuzz and does not say the export's filters` : `no _mbuzz.json records and no ${r.manifestName}`;
    throw new UsageError(`nothing in ${src.label} says which export wrote it (${what}): say it with --dataset NAME and the export's --channel/--funnel/--param`);
  }
  if (!parts.length && !r.entries.length && !o.range) throw new UsageError(`${src.label} holds no partitions and no manifest: nothing to verify (give --from/--to for the days it should hold)`);

  const held = new Map<string, number>();
  for (const p of parts) {
    // a record from before records counted rows says nothing about them: the file is read instead
    const rows = p.record?.file.rows;
    held.set(p.date, typeof rows === 'number' && Number.isSafeInteger(rows) && rows >= 0 ? rows : await countUnrecorded(src, p, identity.format as Format));
  }
  const latest = records.reduce<(typeof records)[number] | undefined>((a, rec) => (!a || rec.run.startedAt > a.run.startedAt ? rec : a), undefined);
  return {
    label: src.label,
    identity,
    recorded: recorded !== undefined,
    source: latest?.source,
    days: coveredDays(held, r.entries.filter((e) => e.dataset === identity.dataset), o.range),
    fix: { kind: 'days', output: r.output, partitionBy: 'date' },
  };
}

async function countUnrecorded(src: PartitionSource, p: PartitionOnDisk, format: Format): Promise<number> {
  const file = p.files.length === 1 ? p.files[0] : p.files.find((f) => f.name.endsWith(`.${format}`));
  if (!file) throw new IntegrityError(`${src.label}/date=${p.date} holds ${p.files.length} part files and no record of which is current`);
  return src.countPart(p, file.name, formatFromPath(file.name).format!);
}

function formatOfParts(parts: readonly PartitionOnDisk[]): Format | undefined {
  const name = parts.find((p) => p.files.length)?.files[0]?.name;
  return name === undefined ? undefined : formatFromPath(name).format;
}
