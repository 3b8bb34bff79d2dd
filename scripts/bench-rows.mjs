// Deterministic rows shaped like mbuzz conversions (the 20 columns of CONVERSIONS_COLUMNS, with
// realistic cardinalities, ~30% null revenue, campaign names with commas and quotes, a small
// properties object): the source of the writer, S3 and PostgreSQL-driver micro-benchmarks.

const CHANNELS = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'display', 'affiliate', 'referral', 'video', 'ai', 'direct', 'other'];
const ALGOS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'u_shaped', 'participation', 'markov_chain', 'shapley_value'];
const MODELS = ['First Touch', 'Last Touch', 'Linear', 'Time Decay', 'U-Shaped', 'Participation', 'Markov', 'Shapley'];
const NAMES = ['purchase', 'signup', 'trial_start', 'demo_booked', 'upgrade'];
const SOURCES = Array.from({ length: 20 }, (_, i) => `source_${i}`);
const MEDIUMS = ['cpc', 'email', 'social', 'referral', 'display', 'organic'];
const CAMPAIGNS = Array.from({ length: 200 }, (_, i) => (i % 17 === 0 ? `spring, "sale" ${i}` : `campaign_${i}`));
const POSITIONS = ['first_touch', 'assisted', 'last_touch'];

export const DAY0 = Date.UTC(2026, 3, 1);

export async function* conversions(n) {
  // mulberry32: cheap, and unlike a float LCG it does not fall into a short cycle (which
  // would flatter every compressor).
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const model = i % 8;
    const hasRevenue = rand() < 0.7;
    const revenue = hasRevenue ? Math.round(rand() * 50000) / 100 : null;
    const idx = rand() < 0.9 ? Math.floor(rand() * 5) : null;
    yield {
      date: new Date(DAY0 + Math.floor(i / 25000) * 86400000).toISOString().slice(0, 10),
      type: 'conversion',
      name: NAMES[i % 5],
      funnel: i % 4 === 0 ? null : 'checkout',
      attribution_model: MODELS[model],
      algorithm: ALGOS[model],
      channel: CHANNELS[Math.floor(rand() * 12)],
      credit: Math.round(rand() * 10000) / 10000,
      revenue,
      revenue_credit: hasRevenue ? Math.round(revenue * 2500) / 10000 : null,
      currency: hasRevenue ? 'USD' : null,
      utm_source: rand() < 0.8 ? SOURCES[Math.floor(rand() * 20)] : null,
      utm_medium: rand() < 0.8 ? MEDIUMS[Math.floor(rand() * 6)] : null,
      utm_campaign: rand() < 0.8 ? CAMPAIGNS[Math.floor(rand() * 200)] : null,
      is_acquisition: rand() < 0.3,
      properties: { order_id: `ord_${Math.floor(i / 8)}`, plan: i % 3 ? 'pro' : 'team', items: 1 + (i % 4) },
      journey_position: idx === null ? null : POSITIONS[Math.min(idx, 2)],
      touchpoint_index: idx,
      journey_length: idx === null ? null : 5,
      days_to_conversion: rand() < 0.9 ? Math.floor(rand() * 60) : null,
    };
  }
}
