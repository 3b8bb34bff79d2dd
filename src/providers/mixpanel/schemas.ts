import type { Column } from '../../core/columns.js';

// The tidy rows each Mixpanel dataset yields. A period label is a `string` where the unit may
// be hour ('2026-05-20 13:00:00'); funnel endpoints only know weeks, so their dates are typed.

const str = (name: string, description: string, nullable = false): Column => ({ name, type: 'string', nullable, description });
const dbl = (name: string, description: string, nullable = false): Column => ({ name, type: 'double', nullable, description });
const i64 = (name: string, description: string): Column => ({ name, type: 'int64', nullable: false, description });
const i32 = (name: string, description: string): Column => ({ name, type: 'int32', nullable: false, description });
const day = (name: string, description: string): Column => ({ name, type: 'date', nullable: false, description });

const PERIOD = 'period start: YYYY-MM-DD (day, week = its Monday, month = its 1st) or YYYY-MM-DD HH:00:00 (hour)';
const VALUE = 'count for type=general/unique, events per user for type=average';

export const EVENTS_COLUMNS: readonly Column[] = [str('event', 'event name'), str('date', PERIOD), dbl('value', VALUE)];

export const EVENTS_TOP_COLUMNS: readonly Column[] = [
  str('event', 'event name'),
  dbl('amount', "today's count (general/unique) or events per user (average)"),
  dbl('percent_change', 'normalized change from yesterday, as a ratio (-0.2 = -20%)'),
];

export const EVENT_NAMES_COLUMNS: readonly Column[] = [i32('rank', '1 = most events in the period'), str('event', 'event name')];

export const RETENTION_COLUMNS: readonly Column[] = [
  str('event', 'event name'),
  str('cohort_date', `cohort ${PERIOD}`),
  i32('period', 'units after the cohort (from the "N weeks later" label)'),
  dbl('value', 'share of the cohort that came back in that period, 0-1'),
];

export const EVENT_PROPERTIES_COLUMNS: readonly Column[] = [
  str('event', 'the event asked for'),
  str('property', 'the property asked for (name=)'),
  str('property_value', 'a value of the property ("undefined" when unset)'),
  str('date', PERIOD),
  dbl('value', VALUE),
];

export const EVENT_PROPERTIES_TOP_COLUMNS: readonly Column[] = [
  str('event', 'the event asked for'),
  str('property', 'property name'),
  i64('count', 'events in the period that carry the property'),
];

export const EVENT_PROPERTY_VALUES_COLUMNS: readonly Column[] = [
  str('event', 'the event asked for'),
  str('property', 'the property asked for (name=)'),
  i32('rank', '1 = most events in the period'),
  str('property_value', 'a value of the property'),
];

export const FUNNELS_COLUMNS: readonly Column[] = [
  str('funnel', 'funnel name'),
  day('date', 'week (its Monday) the funnel was entered'),
  i32('step', '1-based step number'),
  str('goal', "the step's event"),
  i64('count', 'users who reached the step'),
  dbl('overall_conv_ratio', 'count / users at step 1'),
  dbl('step_conv_ratio', 'count / users at the step before'),
];

export const FUNNEL_NAMES_COLUMNS: readonly Column[] = [str('funnel', 'funnel name')];

export const FUNNEL_DATES_COLUMNS: readonly Column[] = [str('funnel', 'funnel name'), day('date', 'a week (its Monday) with data')];

export const FUNNEL_PROPERTIES_COLUMNS: readonly Column[] = [
  str('funnel', 'the funnel asked for'),
  str('property', 'the property asked for (name=)'),
  day('date', 'week (its Monday)'),
  str('property_value', 'a value of the property'),
  i32('step', 'a step where users with this value stopped (1-based)'),
  i64('count', 'users whose furthest step was this one'),
  { name: 'best', type: 'boolean', nullable: false, description: 'the API flags this step as best (false when unflagged)' },
  i32('start', 'first step seen for this value'),
  i32('end', 'last step seen for this value'),
  i64('total_visitors', 'users with this value who entered the funnel'),
];

export const FUNNEL_PROPERTY_NAMES_COLUMNS: readonly Column[] = [
  str('funnel', 'funnel name'),
  str('property', 'property key, e.g. $browser'),
  str('name', 'display name, e.g. Browser'),
  i64('count', 'funnel entries that carry the property'),
];

export const EXPORT_COLUMNS: readonly Column[] = [
  str('event', 'event name'),
  { name: 'time', type: 'timestamp', timeFormat: 'epoch-seconds', nullable: false, description: 'properties.time: seconds since the epoch (UTC; shifted by the project time zone for projects created before 2023)' },
  str('distinct_id', 'properties.distinct_id (numbers become text)', true),
  str('insert_id', 'properties.$insert_id (deduplication key)', true),
  { name: 'properties', type: 'json', nullable: false, description: 'every other property, as JSON text' },
];
