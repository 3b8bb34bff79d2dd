import { UsageError } from '../../core/errors.js';
import { addDays, eachDay, parseIsoDate } from '../../core/dates.js';
import { reasonOf, readRegularFile } from '../../core/safe-files.js';
import type { ExportIdentity } from '../../destinations/partition-records.js';
import { DATASETS, findDataset, providerOf } from '../../providers/registry.js';
import type { DatasetDef } from '../../providers/types.js';
import { FORMATS } from '../../writers/types.js';
import type { Manifest, ManifestDataset } from '../manifest.js';

// What `mbuzz verify` reads from a target before it asks the API anything: which export wrote
// the rows (dataset, filters, format, columns), how many rows it holds for each day it covers,
// and how --fix can write days back. One small interface, so each destination plugs in with a
// reader of its own: a local file or directory of partitions (local.ts), a PostgreSQL
// table (postgres.ts), and S3 objects and prefixes the same way.

export interface HeldExport {
  /** The target as the user wrote it (passwords masked): for messages. */
  label: string;
  /** Which export wrote the rows; undefined when nothing recorded it (then --dataset must say). */
  identity?: ExportIdentity;
  /** Whether `identity` came from the target's own records (not from --dataset): --fix needs it to. */
  recorded: boolean;
  /** sha256 of base URL and key of the run that wrote the latest rows, when a record says. */
  source?: string;
  /** Rows held for every day covered, oldest first; 0 = covered, and empty. */
  days: Map<string, number>;
  /** How --fix writes days back here. */
  fix: FixWay;
}

/**
 * - `days`: each run of consecutive days that differ is exported again into `output` (a
 *   directory of partitions, a table), replacing those days and nothing else;
 * - `whole`: a single file cannot have days replaced: its whole range is exported again;
 * - `refuse`: why --fix cannot write here.
 */
export type FixWay = { kind: 'days'; output: string; partitionBy?: 'date' } | { kind: 'whole'; output: string; from: string; to: string } | { kind: 'refuse'; why: string };

/** What the user said about the export, for a target that does not record it (--dataset and its filters). */
export interface GivenExport {
  dataset: string;
  filters: ExportIdentity['filters'];
}

export interface ReadOptions {
  /** --from/--to: exactly these days, whatever the target covers. */
  range?: { from: string; to: string };
  given?: GivenExport;
  /** --fix was asked for: a reader that cannot fix says so before it reads everything. */
  fix?: boolean;
}

export interface VerifyTarget {
  label: string;
  read(o: ReadOptions): Promise<HeldExport[]>;
}

/**
 * The days to check: `range` when given, else every day from the first to the last day the
 * target shows (its rows, its manifest's ranges): a day in between with no rows holds none.
 */
export function coveredDays(held: ReadonlyMap<string, number>, spans: readonly { from: string; to: string }[], range?: { from: string; to: string }): Map<string, number> {
  const bounds = range ? [range] : [...spans, ...[...held.keys()].map((d) => ({ from: d, to: d }))];
  if (!bounds.length) return new Map();
  const from = range?.from ?? bounds.reduce((m, b) => (b.from < m ? b.from : m), bounds[0]!.from);
  const to = range?.to ?? bounds.reduce((m, b) => (b.to > m ? b.to : m), bounds[0]!.to);
  const out = new Map<string, number>();
  for (const d of eachDay(from, to)) out.set(d, held.get(d) ?? 0);
  return out;
}

/** An identity from --dataset and its filters: what was written is not known (format and columns as found). */
export function givenIdentity(given: GivenExport, format: ExportIdentity['format']): ExportIdentity {
  return { dataset: given.dataset, filters: given.filters, format, fields: null, csvSafe: false };
}

/** The dataset, if the API counts its rows per day (a UsageError saying which can, otherwise). */
export function countableDataset(name: string): DatasetDef & { dayTotal: NonNullable<DatasetDef['dayTotal']> } {
  const dataset = findDataset(name);
  if (!dataset.dayTotal) {
    const supported = DATASETS.filter((d) => d.dayTotal).map((d) => d.name);
    throw new UsageError(`mbuzz verify compares each day with the API's count of it, and ${providerOf(dataset).title} has no cheap per-day count for ${dataset.name}; verify supports ${supported.join(', ')}`);
  }
  return dataset as DatasetDef & { dayTotal: NonNullable<DatasetDef['dayTotal']> };
}

/** Days as runs of consecutive days: each run is one export when --fix writes them back. */
export function dayRuns(days: readonly string[]): { from: string; to: string }[] {
  const runs: { from: string; to: string }[] = [];
  for (const d of [...days].sort()) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === d) last.to = d;
    else runs.push({ from: d, to: d });
  }
  return runs;
}

/**
 * The manifest at `path`, checked as far as verify relies on it; undefined when there is none.
 * A manifest that is there but damaged is a usage error naming it: guessing around it could
 * verify the wrong export.
 */
export async function readManifest(path: string): Promise<Manifest | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readRegularFile(path);
  } catch (err) {
    throw new UsageError(`cannot read the manifest ${path}: ${reasonOf(err)}`);
  }
  if (bytes === undefined) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw damagedManifest(path, 'not JSON');
  }
  return checkManifest(m, path);
}

export function damagedManifest(name: string, why: string): UsageError {
  return new UsageError(`the manifest ${name} is damaged (${why}): remove it and say which export this is with --dataset, or export again to rewrite it`);
}

/** A parsed manifest (from a file, an object store), checked; `name` says where it came from. */
export function checkManifest(m: unknown, name: string): Manifest {
  if (typeof m !== 'object' || m === null || (m as Manifest).tool !== 'mbuzz') throw damagedManifest(name, 'not an mbuzz manifest');
  const datasets = (m as Manifest).datasets;
  if (!Array.isArray(datasets)) throw damagedManifest(name, 'no datasets list');
  datasets.forEach((d: ManifestDataset, i) => {
    const why = datasetProblem(d);
    if (why) throw damagedManifest(name, `datasets[${i}]${why}`);
  });
  return m as Manifest;
}

function datasetProblem(d: ManifestDataset): string | undefined {
  if (typeof d !== 'object' || d === null) return ' is not an object';
  if (typeof d.dataset !== 'string') return '.dataset is missing';
  for (const k of ['from', 'to'] as const) if (typeof d[k] !== 'string' || parseIsoDate(d[k]) === undefined) return `.${k} is not a YYYY-MM-DD day`;
  if (d.from > d.to) return '.from is after .to';
  if (d.export === undefined) return undefined;
  const e = d.export;
  if (typeof e !== 'object' || e === null || e.dataset !== d.dataset) return '.export does not name the dataset';
  if (typeof e.filters !== 'object' || e.filters === null || Array.isArray(e.filters)) return '.export.filters is not an object';
  if (!(FORMATS as readonly string[]).includes(e.format)) return '.export.format is not a format';
  if (e.fields !== null && !(Array.isArray(e.fields) && e.fields.every((f) => typeof f === 'string'))) return '.export.fields is not a list of columns';
  if (typeof e.csvSafe !== 'boolean') return '.export.csvSafe is not true or false';
  return undefined;
}
