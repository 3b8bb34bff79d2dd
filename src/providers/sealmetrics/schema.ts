import { IntegrityError } from '../../core/errors.js';
import type { Column, Row } from '../../core/columns.js';

// The columns of /api/report/microconversions (help.sealmetrics.com "Microconversions Endpoint").
// The docs call every field a string; only utm_matchtype "may be null", and utm_term is listed but
// missing from the sample rows, so the API leaves it out: both are nullable here, the rest not.

export const MICROCONVERSIONS_COLUMNS: readonly Column[] = [
  { name: '_id', type: 'string', nullable: false, description: 'unique id of the microconversion (24 hex digits, a MongoDB ObjectId: its first 8 give the creation second)' },
  { name: 'date', type: 'date', nullable: false, description: 'day of the microconversion (YYYY-MM-DD)' },
  { name: 'utm_medium', type: 'string', nullable: false, description: 'medium that drove it (email, organic, cpc, …)' },
  { name: 'utm_source', type: 'string', nullable: false, description: 'source that drove it (seo, newsletter, google, …)' },
  { name: 'utm_campaign', type: 'string', nullable: false, description: 'campaign' },
  { name: 'utm_term', type: 'string', nullable: true, description: 'term or URL; absent from many rows' },
  { name: 'utm_matchtype', type: 'string', nullable: true, description: 'match type of search campaigns; often null' },
  { name: 'label', type: 'string', nullable: false, description: 'kind of microconversion (add-to-cart, newsletter-signup, …)' },
];

const NAMES = MICROCONVERSIONS_COLUMNS.map((c) => c.name);
const REQUIRED_STRINGS = MICROCONVERSIONS_COLUMNS.filter((c) => !c.nullable).map((c) => c.name);
const NULLABLE_STRINGS = MICROCONVERSIONS_COLUMNS.filter((c) => c.nullable).map((c) => c.name);

/**
 * One row in the schema's column order, a left-out utm_term as null, so every NDJSON line has the
 * same keys whatever the API omitted. Fields outside the schema are kept after the known ones
 * (the API may grow). A value of the wrong type is an integrity error naming the row: dedup and
 * windows depend on `_id` and `date`, and Parquet could not hold it anyway.
 */
export function normalizeRow(raw: Row, where: string): Row {
  for (const name of REQUIRED_STRINGS) {
    if (typeof raw[name] !== 'string') throw badField(raw, name, where, 'a string');
  }
  for (const name of NULLABLE_STRINGS) {
    const v = raw[name];
    if (v !== undefined && v !== null && typeof v !== 'string') throw badField(raw, name, where, 'a string or null');
  }
  const out: Row = {};
  for (const name of NAMES) out[name] = raw[name] ?? null;
  for (const [k, v] of Object.entries(raw)) if (!(k in out)) out[k] = v;
  return out;
}

function badField(raw: Row, name: string, where: string, expected: string): IntegrityError {
  const id = typeof raw._id === 'string' ? ` _id ${raw._id}` : '';
  return new IntegrityError(`${where}: row${id} has ${name} = ${JSON.stringify(raw[name]) ?? 'nothing'}, expected ${expected}`);
}
