import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError, UsageError } from '../core/errors.js';
import { countRows, localFile } from '../destinations/count-rows.js';
import { listPartitions, type ExportIdentity, type PartitionOnDisk } from '../destinations/partition-records.js';
import { tableName } from '../schema/ddl.js';
import type { Format } from '../writers/types.js';
import type { ManifestDataset } from './manifest.js';
import { formatFromPath } from './resolve.js';
import { describeExport, sameExport } from './same-export.js';
import { countableDataset, coveredDays, givenIdentity, readManifest, type FixWay, type GivenExport, type HeldExport, type ReadOptions, type VerifyTarget } from './verify-target.js';

// Local output for `mbuzz verify`: a directory of date partitions (DIR/date=YYYY-MM-DD, or one
// such directory per dataset after `export all`), or one file. Partitions are counted from their
// records (_mbuzz.json, whose size was checked against the file), a partition without one by
// reading its file; a single file is read and its rows counted per day by the date column. The
// export comes from the records or the manifest, or from --dataset when neither says.

const MANIFEST = '_manifest.json';

export function localTarget(path: string, isDir: boolean): VerifyTarget {
  return { label: path, read: (o) => (isDir ? readDirectory(path, o) : readFile(path, o).then((h) => [h])) };
}

async function readDirectory(dir: string, o: ReadOptions): Promise<HeldExport[]> {
  const manifest = await readManifest(join(dir, MANIFEST));
  const parts = await partitionsIn(dir);
  // `export all`: one directory of partitions per dataset, one manifest for them all
  if (!parts.length && manifest && manifest.datasets.length > 0) {
    const subs = manifest.datasets.filter((d, i, all) => all.findIndex((x) => x.dataset === d.dataset) === i);
    const nested = await Promise.all(subs.map(async (d) => ({ d, dir: join(dir, tableName(d.dataset)) })));
    const present = [];
    for (const n of nested) if ((await fsp.stat(n.dir).catch(() => undefined))?.isDirectory()) present.push(n);
    if (present.length > 1 || (present.length === 1 && manifest.datasets.length > 1)) {
      if (o.given) throw new UsageError(`${dir} holds several datasets, each recorded: drop --dataset and its filters`);
      return Promise.all(present.map((n) => readPartitions(n.dir, manifest.datasets.filter((x) => x.dataset === n.d.dataset), o)));
    }
  }
  return [await readPartitions(dir, manifest?.datasets ?? [], o, parts)];
}

async function partitionsIn(dir: string): Promise<PartitionOnDisk[]> {
  return (await listPartitions(dir)).filter((p) => p.files.length > 0 || p.record);
}

async function readPartitions(dir: string, entries: readonly ManifestDataset[], o: ReadOptions, found?: PartitionOnDisk[]): Promise<HeldExport> {
  const parts = found ?? (await partitionsIn(dir));
  const records = parts.flatMap((p) => (p.record ? [p.record] : []));
  const kinds: ExportIdentity[] = [];
  for (const r of records) if (!kinds.some((k) => sameExport(k, r.export))) kinds.push(r.export);
  if (kinds.length > 1) throw new UsageError(`${dir} holds partitions of ${kinds.length} exports (${kinds.map(describeExport).join('; ')}): nothing can be verified against one of them`);
  const entry = entries.find((e) => e.export !== undefined);
  const recorded = kinds[0] ?? entry?.export;
  if (recorded && o.given) throw new UsageError(`${dir} records which export it holds (${describeExport(recorded)}): drop --dataset and its filters`);
  const format = recorded?.format ?? formatOfParts(parts);
  const identity = recorded ?? (o.given ? givenIdentity(o.given, format ?? 'ndjson') : undefined);
  if (!identity) {
    const what = entries.length ? `${join(dir, MANIFEST)} was written by an older mbuzz and does not say the export's filters` : `no _mbuzz.json records and no ${MANIFEST}`;
    throw new UsageError(`nothing in ${dir} says which export wrote it (${what}): say it with --dataset NAME and the export's --channel/--funnel/--param`);
  }
  if (!parts.length && !entries.length && !o.range) throw new UsageError(`${dir} holds no partitions and no manifest: nothing to verify (give --from/--to to check days it should hold)`);

  const held = new Map<string, number>();
  for (const p of parts) held.set(p.date, p.record ? p.record.file.rows : await countPartition(p, identity.format as Format));
  const latest = records.reduce<(typeof records)[number] | undefined>((a, r) => (!a || r.run.startedAt > a.run.startedAt ? r : a), undefined);
  const spans = entries.filter((e) => e.dataset === identity.dataset);
  return {
    label: dir,
    identity,
    recorded: recorded !== undefined,
    source: latest?.source,
    days: coveredDays(held, spans, o.range),
    fix: { kind: 'days', output: dir, partitionBy: 'date' },
  };
}

/** A partition nothing recorded: its one part file read and counted. */
async function countPartition(p: PartitionOnDisk, format: Format): Promise<number> {
  const file = p.files.length === 1 ? p.files[0] : p.files.find((f) => f.name.endsWith(`.${format}`));
  if (!file) throw new IntegrityError(`${p.dir} holds ${p.files.length} part files and no record of which is current`);
  const counts = await countRows(localFile(join(p.dir, file.name)), { format: formatFromPath(file.name).format!, gzip: false });
  return counts.get('') ?? 0;
}

function formatOfParts(parts: readonly PartitionOnDisk[]): Format | undefined {
  const name = parts.find((p) => p.files.length)?.files[0]?.name;
  return name === undefined ? undefined : formatFromPath(name).format;
}

async function readFile(path: string, o: ReadOptions): Promise<HeldExport> {
  const manifestPath = `${path}.manifest.json`;
  const manifest = await readManifest(manifestPath);
  const entry = manifest?.datasets[0];
  const recorded = entry?.export;
  if (recorded && o.given) throw new UsageError(`${manifestPath} says which export ${path} holds (${describeExport(recorded)}): drop --dataset and its filters`);
  const named = formatFromPath(path);
  const identity = recorded ?? (o.given && named.format ? givenIdentity(o.given, named.format) : undefined);
  if (!identity) {
    if (o.given) throw new UsageError(`cannot tell ${path}'s format from its name: name it .ndjson, .jsonl, .csv or .parquet (text formats may add .gz)`);
    const why = entry ? `${manifestPath} was written by an older mbuzz and does not say the export's filters` : `no ${manifestPath}`;
    throw new UsageError(`nothing says which export wrote ${path} (${why}): say it with --dataset NAME and the export's --channel/--funnel/--param`);
  }
  const dataset = countableDataset(identity.dataset);
  const dateColumn = dataset.dateColumn;
  if (!dateColumn) throw new UsageError(`${dataset.name} has no date column, and verify compares rows per day`);
  if (identity.fields && !identity.fields.includes(dateColumn)) throw new UsageError(`${path} has no ${dateColumn} column (--fields left it out), so its rows cannot be counted per day`);
  // One file holds the whole range: no day of it can be replaced alone, so --fix exports the
  // range again, as the manifest records it; without one, nothing says which columns to write.
  const fix: FixWay =
    entry && recorded
      ? { kind: 'whole', output: path, from: entry.from, to: entry.to }
      : { kind: 'refuse', why: `nothing records how ${path} was written (columns, format, range), and one file cannot have days replaced: export it again (with --manifest, so verify --fix can next time)` };
  if (o.fix && fix.kind === 'refuse') throw new UsageError(`--fix: ${fix.why}`);
  const counts = await countRows(localFile(path), { format: identity.format as Format, gzip: named.gzip, dateColumn });
  return { label: path, identity, recorded: recorded !== undefined, days: coveredDays(counts, entry ? [entry] : [], o.range), fix };
}

export type { GivenExport };
