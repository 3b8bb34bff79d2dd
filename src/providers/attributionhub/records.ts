import type { Row } from '../../core/columns.js';
import { microsFromIso, rfc3339 } from '../../writers/timestamps.js';

export { CONVERSIONS_COLUMNS } from './schemas.js';

// A conversion record as a flat, typed row: conversion_meta's two fields become columns, and the
// timestamp becomes one form whichever of the two the API used.
//
// `timestamp` is a timestamp column: the docs call the field ISO 8601 UTC while their sample is
// `2025-03-05 15:14:00` (no zone), so both are read as UTC and every format gets the one
// unambiguous RFC 3339 UTC form (NDJSON too: this row is built here, not the API's bytes);
// CSV, Parquet and PostgreSQL store the instant.


/**
 * Either form the API uses, as RFC 3339 UTC (writers/timestamps.ts): a zone-less time is UTC, as
 * the docs say (api-contracts/others.md §4: "Text says ISO 8601 UTC, sample is YYYY-MM-DD
 * HH:MM:SS: ... parse both"). Fractions are kept to the microsecond.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const t = text.trim().replace(/\s+(?=(?:Z|[+-]\d{2}(?::?\d{2})?)$)/i, '');
  const micros = microsFromIso(t) ?? microsFromIso(`${t}Z`);
  return micros === undefined ? undefined : rfc3339(micros);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function toRow(record: Row): Row {
  const raw = record.timestamp;
  // A value that is no date-time is handed on as it came: the pipeline's timestamp check
  // (pipeline/timestamps.ts) stops the run naming it and the window it was read for.
  const timestamp = (typeof raw === 'string' ? normalizeTimestamp(raw) : undefined) ?? raw ?? null;
  const meta = typeof record.conversion_meta === 'object' && record.conversion_meta !== null ? (record.conversion_meta as Record<string, unknown>) : {};
  return {
    timestamp,
    email: str(record.email),
    conversion_page: str(record.conversion_page),
    previous_page: str(record.previous_page),
    conversion_meta_type: str(meta.type),
    conversion_meta_id: str(meta.id),
  };
}
