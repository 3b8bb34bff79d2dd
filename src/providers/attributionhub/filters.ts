import { UsageError } from '../../core/errors.js';
import type { ExportOptions } from '../types.js';
import type { PlanInput } from './dry-run.js';

// What both the dataset's description and its reader need: the placeholder host and the filters.

/**
 * AttributionHub publishes paths but no host (api-contracts/others.md §4), so there is no real
 * default: this placeholder passes the URL checks and is refused before any request, with a
 * message naming the three ways to give the host. `.invalid` never resolves, so not even a typo
 * in this file could send the key anywhere.
 */
export const ATTRIBUTIONHUB_UNSET_BASE_URL = 'https://attributionhub-host-not-set.invalid';

/** Filters on the session; any of them switches the API to session mode. */
export const SESSION_FILTERS = ['source', 'medium', 'campaign', 'content', 'term', 'landing_page'] as const;
/** Filters on the conversion itself. */
export const CONVERSION_FILTERS = ['conversion_page', 'meta_type', 'meta_id'] as const;

/** The body's filters from --param, and the mode they select; a host never given is refused first. */
export function conversionsInput(options: ExportOptions): PlanInput {
  if (options.baseUrl === ATTRIBUTIONHUB_UNSET_BASE_URL) {
    throw new UsageError("AttributionHub's API host is not published: set ATTRIBUTIONHUB_BASE_URL, a profile's base_url, or --base-url");
  }
  const filters: Record<string, string> = {};
  for (const name of [...CONVERSION_FILTERS, ...SESSION_FILTERS]) {
    const value = options.params[name]?.[0];
    if (value !== undefined) filters[name] = value;
  }
  return { filters, sessionMode: SESSION_FILTERS.some((name) => name in filters) };
}
