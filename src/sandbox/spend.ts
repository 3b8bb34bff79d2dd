// /data/spend, one day at a time. The server orders by spend_date, spend_hour, campaign_name,
// but a record's unique key also holds connection, campaign id, device and network type: rows of
// one campaign split by device or network (and same-named campaigns) tie. Campaigns come from a
// catalogue sized to the volume; a day's records are sorted once and kept in a small LRU.
import { Rng, cdfOf, hash2, hash3, unit } from './hash.js';
import { Lru, bytesOf } from './lru.js';
import { channelMatches, prefixWhere, type DaySource, type DayView } from './dataset.js';
import { jsonNullableString, jsonString, rubyFloat, JsonbShape } from './ruby-json.js';
import { dayFactor, envShare, LIVE_PER_DAY, type VolumeContext } from './volume.js';
import { dayString } from './calendar.js';
import { CHANNEL_JSON, NOTES_JSON } from './vocab.js';
import type { RowFilter } from './params.js';

const SALT_CAMPAIGN = 0xca4a;
const SALT_ACTIVE = 0xac71;
const SALT_ROW = 0x5be4d;
const HOUR_MICROS = 3_600_000_000;
const ACTIVE_SHARE = 0.92;
const HOURS_ACTIVE = 0.75;

interface Campaign {
  name: string;
  head: string; // `"channel":…,"campaign_type":…` up to the network type
  channel: number;
  networks: Array<string | null>;
  devices: Array<string | null>;
  hourly: boolean;
  currency: string;
  budget: number;
  fractional: boolean;
  metadataJson: string;
}

const NAMES = [
  'Brand - Exact', 'Brand', 'Spring Sale – EU', 'Retargeting, 30d', '"Quoted" Launch', 'Prospecting | Lookalike 1%',
  'Été 2025 ☀️', 'Search: Generic', '日本語キャンペーン', 'Black Friday <Early> & Co', 'Always-on\nTest', 'Competitor – Conquest',
];
const PLATFORM_CDF = cdfOf([45, 30, 12, 13]);
const GOOGLE_TYPES: ReadonlyArray<[string, number, string[]]> = [
  ['SEARCH', 0, ['SEARCH', 'SEARCH_PARTNERS']],
  ['PERFORMANCE_MAX', 0, ['MIXED']],
  ['DISPLAY', 5, ['CONTENT']],
  ['VIDEO', 8, ['YOUTUBE_WATCH', 'YOUTUBE_SEARCH']],
  ['SHOPPING', 0, ['SEARCH']],
];
const GOOGLE_TYPE_CDF = cdfOf([50, 20, 12, 10, 8]);
const METADATA = new JsonbShape(['team', 'tier', 'owner', 'notes', 'budget_cap']);
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'GBP', 'AUD'];

function drawCampaign(ctx: VolumeContext, c: number): Campaign {
  const rng = new Rng(hash2(ctx.envSeed ^ SALT_CAMPAIGN, c));
  const platform = rng.weighted(PLATFORM_CDF);
  let type: string | null = null;
  let channel = 2; // paid_social
  let networks: Array<string | null> = [null];
  let devices: Array<string | null> = [null];
  let hourly = false;
  if (platform === 0) {
    const [t, ch, nets] = GOOGLE_TYPES[rng.weighted(GOOGLE_TYPE_CDF)] as [string, number, string[]];
    [type, channel, networks, devices] = [t, ch, nets, ['MOBILE', 'DESKTOP', 'TABLET']];
  } else if (platform === 1) {
    type = rng.pick(['OUTCOME_SALES', 'OUTCOME_LEADS', 'OUTCOME_TRAFFIC', null]);
    devices = ['ALL'];
    hourly = rng.chance(0.25);
  } else if (platform === 2) {
    type = rng.pick(['SPONSORED_CONTENT', 'TEXT_AD', null]);
  } else {
    type = rng.chance(0.5) ? 'CONVERSIONS' : null;
    channel = rng.chance(0.25) ? 8 : 2;
    hourly = rng.chance(0.15);
  }
  const base = rng.pick(NAMES);
  const name = rng.chance(0.3) ? base : `${base} #${rng.range(1, 40)}`;
  const platformName = ['google_ads', 'meta_ads', 'linkedin_ads', 'tiktok_ads'][platform] as string;
  const metadata = rng.chance(0.5)
    ? '{}'
    : METADATA.render([
        rng.chance(0.7) ? '"growth"' : undefined, rng.chance(0.5) ? '"core"' : undefined, rng.chance(0.3) ? '"Zoë"' : undefined,
        rng.chance(0.3) ? rng.pick(NOTES_JSON) : undefined, rng.chance(0.2) ? rubyFloat(1500) : undefined,
      ]);
  return {
    name, channel, networks, devices, hourly, metadataJson: metadata,
    head: `,"channel":${CHANNEL_JSON[channel]},"platform":"${platformName}","campaign_name":${jsonString(name)},"campaign_type":${jsonNullableString(type)}`,
    currency: rng.pick(CURRENCIES),
    budget: 20 + rng.float() ** 2 * 800,
    fractional: platform === 0,
  };
}

const rowsPerDay = (c: Campaign) => ACTIVE_SHARE * c.networks.length * c.devices.length * (c.hourly ? 24 * HOURS_ACTIVE : 1);

interface SpendDay {
  n: number;
  campaign: Uint32Array;
  combo: Uint16Array; // network * 16 + device
  hour: Uint8Array;
  chan: Uint8Array;
}

export class SpendSource implements DaySource {
  readonly campaigns: Campaign[] = [];
  private readonly days = new Lru<SpendDay>(8 * 1024 * 1024, (d) => bytesOf(d.campaign, d.combo, d.hour, d.chan));
  private readonly positions = new Lru<Uint32Array>(8 * 1024 * 1024, (p) => bytesOf(p));

  constructor(private readonly ctx: VolumeContext) {
    // Campaigns are added until their expected rows a day reach the target volume.
    const target = LIVE_PER_DAY.spendRows * ctx.scale * envShare(ctx.environment);
    let expected = 0;
    while (expected < target) {
      const c = drawCampaign(ctx, this.campaigns.length);
      this.campaigns.push(c);
      expected += rowsPerDay(c);
    }
  }

  private day(day: number): SpendDay {
    return this.days.getOrCreate(String(day), () => {
      const rows: Array<[number, number, number]> = [];
      this.campaigns.forEach((c, ci) => {
        if (unit(hash3(this.ctx.envSeed ^ SALT_ACTIVE, day, ci)) >= ACTIVE_SHARE) return;
        c.networks.forEach((_, ni) => c.devices.forEach((__, di) => {
          const combo = ni * 16 + di;
          if (!c.hourly) return void rows.push([ci, combo, 0]);
          for (let h = 0; h < 24; h++) if (unit(hash3(this.ctx.envSeed ^ SALT_ACTIVE, day, (ci * 64 + combo) * 32 + h)) < HOURS_ACTIVE) rows.push([ci, combo, h]);
        }));
      });
      // ORDER BY spend_hour, campaign_name within the date; creation order breaks ties stably.
      rows.sort((a, b) => a[2] - b[2] || compareNames(this.campaigns[a[0]] as Campaign, this.campaigns[b[0]] as Campaign) || a[0] - b[0] || a[1] - b[1]);
      const n = rows.length;
      const out: SpendDay = { n, campaign: new Uint32Array(n), combo: new Uint16Array(n), hour: new Uint8Array(n), chan: new Uint8Array(n) };
      rows.forEach(([ci, combo, h], i) => {
        out.campaign[i] = ci;
        out.combo[i] = combo;
        out.hour[i] = h;
        out.chan[i] = (this.campaigns[ci] as Campaign).channel;
      });
      return out;
    });
  }

  count(day: number, filter: RowFilter, cutoff: number): number {
    return this.view(day, filter, cutoff).rows;
  }

  view(day: number, filter: RowFilter, cutoff: number): DayView {
    const d = this.day(day);
    const mask = filter.channelMask;
    const positions = mask === null ? null : this.positions.getOrCreate(`${day}|${mask}`, () => {
      const out: number[] = [];
      for (let p = 0; p < d.n; p++) if (channelMatches(mask, d.chan[p] as number)) out.push(p);
      return Uint32Array.from(out);
    });
    const at = positions === null ? (i: number) => i : (i: number) => positions[i] as number;
    const total = positions === null ? d.n : positions.length;
    // An hour's row exists from the start of that hour: today shows a prefix of the hours.
    const lastHour = Math.floor(cutoff / HOUR_MICROS);
    const rows = cutoff === Infinity ? total : prefixWhere(total, (i) => (d.hour[at(i)] as number) <= lastHour);
    const sameGroup = (a: number, b: number) =>
      d.hour[a] === d.hour[b] && (this.campaigns[d.campaign[a] as number] as Campaign).name === (this.campaigns[d.campaign[b] as number] as Campaign).name;
    return {
      rows,
      group: (pos) => {
        let start = pos;
        let end = pos + 1;
        while (start > 0 && sameGroup(at(start - 1), at(pos))) start--;
        while (end < rows && sameGroup(at(end), at(pos))) end++;
        return [start, end];
      },
      render: (start, end, out) => {
        for (let i = start; i < end; i++) out.push(this.renderRow(day, d, at(i)));
      },
    };
  }

  private renderRow(day: number, d: SpendDay, p: number): string {
    const ci = d.campaign[p] as number;
    const c = this.campaigns[ci] as Campaign;
    const combo = d.combo[p] as number;
    const hour = d.hour[p] as number;
    const rng = new Rng(hash3(this.ctx.envSeed ^ SALT_ROW, day, (ci * 64 + combo) * 32 + hour));
    const share = c.hourly ? 1 / 18 : 1 / (c.networks.length * c.devices.length);
    const spend = rng.chance(0.03) ? 0 : Math.round(c.budget * share * dayFactor(this.ctx.envSeed, day) * (0.5 + rng.float()) * 100) / 100;
    const impressions = Math.round(spend * (40 + rng.float() * 200));
    const clicks = Math.round(impressions * (0.005 + rng.float() * 0.05));
    // Platforms report conversions in micros. Google's are fractional (data-driven
    // attribution); now and then a single micro survives (1.0e-06 after the division).
    let conversionsMicros = Math.round(clicks * rng.float() * 0.1 * (c.fractional ? 100 : 1)) * (c.fractional ? 10_000 : 1_000_000);
    if (rng.chance(0.01)) conversionsMicros = 1;
    const valueMicros = Math.round((conversionsMicros / 1_000_000) * (20 + rng.float() * 150) * 100) * 10_000;
    const network = c.networks[combo >> 4] ?? null;
    const device = c.devices[combo & 15] ?? null;
    return `{"spend_date":"${dayString(day)}"${c.head},"network_type":${jsonNullableString(network)},"device":${jsonNullableString(device)},"spend_hour":${hour},"spend":${rubyFloat(spend)},"currency":"${c.currency}","impressions":${impressions},"clicks":${clicks},"platform_conversions":${rubyFloat(conversionsMicros / 1_000_000)},"platform_conversion_value":${rubyFloat(valueMicros / 1_000_000)},"metadata":${c.metadataJson}}`;
  }
}

function compareNames(a: Campaign, b: Campaign): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
