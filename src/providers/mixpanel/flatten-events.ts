import type { Row } from '../../core/columns.js';
import type { Num } from '../../json/number.js';
import { asArray, asInteger, asNumber, asObject, asString, asStrings, key, orderedKeys, ShapeError } from './shape.js';

// Event endpoints' nested bodies to tidy rows, in the body's order (series order for dates).
// Each takes the parsed JSON and the request's own parameters (which the rows repeat so a row
// says what it is about) and throws ShapeError on anything the docs do not describe.

/** events/ and events/properties/: {"data":{"series":[…],"values":{key:{label:n}}},"legend_size":N}. */
function flattenSeries(json: unknown, make: (key: string, date: string, value: Num) => Row): Row[] {
  const data = asObject(asObject(json, 'body').data, 'data');
  const series = asStrings(data.series, 'data.series');
  const values = asObject(data.values, 'data.values');
  const rows: Row[] = [];
  for (const k of Object.keys(values)) {
    const points = asObject(values[k], `data.values[${key(k)}]`);
    for (const date of orderedKeys(points, series)) {
      rows.push(make(k, date, asNumber(points[date], `data.values[${key(k)}][${key(date)}]`)));
    }
  }
  return rows;
}

export function flattenEvents(json: unknown): Row[] {
  return flattenSeries(json, (event, date, value) => ({ event, date, value }));
}

export function flattenEventProperties(json: unknown, q: { event: string; name: string }): Row[] {
  return flattenSeries(json, (property_value, date, value) => ({ event: q.event, property: q.name, property_value, date, value }));
}

/** events/top/: {"events":[{"amount","event","percent_change"}],"type":t}. */
export function flattenEventsTop(json: unknown): Row[] {
  const events = asArray(asObject(json, 'body').events, 'events');
  return events.map((e, i) => {
    const o = asObject(e, `events[${i}]`);
    return {
      event: asString(o.event, `events[${i}].event`),
      amount: asNumber(o.amount, `events[${i}].amount`),
      percent_change: asNumber(o.percent_change, `events[${i}].percent_change`),
    };
  });
}

/** events/names/: ["name", …] by volume, descending. */
export function flattenEventNames(json: unknown): Row[] {
  return asStrings(json, 'body').map((event, i) => ({ rank: i + 1, event }));
}

/** events/properties/values/: ["value", …] by volume, descending. */
export function flattenPropertyValues(json: unknown, q: { event: string; name: string }): Row[] {
  return asStrings(json, 'body').map((property_value, i) => ({ event: q.event, property: q.name, rank: i + 1, property_value }));
}

/** events/properties/top/: {"prop":{"count":n}}. */
export function flattenPropertiesTop(json: unknown, q: { event: string }): Row[] {
  const body = asObject(json, 'body');
  return Object.keys(body).map((property) => ({
    event: q.event,
    property,
    count: asInteger(asObject(body[property], `body[${key(property)}]`).count, `body[${key(property)}].count`),
  }));
}

/**
 * retention/: {"data":{ev:{"descriptions","series":["1 weeks later",…],"values":{cohort:{label:ratio}}}},"meta":{"unit"}}.
 * The period number is the label's leading integer ("1 weeks later" -> 1).
 */
export function flattenRetention(json: unknown): Row[] {
  const data = asObject(asObject(json, 'body').data, 'data');
  const rows: Row[] = [];
  for (const event of Object.keys(data)) {
    const at = `data[${key(event)}]`;
    const one = asObject(data[event], at);
    const series = one.series === undefined ? [] : asStrings(one.series, `${at}.series`);
    const values = asObject(one.values, `${at}.values`);
    for (const cohort_date of Object.keys(values)) {
      const points = asObject(values[cohort_date], `${at}.values[${key(cohort_date)}]`);
      for (const label of orderedKeys(points, series)) {
        const period = /^\s*(\d+)/.exec(label)?.[1];
        if (period === undefined) throw new ShapeError(`${at}: retention label ${key(label)} does not start with a number of periods`);
        rows.push({ event, cohort_date, period: Number(period), value: asNumber(points[label], `${at}.values[${key(cohort_date)}][${key(label)}]`) });
      }
    }
  }
  return rows;
}
