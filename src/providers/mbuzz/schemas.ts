import type { Column } from '../../core/columns.js';

// Columns in the documented order (api-docs/mbuzz-data-downloads.txt); nullability follows
// api-contracts/mbuzz.md §4, which is what the server really sends.

const s = (name: string, nullable = false, description?: string): Column => ({ name, type: 'string', nullable, description });

export const CONVERSIONS_COLUMNS: readonly Column[] = [
  { name: 'date', type: 'date', nullable: false, description: 'UTC date of the conversion' },
  s('type', false, 'always "conversion"'),
  s('name', false, 'conversion type, e.g. purchase'),
  s('funnel', true),
  s('attribution_model', false, 'model name as set by the account'),
  s('algorithm', true, 'first_touch, last_touch, linear, time_decay, u_shaped, participation, markov_chain, shapley_value'),
  s('channel', false, "crediting touchpoint's channel"),
  { name: 'credit', type: 'double', nullable: false, description: 'fractional credit 0.0-1.0' },
  { name: 'revenue', type: 'double', nullable: true },
  { name: 'revenue_credit', type: 'double', nullable: true },
  s('currency', true, 'ISO 4217'),
  s('utm_source', true),
  s('utm_medium', true),
  s('utm_campaign', true),
  { name: 'is_acquisition', type: 'boolean', nullable: false, description: 'first conversion for the user' },
  { name: 'properties', type: 'json', nullable: false, description: 'event properties as JSON text' },
  s('journey_position', true, 'first_touch, assisted or last_touch'),
  { name: 'touchpoint_index', type: 'int32', nullable: true, description: '0-indexed position in the journey' },
  { name: 'journey_length', type: 'int32', nullable: true },
  { name: 'days_to_conversion', type: 'int32', nullable: true },
];

export const FUNNEL_COLUMNS: readonly Column[] = [
  { name: 'date', type: 'date', nullable: false },
  s('type', false, 'visit, event or conversion'),
  s('name', true),
  s('funnel', true),
  s('channel', true, "session channel; null for sessionless conversions"),
  s('utm_source', true),
  s('utm_medium', true),
  s('utm_campaign', true),
  { name: 'revenue', type: 'double', nullable: true },
  s('currency', true),
  { name: 'is_acquisition', type: 'boolean', nullable: true },
  { name: 'properties', type: 'json', nullable: true },
  { name: 'session_id', type: 'int64', nullable: true, description: 'internal session id' },
];

export const SPEND_COLUMNS: readonly Column[] = [
  { name: 'spend_date', type: 'date', nullable: false, description: "the platform's reporting date" },
  s('channel', false),
  s('platform', false, 'google_ads, meta_ads, linkedin_ads, tiktok_ads'),
  s('campaign_name', false),
  s('campaign_type', true),
  s('network_type', true),
  s('device', true),
  { name: 'spend_hour', type: 'int32', nullable: true, description: '0-23; 0 for daily rows' },
  { name: 'spend', type: 'double', nullable: false, description: 'major units' },
  s('currency', false),
  { name: 'impressions', type: 'int64', nullable: false },
  { name: 'clicks', type: 'int64', nullable: false },
  { name: 'platform_conversions', type: 'double', nullable: false },
  { name: 'platform_conversion_value', type: 'double', nullable: false },
  { name: 'metadata', type: 'json', nullable: false },
];
