import { UsageError } from '../core/errors.js';
import { addDays, daysBetween, isDayWord } from '../core/dates.js';
import { isPostgresUrl } from '../destinations/postgres/url.js';
import type { ExportFlags, Shard } from './request.js';

// `--shard I/N`: one of N workers (a Kubernetes indexed Job, an Airflow mapped task), each given
// the same command but its own I, exporting a deterministic 1/N of the range's days, so that
// I = 1..N cover it exactly once between them (docs/orchestration.md).
//
// The days are cut into N contiguous blocks, as even as they go (sizes differ by one at most;
// with fewer days than workers the last workers get none and say so). Contiguous, not dealt out
// day by day, because a shard is then an ordinary --from..--to export: the planner still reads a
// run of quiet days in one request instead of one per day, and everything that speaks in ranges
// (the days a run claims in a directory, the days read and found empty, the days a PostgreSQL
// load replaces) works unchanged. The price: a busy stretch of days lands on one worker.

export type { Shard };

const SHAPE = /^(\d{1,6})\/(\d{1,6})$/;
export const MAX_SHARDS = 10_000;

/** `--shard I/N`, checked: whole numbers, 1 <= I <= N <= 10000. */
export function parseShard(value: string): Shard {
  const m = SHAPE.exec(value.trim());
  if (!m) throw new UsageError(`--shard ${JSON.stringify(value)} must be I/N, e.g. 2/8 (this worker's number, 1 to N, over the number of workers)`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`--shard ${value}: N must be between 1 and ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new UsageError(`--shard ${value}: I must be between 1 and ${count} (workers are numbered from 1; Kubernetes' JOB_COMPLETION_INDEX is 0-based: add 1)`);
  return { index, count };
}

/**
 * What --shard cannot go with, refused before anything is sent. A shard's days must come from
 * the command line alone, the same for every worker whenever it starts: so --from and --to as
 * dates (not --range, today or yesterday, which move at midnight, nor --state, which each worker
 * would advance past days other workers are still writing). Each worker writes its own days, so
 * the target must take days from several writers: a directory or prefix of partitions, a
 * PostgreSQL table, or stdout; never one -o FILE, which each worker would replace with its share.
 */
export function checkShardFlags(flags: ExportFlags): void {
  if (!flags.shard) return;
  const refuse = (why: string) => {
    throw new UsageError(`--shard ${flags.shard!.index}/${flags.shard!.count}: ${why}`);
  };
  if (flags.state !== undefined) refuse('--state is for one worker (each would record days the others are still writing); give every shard the same --from and --to');
  if (flags.from === undefined || flags.to === undefined) refuse('give --from and --to, the same for every shard (a range that moves with the clock could differ between workers)');
  if (isDayWord(flags.from!) || isDayWord(flags.to!)) refuse('give --from and --to as YYYY-MM-DD: today and yesterday could differ between workers started either side of midnight');
  if (flags.resume) refuse('--resume continues one file; a shard writes partitions, which a re-run replaces whole');
  if (flags.maxRows !== undefined) refuse('--max-rows would stop each shard at its own count, so the union would be neither whole nor that many rows');
  if (flags.replaceExport) refuse('--replace-export removes partitions of every day, other shards\' too: run it once, unsharded, first');
  const toFile = flags.output !== undefined && flags.output !== '-' && !isPostgresUrl(flags.output) && !flags.partitionBy;
  if (toFile) refuse('every shard would replace -o FILE with its own days: use -o DIR (or s3://bucket/prefix) --partition-by date, a postgresql:// table, or stdout');
}

/** This shard's days of from..to (contiguous, in order), or undefined when it gets none. */
export function shardDays(from: string, to: string, shard: Shard): { from: string; to: string } | undefined {
  const days = daysBetween(from, to);
  const start = Math.floor(((shard.index - 1) * days) / shard.count);
  const end = Math.floor((shard.index * days) / shard.count);
  if (end <= start) return undefined;
  return { from: addDays(from, start), to: addDays(from, end - 1) };
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
