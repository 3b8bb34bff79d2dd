import type { Column } from '../../core/columns.js';

// AttributionHub's columns, apart from the code that fills them (records.ts), so that the
// dataset's description (read by every --help) loads no writer code.

export const CONVERSIONS_COLUMNS: readonly Column[] = [
  { name: 'timestamp', type: 'timestamp', nullable: false, description: 'session start (the API sends YYYY-MM-DD HH:MM:SS, UTC)' },
  { name: 'email', type: 'string', nullable: true, description: 'if captured at conversion' },
  { name: 'conversion_page', type: 'string', nullable: true, description: 'URL where the conversion fired' },
  { name: 'previous_page', type: 'string', nullable: true, description: 'URL visited just before' },
  { name: 'conversion_meta_type', type: 'string', nullable: true, description: 'hubspot_form, html_form, custom_event, ...' },
  { name: 'conversion_meta_id', type: 'string', nullable: true, description: 'the conversion point id (form or event id)' },
];
