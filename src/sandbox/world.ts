// The sandbox's data: one generator per environment and dataset, all derived from the seed, so
// the server and truthRows (the tests' ground truth) read the very same rows.
import { hash2 } from './hash.js';
import { Lru } from './lru.js';
import { ConversionsSource } from './conversions.js';
import { FunnelSource } from './funnel.js';
import { SpendSource } from './spend.js';
import { filterKey, type RowFilter } from './params.js';
import type { DatasetName, DaySource } from './dataset.js';
import type { SandboxEnvironment } from './keys.js';
import type { VolumeContext } from './volume.js';

export interface WorldConfig {
  seed: number;
  scale: number;
  /** First day (day number) that holds data. */
  dataStart: number;
}

export class SandboxWorld {
  private readonly sources = new Map<string, DaySource>();
  // Whole past days never change, so their counts are kept (a few bytes each) even after
  // the day's index has been evicted: counting a long window stays cheap.
  private readonly counts = new Lru<number>(500_000);

  constructor(readonly config: WorldConfig) {
    for (const environment of ['test', 'live'] as const) {
      const ctx: VolumeContext = { envSeed: hash2(config.seed, environment === 'live' ? 0x11fe : 0x7e57), scale: config.scale, environment };
      const conversions = new ConversionsSource(ctx);
      this.sources.set(`${environment}/conversions`, conversions);
      this.sources.set(`${environment}/funnel`, new FunnelSource(ctx, conversions));
      this.sources.set(`${environment}/spend`, new SpendSource(ctx));
    }
  }

  source(environment: SandboxEnvironment, dataset: DatasetName): DaySource {
    return this.sources.get(`${environment}/${dataset}`) as DaySource;
  }

  dayCount(environment: SandboxEnvironment, dataset: DatasetName, day: number, filter: RowFilter, cutoff: number): number {
    const source = this.source(environment, dataset);
    if (cutoff !== Infinity) return source.count(day, filter, cutoff);
    return this.counts.getOrCreate(`${environment}/${dataset}/${day}/${filterKey(filter)}`, () => source.count(day, filter, cutoff));
  }
}

/** Only /funnel reads the funnel parameter; the other two ignore it entirely. */
export function filterFor(dataset: DatasetName, filter: RowFilter): RowFilter {
  return dataset === 'funnel' ? filter : { channelMask: filter.channelMask, funnel: null };
}
