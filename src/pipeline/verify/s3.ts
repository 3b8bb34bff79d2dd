import type { Env } from '../../core/env.js';
import { UsageError } from '../../core/errors.js';
import { countRows, type CountSource } from '../../destinations/count-rows.js';
import { listPartitions } from '../../destinations/partition-records.js';
import type { S3PartitionStore } from '../../destinations/s3/partitions.js';
import { tableName } from '../../schema/ddl.js';
import type { Manifest } from '../manifest.js';
import { readPartitions, type PartitionSource } from './partitions.js';
import { parseS3Url } from '../../destinations/s3/url.js';
import type { Format } from '../../writers/types.js';
import { formatFromPath } from '../resolve.js';
import { checkManifest, countableDataset, coveredDays, damagedManifest, givenIdentity, type FixWay, type HeldExport, type VerifyTarget } from './target.js';

const MANIFEST = '_manifest.json';

// `mbuzz verify s3://bucket/key.ext`: one object, read back through the S3 destination's own
// client (credentials, endpoint and errors the AWS way, as for export) and its rows counted per
// day like a local file's (a Parquet object by ranged GETs of its footer and date column). An
// object has no manifest beside it, so --dataset says which export it is, and --fix is refused.
// A prefix of date partitions (s3://bucket/prefix) is a PartitionSource (partitions.ts): its
// listing and records from the S3 partition store, a part nothing recorded counted through
// readStream/randomAccess, the manifest read from the prefix; --fix exports to the prefix again.

export function s3VerifyTarget(url: string, env: Env, say: (line: string) => void): VerifyTarget {
  const loc = parseS3Url(url);
  const named = formatFromPath(loc.key);
  // no format in the name: a prefix of date partitions, read like a local directory of them
  if (loc.key === '' || loc.key.endsWith('/') || named.format === undefined) return s3PartitionsTarget(url, env, say);
  return {
    label: url,
    async read(o) {
      if (!o.given) throw new UsageError(`nothing says which export wrote ${url} (an S3 object has no manifest beside it): say it with --dataset NAME and the export's --channel/--funnel/--param`);
      const fix: FixWay = { kind: 'refuse', why: `nothing records how ${url} was written (columns, format, range), and one object cannot have days replaced: export it again` };
      if (o.fix) throw new UsageError(`--fix: ${fix.why}`);
      const identity = givenIdentity(o.given, named.format as Format);
      const dateColumn = countableDataset(identity.dataset).dateColumn;
      if (!dateColumn) throw new UsageError(`${identity.dataset} has no date column, and verify compares rows per day`);
      const { S3Store } = await import('../../destinations/s3/store.js');
      const store = await S3Store.open(loc.bucket, { vars: env.vars, home: env.home, onWarning: (l) => say(`warning: ${l}`) });
      try {
        const counts = await countRows({ label: url, open: () => store.readStream(loc.key), parquet: () => store.randomAccess(loc.key) }, { format: named.format as Format, gzip: named.gzip, dateColumn });
        return [{ label: url, identity, recorded: false, days: coveredDays(counts, [], o.range), fix }];
      } finally {
        store.close();
      }
    },
  };
}

function s3PartitionsTarget(url: string, env: Env, say: (line: string) => void): VerifyTarget {
  return {
    label: url,
    async read(o) {
      const { S3PartitionStore } = await import('../../destinations/s3/partitions.js');
      const parts = await S3PartitionStore.open(url, { vars: env.vars, home: env.home, onWarning: (l) => say(`warning: ${l}`) });
      try {
        const manifestName = `${parts.where.replace(/\/?$/, '/')}${MANIFEST}`;
        const text = await parts.store.readText(`${parts.prefix}${MANIFEST}`);
        let manifest: Manifest | undefined;
        if (text !== undefined) {
          let m: unknown;
          try {
            m = JSON.parse(text);
          } catch {
            throw damagedManifest(manifestName, 'not JSON');
          }
          manifest = checkManifest(m, manifestName);
        }
        const src = s3Partitions(parts);
        const listed = await src.list();
        // `export all`: no partitions here, one prefix of them per dataset, one manifest for all
        if (!listed.length && manifest) {
          const subs: HeldExport[] = [];
          for (const dataset of new Set(manifest.datasets.map((d) => d.dataset))) {
            const child = parts.child(tableName(dataset)) as typeof parts;
            const sub = s3Partitions(child);
            const childParts = await sub.list();
            if (!childParts.length) continue;
            if (o.given) throw new UsageError(`${url} records which exports it holds: drop --dataset and its filters`);
            subs.push(await readPartitions(sub, { entries: manifest.datasets.filter((d) => d.dataset === dataset), output: child.where, manifestName }, o, childParts));
          }
          if (subs.length) return subs;
        }
        return [await readPartitions(src, { entries: manifest?.datasets ?? [], output: url, manifestName }, o, listed)];
      } finally {
        parts.close();
      }
    },
  };
}

function s3Partitions(parts: S3PartitionStore): PartitionSource {
  return {
    label: parts.where,
    list: async () => (await listPartitions(parts)).filter((p) => p.files.length > 0 || p.record),
    countPart: async (p, name, format) => {
      const key = `${parts.prefix}date=${p.date}/${name}`;
      const src: CountSource = { label: parts.store.url(key), open: () => parts.store.readStream(key), parquet: () => parts.store.randomAccess(key) };
      return (await countRows(src, { format, gzip: false })).get('') ?? 0;
    },
  };
}
