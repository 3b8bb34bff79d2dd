import type { Env } from '../../core/env.js';
import { UsageError } from '../../core/errors.js';
import { countRows } from '../../destinations/count-rows.js';
import { parseS3Url } from '../../destinations/s3/url.js';
import type { Format } from '../../writers/types.js';
import { formatFromPath } from '../resolve.js';
import { countableDataset, coveredDays, givenIdentity, type FixWay, type VerifyTarget } from './target.js';

// `mbuzz verify s3://bucket/key.ext`: one object, read back through the S3 destination's own
// client (credentials, endpoint and errors the AWS way, as for export) and its rows counted per
// day like a local file's (a Parquet object by ranged GETs of its footer and date column). An
// object has no manifest beside it, so --dataset says which export it is, and --fix is refused.
// A prefix of date partitions (s3://bucket/prefix) plugs into verify-partitions.ts as a
// PartitionSource: its listing and records from the S3 partition directory, countPart through
// readStream/randomAccess here.

export function s3VerifyTarget(url: string, env: Env, say: (line: string) => void): VerifyTarget {
  const loc = parseS3Url(url);
  const named = formatFromPath(loc.key);
  if (loc.key === '' || loc.key.endsWith('/') || named.format === undefined) {
    throw new UsageError(`${url}: verify reads one S3 object (s3://bucket/key.ndjson, .csv, .parquet, .gz) for now, not a prefix of partitions`);
  }
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
