// What "every event/funnel" means for a dataset: read by its description (legacy-datasets.ts,
// loaded by every --help) and by the reader (all-names.ts, loaded by the first export).

export interface AllNames {
  /** The names endpoint, under /api/2.0/. */
  path: 'events/names/' | 'funnels/names/';
  /** The report's parameter the names go into (a JSON array). */
  param: 'event' | 'funnel';
  noun: 'event' | 'funnel';
  /** For `mbuzz datasets`. */
  note: string;
}

/** events/names caps its list at `limit` (255 unless asked): asked for this many, a full list may be cut. */
export const NAMES_LIMIT = 10_000;
/** Names per report request, and their URL-encoded JSON's length. The docs give no cap; this keeps each URL well under the 8 KB many proxies allow. */
export const BATCH_NAMES = 100;
export const BATCH_CHARS = 4_000;

export const ALL_EVENTS: AllNames = {
  path: 'events/names/',
  param: 'event',
  noun: 'event',
  note: `Without --param event, every event that events/names lists for the interval (the names seen from the period holding --from up to now) is exported, asked in batches of up to ${BATCH_NAMES} names per request; an event seen only after --to has rows of 0.`,
};

export const ALL_FUNNELS: AllNames = {
  path: 'funnels/names/',
  param: 'funnel',
  noun: 'funnel',
  note: `Without --param funnel, every funnel that funnels/names lists is exported, asked in batches of up to ${BATCH_NAMES} names per request.`,
};
