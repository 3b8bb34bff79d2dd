// /data/conversions, one day at a time. The server sorts credit rows only by converted_at, so
// the rows of one conversion (one per credit, across all eight models) are a tie group. A day
// keeps a compact index (journey lengths and channels, a few bytes per conversion) and, per
// channel filter, a prefix sum of matching rows per conversion: counting a day is a lookup,
// and a page at any offset finds its first conversion by binary search and builds only the
// conversions it shows.
import { Lru, bytesOf } from './lru.js';
import { channelMatches, prefixWhere, upperBound, type DaySource, type DayView } from './dataset.js';
import { conversionDetail, conversionTime, drawShape, MAX_JOURNEY, type ConversionDetail } from './conversion-detail.js';
import { dailyCount, LIVE_PER_DAY, type VolumeContext } from './volume.js';
import { rubyFloat } from './ruby-json.js';
import { CHANNEL_JSON, MODEL_PART } from './vocab.js';
import type { RowFilter } from './params.js';

interface DayIndex {
  n: number;
  lengths: Uint8Array;
  chans: Uint8Array;
}

/** Each of the two caches holds 90 days at scale 50 (~140 + 80 KB a day). */
const CACHE_BYTES = 32 * 1024 * 1024;

export class ConversionsSource implements DaySource {
  private readonly indexes = new Lru<DayIndex>(CACHE_BYTES, (x) => bytesOf(x.lengths, x.chans));
  private readonly prefixes = new Lru<Uint32Array>(CACHE_BYTES, (x) => bytesOf(x));

  constructor(private readonly ctx: VolumeContext) {}

  /** Conversions the whole day holds (today: by its end). */
  conversionsOn(day: number): number {
    return dailyCount(this.ctx, LIVE_PER_DAY.conversions, day);
  }

  /** How many of the day's conversions happened at or before `cutoff` (a prefix of the order). */
  visible(day: number, cutoff: number): number {
    const n = this.conversionsOn(day);
    if (cutoff === Infinity) return n;
    return prefixWhere(n, (i) => conversionTime(this.ctx, day, i, n) <= cutoff);
  }

  index(day: number): DayIndex {
    return this.indexes.getOrCreate(String(day), () => {
      const n = this.conversionsOn(day);
      const lengths = new Uint8Array(n);
      const chans = new Uint8Array(n * MAX_JOURNEY);
      for (let i = 0; i < n; i++) lengths[i] = drawShape(this.ctx, day, i, chans, i * MAX_JOURNEY);
      return { n, lengths, chans };
    });
  }

  /** prefix[i] = matching credit rows in conversions [0, i). */
  private prefix(day: number, mask: number | null): Uint32Array {
    return this.prefixes.getOrCreate(`${day}|${mask ?? '*'}`, () => {
      const { n, lengths, chans } = this.index(day);
      const prefix = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const length = lengths[i] as number;
        let rows = 0;
        if (mask === null) rows = 2 + 6 * length;
        else {
          const at = i * MAX_JOURNEY;
          for (let k = 0; k < length; k++) if (channelMatches(mask, chans[at + k] as number)) rows += 6;
          if (channelMatches(mask, chans[at] as number)) rows += 1;
          if (channelMatches(mask, chans[at + length - 1] as number)) rows += 1;
        }
        prefix[i + 1] = (prefix[i] as number) + rows;
      }
      return prefix;
    });
  }

  count(day: number, filter: RowFilter, cutoff: number): number {
    if (filter.channelMask === 0) return 0;
    return this.prefix(day, filter.channelMask)[this.visible(day, cutoff)] as number;
  }

  view(day: number, filter: RowFilter, cutoff: number): DayView {
    const mask = filter.channelMask;
    const n = this.visible(day, cutoff);
    const prefix = mask === 0 ? new Uint32Array(n + 1) : this.prefix(day, mask);
    const rows = prefix[n] as number;
    const conversionAt = (pos: number) => upperBound(prefix, n + 1, pos) - 1;
    return {
      rows,
      group: (pos) => {
        const i = conversionAt(pos);
        return [prefix[i] as number, prefix[i + 1] as number];
      },
      render: (start, end, out) => {
        let i = conversionAt(start);
        let skip = start - (prefix[i] as number);
        let left = end - start;
        while (left > 0 && i < n) {
          const wrote = renderCredits(conversionDetail(this.ctx, day, i), mask, skip, left, out);
          left -= wrote;
          skip = 0;
          i++;
        }
      },
    };
  }
}

/**
 * The credit rows of one conversion in stable order (model by model, touchpoint by touchpoint),
 * skipping `skip` matching rows and writing at most `max`. Returns how many it wrote.
 */
export function renderCredits(c: ConversionDetail, mask: number | null, skip: number, max: number, out: string[]): number {
  let seen = 0;
  let wrote = 0;
  const acqProps = `,"is_acquisition":${c.isAcquisition},"properties":${c.propertiesJson},`;
  const revenueHead = `,"revenue":${c.revenueJson},"revenue_credit":`;
  const currency = `,"currency":${c.currencyJson}`;
  for (let m = 0; m < MODEL_PART.length && wrote < max; m++) {
    const first = m === 1 ? c.length - 1 : 0;
    const last = m <= 1 ? first : c.length - 1;
    const credits = c.credits[m] as number[];
    for (let k = first; k <= last && wrote < max; k++) {
      const channel = c.chans[k] as number;
      if (!channelMatches(mask, channel)) continue;
      if (seen++ < skip) continue;
      const credit = m <= 1 ? 1 : (credits[k] as number);
      const revenueCredit = c.revenue === null ? 'null' : rubyFloat(Math.round(c.revenue * credit * 100) / 100);
      out.push(
        c.head + MODEL_PART[m] + CHANNEL_JSON[channel] + ',"credit":' + rubyFloat(credit) + revenueHead + revenueCredit +
          currency + c.utm[k] + acqProps + c.tails[k],
      );
      wrote++;
    }
  }
  return wrote;
}
