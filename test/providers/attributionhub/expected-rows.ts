// The rows attributionhub:conversions should write for the sandbox's records, written here from
// the documented row form (fixtures/attributionhub/conversions-rows.ndjson: the timestamp as
// ISO 8601 UTC, conversion_meta's type and id as two columns), not by the exporter's toRow.
import { attributionHubRecords } from '../../../src/sandbox/attributionhub/truth.js';

export type AhTruth = Omit<Parameters<typeof attributionHubRecords>[0], 'body'>;

/** The sandbox sends the docs' sample form, `2025-03-05 15:14:00` (UTC, no zone). */
function isoUtc(text: unknown): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(String(text));
  if (!m) throw new Error(`the sandbox sent a timestamp this test does not expect: ${JSON.stringify(text)}`);
  return `${m[1]}T${m[2]}Z`;
}

const orNull = (v: unknown) => (typeof v === 'string' ? v : null);

export function expectedConversions(truth: AhTruth, body: Record<string, unknown>): Record<string, unknown>[] {
  return attributionHubRecords({ ...truth, body }).map((r) => {
    const meta = (r.conversion_meta ?? {}) as Record<string, unknown>;
    return {
      timestamp: isoUtc(r.timestamp),
      email: orNull(r.email),
      conversion_page: orNull(r.conversion_page),
      previous_page: orNull(r.previous_page),
      conversion_meta_type: orNull(meta.type),
      conversion_meta_id: orNull(meta.id),
    };
  });
}
