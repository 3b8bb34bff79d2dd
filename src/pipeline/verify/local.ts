import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { countRows, localFile } from '../../destinations/count-rows.js';
import { listPartitions } from '../../destinations/partition-records.js';
import { LocalPartitionStore } from '../../destinations/local-partitions.js';
import { tableName } from '../../schema/ddl.js';
import type { Format } from '../../writers/types.js';
import { formatFromPath } from '../resolve.js';
import { describeExport } from '../same-export.js';
import { readPartitions, type PartitionSource } from './partitions.js';
import { countableDataset, coveredDays, givenIdentity, readManifest, type FixWay, type HeldExport, type ReadOptions, type VerifyTarget } from './target.js';

// Local output for `mbuzz verify`: a directory of date partitions (DIR/date=YYYY-MM-DD, or one
// such directory per dataset after `export all`), or one file. Partitions are counted from their
// records (_mbuzz.json, whose size was checked against the file), a partition without one by
// reading its file; a single file is read and its rows counted per day by the date column. The
// export comes from the records or the manifest, or from --dataset when neither says.

const MANIFEST = '_manifest.json';

export function localTarget(path: string, isDir: boolean): VerifyTarget {
  return { label: path, read: (o) => (isDir ? readDirectory(path, o) : readFile(path, o).then((h) => [h])) };
}

function localPartitions(dir: string): PartitionSource {
  return {
    label: dir,
    list: async () => (await listPartitions(new LocalPartitionStore(dir))).filter((p) => p.files.length > 0 || p.record),
    countPart: async (p, name, format) => (await countRows(localFile(join(dir, `date=${p.date}`, name)), { format, gzip: false })).get('') ?? 0,
  };
}

async function readDirectory(dir: string, o: ReadOptions): Promise<HeldExport[]> {
  const manifestName = join(dir, MANIFEST);
  const manifest = await readManifest(manifestName);
  const src = localPartitions(dir);
  const parts = await src.list();
  // `export all`: no partitions here, one directory of them per dataset, one manifest for all
  if (!parts.length && manifest) {
    const subs: HeldExport[] = [];
    for (const dataset of new Set(manifest.datasets.map((d) => d.dataset))) {
      const sub = join(dir, tableName(dataset));
      if (!(await fsp.stat(sub).catch(() => undefined))?.isDirectory()) continue;
      if (o.given) throw new UsageError(`${dir} records which exports it holds: drop --dataset and its filters`);
      subs.push(await readPartitions(localPartitions(sub), { entries: manifest.datasets.filter((d) => d.dataset === dataset), output: sub, manifestName }, o));
    }
    if (subs.length) return subs;
  }
  return [await readPartitions(src, { entries: manifest?.datasets ?? [], output: dir, manifestName }, o, parts)];
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
