import { UsageError } from '../../core/errors.js';
import type { CredentialSpec, ParamSpec } from '../types.js';
import { UNITS } from './units.js';

// The --param names each endpoint takes (the API's own names), and the credentials.

export const TYPE: ParamSpec = { name: 'type', description: 'analysis type', choices: ['general', 'unique', 'average'], default: 'general' };
export const UNIT: ParamSpec = { name: 'unit', description: 'size of each period', choices: UNITS, default: 'day' };
export const FUNNEL_UNIT: ParamSpec = { name: 'unit', description: 'funnels only know weeks', choices: ['week'], default: 'week' };
export const EVENTS: ParamSpec = { name: 'event', description: 'event name; repeat for several (sent as a JSON array)', required: true, multiple: true };
/** mixpanel:events: none given means every event (all-names.ts). */
export const EVENTS_OR_ALL: ParamSpec = { name: 'event', description: 'event name; repeat for several (sent as a JSON array); none: every event events/names lists', multiple: true };
export const EVENT: ParamSpec = { name: 'event', description: 'one event name', required: true };
export const NAME: ParamSpec = { name: 'name', description: 'property name, e.g. $browser', required: true };
export const VALUES: ParamSpec = { name: 'values', description: 'only these property values; repeatable (sent as a JSON array)', multiple: true };
export const FUNNELS: ParamSpec = { name: 'funnel', description: 'funnel name (see mixpanel:funnel-names); repeat for several (sent as a JSON array)', required: true, multiple: true };
/** mixpanel:funnels: none given means every funnel (all-names.ts). */
export const FUNNELS_OR_ALL: ParamSpec = { name: 'funnel', description: 'funnel name (see mixpanel:funnel-names); repeat for several (sent as a JSON array); none: every funnel funnels/names lists', multiple: true };
export const FUNNEL: ParamSpec = { name: 'funnel', description: 'one funnel name (see mixpanel:funnel-names)', required: true };
export const limit = (apiDefault: number): ParamSpec => ({ name: 'limit', description: `at most this many (the API's default: ${apiDefault})` });

export const EXPORT_EVENTS: ParamSpec = { name: 'event', description: 'only these events; repeatable (sent as a JSON array)', multiple: true };
export const WHERE: ParamSpec = { name: 'where', description: 'Mixpanel segmentation expression, e.g. properties["$browser"] == "Chrome"' };
export const DAYS_PER_REQUEST: ParamSpec = {
  name: 'days_per_request',
  description: 'days per export request; Mixpanel allows 60 requests an hour, so raise it for ranges over 60 days (each body is held in memory while it is read)',
  default: '1',
};

/** The --param values of one run, read by name. */
export class Params {
  constructor(private readonly values: Readonly<Record<string, string[]>>) {}

  one(name: string): string {
    const v = this.values[name]?.[0];
    if (v === undefined) throw new UsageError(`--param ${name}=<value> is required`);
    return v;
  }

  optional(name: string): string | undefined {
    return this.values[name]?.[0];
  }

  list(name: string): string[] {
    return this.values[name] ?? [];
  }

  /** A whole number from 1 to `max`, or undefined when not given. */
  count(name: string, max: number): number | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new UsageError(`--param ${name}=${JSON.stringify(raw)} must be a whole number from 1 to ${max}`);
    return n;
  }
}

export const LEGACY_CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'apiKey', env: 'MIXPANEL_API_KEY', profileKey: 'api_key', label: 'Mixpanel API key', secret: true, required: true, flag: 'apiKey' },
  { name: 'apiSecret', env: 'MIXPANEL_API_SECRET', profileKey: 'api_secret', label: 'Mixpanel API secret', secret: true, required: true },
];

// Either a service account (username + secret + project id) or a project secret; which one is
// present is checked when the export starts (still before any request).
export const EXPORT_CREDENTIALS: readonly CredentialSpec[] = [
  { name: 'username', env: 'MIXPANEL_SERVICE_ACCOUNT_USERNAME', profileKey: 'username', label: 'service account username', secret: false, required: false },
  { name: 'secret', env: 'MIXPANEL_SERVICE_ACCOUNT_SECRET', profileKey: 'password', label: 'service account secret', secret: true, required: false },
  { name: 'projectId', env: 'MIXPANEL_PROJECT_ID', profileKey: 'project_id', label: 'project id', secret: false, required: false },
  { name: 'apiSecret', env: 'MIXPANEL_API_SECRET', profileKey: 'api_secret', label: 'project secret', secret: true, required: false },
];
