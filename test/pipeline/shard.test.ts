import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { checkShardFlags, parseShard, shardDays } from '../../src/pipeline/shard.js';
import type { ExportFlags } from '../../src/pipeline/request.js';

// --shard I/N: the N shards of a range are its days exactly once, each a contiguous block.

/** Every day from..to, counted by hand with Date (not core/dates). */
function calendar(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

describe('parseShard', () => {
  it('reads I/N', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
  });
  it.each([
    ['0/4', /I must be between 1 and 4 \(workers are numbered from 1; Kubernetes' JOB_COMPLETION_INDEX is 0-based: add 1\)/],
    ['5/4', /I must be between 1 and 4/],
    ['1/0', /N must be between 1 and 10000/],
    ['1/10001', /N must be between 1 and 10000/],
    ['2', /must be I\/N, e.g. 2\/8/],
    ['-1/4', /must be I\/N/],
    ['1.5/4', /must be I\/N/],
    ['a/b', /must be I\/N/],
  ])('refuses %s (a usage error, exit 2)', (value, message) => {
    let err: unknown;
    try {
      parseShard(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('shardDays', () => {
  it('the shards of any range are its days, each exactly once, in contiguous blocks whose sizes differ by one at most', () => {
    for (const [from, to] of [['2026-01-01', '2026-01-01'], ['2026-02-20', '2026-03-05'], ['2024-12-25', '2025-03-10']] as const) {
      const days = calendar(from, to);
      for (let n = 1; n <= 12; n++) {
        const blocks = Array.from({ length: n }, (_, i) => shardDays(from, to, { index: i + 1, count: n }));
        const covered = blocks.flatMap((b) => (b ? calendar(b.from, b.to) : []));
        expect(covered, `${from}..${to} in ${n}`).toEqual(days);
        const sizes = blocks.map((b) => (b ? calendar(b.from, b.to).length : 0));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is the same for every worker: a fixed table for 10 days in 4 shards', () => {
    expect([1, 2, 3, 4].map((i) => shardDays('2026-03-01', '2026-03-10', { index: i, count: 4 }))).toEqual([
      { from: '2026-03-01', to: '2026-03-02' },
      { from: '2026-03-03', to: '2026-03-05' },
      { from: '2026-03-06', to: '2026-03-07' },
      { from: '2026-03-08', to: '2026-03-10' },
    ]);
  });

  it('splits docs/orchestration.md\'s 90 days as it says', () => {
    expect([1, 2, 3, 4].map((i) => shardDays('2026-01-01', '2026-03-31', { index: i, count: 4 }))).toEqual([
      { from: '2026-01-01', to: '2026-01-22' },
      { from: '2026-01-23', to: '2026-02-14' },
      { from: '2026-02-15', to: '2026-03-08' },
      { from: '2026-03-09', to: '2026-03-31' },
    ]);
  });

  it('gives no days to some shards when there are fewer days than shards', () => {
    expect([1, 2, 3].map((i) => shardDays('2026-03-01', '2026-03-02', { index: i, count: 3 }))).toEqual([undefined, { from: '2026-03-01', to: '2026-03-01' }, { from: '2026-03-02', to: '2026-03-02' }]);
  });
});

describe('checkShardFlags', () => {
  const base: ExportFlags = { dataset: 'conversions', from: '2026-03-01', to: '2026-03-10', output: '/data/conv', partitionBy: 'date', shard: { index: 2, count: 4 } };
  it.each([
    [{}, undefined],
    [{ output: undefined }, undefined],
    [{ output: 'postgresql://u@h/db?table=t', partitionBy: undefined }, undefined],
    [{ output: '-', partitionBy: undefined }, undefined],
    [{ state: 's.json' }, /--state is for one worker/],
    [{ to: undefined }, /give --from and --to, the same for every shard/],
    [{ from: undefined, to: undefined, rangeDays: 7 }, /give --from and --to/],
    [{ to: 'yesterday' }, /as YYYY-MM-DD: today and yesterday could differ/],
    [{ resume: true }, /--resume continues one file/],
    [{ maxRows: 10 }, /--max-rows would stop each shard/],
    [{ replaceExport: true }, /--replace-export removes partitions of every day/],
    [{ partitionBy: undefined }, /every shard would replace -o FILE/],
    [{ output: 's3://b/conv.parquet', partitionBy: undefined }, /every shard would replace -o FILE/],
  ] as [Partial<ExportFlags>, RegExp | undefined][])('%o', (more, refused) => {
    const run = () => checkShardFlags({ ...base, ...more });
    if (refused) expect(run).toThrow(refused);
    else expect(run).not.toThrow();
  });
});
