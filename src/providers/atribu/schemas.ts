import type { Column } from '../../core/columns.js';

// Columns in the documented order (api-docs/atribu-customers-journey.txt). conversion_time and
// event_time are timestamps: the docs give ISO 8601 with a zone (`2026-03-22T14:30:00Z`, and
// cursors with `+00:00`), stored as UTC instants in CSV, Parquet and PostgreSQL, kept as sent in
// NDJSON. A time without a zone names no instant and stops the run (pipeline/timestamps.ts).

const s = (name: string, nullable: boolean, description?: string): Column => ({ name, type: 'string', nullable, description });

export const CUSTOMERS_COLUMNS: readonly Column[] = [
  s('conversion_id', false, 'unique id of this conversion'),
  s('customer_profile_id', false, 'the id atribu:journey takes as --customer'),
  s('name', true, 'null for anonymous visitors'),
  s('email', true),
  s('country', true, 'ISO country code of the converting session'),
  s('device', true, 'desktop, mobile or tablet'),
  s('channel', true, 'channel of the last touch before conversion'),
  s('source', true, 'e.g. ig, fb, google'),
  { name: 'revenue', type: 'double', nullable: true, description: 'revenue attributed to this conversion' },
  s('revenue_type', true, 'cash, pipeline or gross'),
  { name: 'conversion_time', type: 'timestamp', nullable: false, description: 'when the conversion happened (the API sends ISO 8601 with a zone)' },
  { name: 'time_to_complete_seconds', type: 'int64', nullable: true, description: 'first touch to conversion' },
  { name: 'touch_count', type: 'int32', nullable: true },
  { name: 'touch_channels', type: 'json', nullable: true, description: 'distinct channels across the touchpoints (JSON array)' },
  { name: 'conversion_count', type: 'int32', nullable: true, description: "the customer's conversions, lifetime" },
  { name: 'total_revenue', type: 'double', nullable: true, description: "the customer's revenue, lifetime" },
];

/** One journey event as the API sends it, in the documented order. */
export const EVENT_FIELDS = [
  'event_type',
  'event_name',
  'event_time',
  'url',
  'path',
  'channel',
  'source',
  'medium',
  'campaign',
  'value_amount',
  'currency',
  'device',
  'browser',
  'os',
  'country',
  'city',
  'is_synthetic',
] as const;

/** atribu:journey and atribu:journeys: one row per event, led by whose journey it is. */
export const JOURNEY_COLUMNS: readonly Column[] = [
  s('customer_profile_id', false, 'whose journey'),
  { name: 'event_index', type: 'int32', nullable: false, description: "0-based position in the customer's timeline" },
  s('event_type', false, 'page_view, lead_created, payment_received, ...'),
  s('event_name', false),
  { name: 'event_time', type: 'timestamp', nullable: false, description: 'when the event happened (the API sends ISO 8601 with a zone)' },
  s('url', true, 'web events only'),
  s('path', true),
  s('channel', true),
  s('source', true, 'traffic source or payment provider'),
  s('medium', true),
  s('campaign', true),
  { name: 'value_amount', type: 'double', nullable: true, description: 'payment and deal events' },
  s('currency', true, 'ISO 4217'),
  s('device', true),
  s('browser', true),
  s('os', true),
  s('country', true),
  s('city', true),
  { name: 'is_synthetic', type: 'boolean', nullable: false, description: 'off-site conversion with no website visit' },
];
