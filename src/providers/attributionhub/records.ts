import { IntegrityError } from '../../core/errors.js';
import { parseIsoDate } from '../../core/dates.js';
import type { Column, Row } from '../../core/columns.js';

// A conversion record as a flat, typed row: conversion_meta's two fields become columns, and the
// timestamp becomes one form whichever of the two the API used.
//
// `timestamp` is a string column holding ISO 8601 UTC (`2025-03-05T15:14:00Z`). The schema has
// no timestamp type; the docs call the field ISO 8601 UTC while their sample is
// `2025-03-05 15:14:00` (no zone), so both are read and written in the one unambiguous form that
// sorts as text and that DuckDB, BigQuery and Spark cast to TIMESTAMP without a format string.

export const CONVERSIONS_COLUMNS: readonly Column[] = [
  { name: 'timestamp', type: 'string', nullable: false, description: 'session start, ISO 8601 UTC (the API sends YYYY-MM-DD HH:MM:SS)' },
  { name: 'email', type: 'string', nullable: true, description: 'if captured at conversion' },
  { name: 'conversion_page', type: 'string', nullable: true, description: 'URL where the conversion fired' },
  { name: 'previous_page', type: 'string', nullable: true, description: 'URL visited just before' },
  { name: 'conversion_meta_type', type: 'string', nullable: true, description: 'hubspot_form, html_form, custom_event, ...' },
  { name: 'conversion_meta_id', type: 'string', nullable: true, description: 'the conversion point id (form or event id)' },
];

// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, optional fraction, optional Z or ±HH:MM.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Either form the API uses, as ISO 8601 UTC; a zone-less time is UTC, as the docs say. */
export function normalizeTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const sec = Number(m[6] ?? 0);
  if (parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`) === undefined || h! > 23 || mi! > 59 || sec > 59) return undefined;
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, sec, millis) - zoneMinutes(m[8]) * 60_000;
  const iso = new Date(ms).toISOString();
  // Whole seconds (the norm) print without a fraction; a fraction the API sent is kept to ms.
  return ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function toRow(record: Row): Row {
  const raw = record.timestamp;
  const timestamp = typeof raw === 'string' ? normalizeTimestamp(raw) : undefined;
  if (timestamp === undefined) throw new IntegrityError(`attributionhub: a record's timestamp is ${JSON.stringify(raw) ?? 'missing'}, not a date-time`);
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
