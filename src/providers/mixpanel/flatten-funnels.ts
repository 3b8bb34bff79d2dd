import type { Row } from '../../core/columns.js';
import { asArray, asInteger, asNumber, asObject, asString, asStrings, key, orderedKeys, ShapeError, type Json } from './shape.js';

// Funnel endpoints' nested bodies to tidy rows (see flatten-events.ts for the conventions).

/** funnels/: {funnel:{"data":{date:{"analysis","steps":[{count,goal,overall_conv_ratio,step_conv_ratio}]}},"meta":{"dates"}}}. */
export function flattenFunnels(json: unknown): Row[] {
  const body = asObject(json, 'body');
  const rows: Row[] = [];
  for (const funnel of Object.keys(body)) {
    const at = `body[${key(funnel)}]`;
    const one = asObject(body[funnel], at);
    const data = asObject(one.data, `${at}.data`);
    const meta = one.meta === undefined ? {} : asObject(one.meta, `${at}.meta`);
    const dates = meta.dates === undefined ? [] : asStrings(meta.dates, `${at}.meta.dates`);
    for (const date of orderedKeys(data, dates)) {
      const steps = asArray(asObject(data[date], `${at}.data[${key(date)}]`).steps, `${at}.data[${key(date)}].steps`);
      steps.forEach((s, i) => {
        const w = `${at}.data[${key(date)}].steps[${i}]`;
        const step = asObject(s, w);
        rows.push({
          funnel,
          date,
          step: i + 1,
          goal: asString(step.goal, `${w}.goal`),
          count: asInteger(step.count, `${w}.count`),
          overall_conv_ratio: asNumber(step.overall_conv_ratio, `${w}.overall_conv_ratio`),
          step_conv_ratio: asNumber(step.step_conv_ratio, `${w}.step_conv_ratio`),
        });
      });
    }
  }
  return rows;
}

/** funnels/names/: ["name", …]. */
export function flattenFunnelNames(json: unknown): Row[] {
  return asStrings(json, 'body').map((funnel) => ({ funnel }));
}

/** funnels/dates/: {funnel:["YYYY-MM-DD", …]}. */
export function flattenFunnelDates(json: unknown): Row[] {
  const body = asObject(json, 'body');
  return Object.keys(body).flatMap((funnel) => asStrings(body[funnel], `body[${key(funnel)}]`).map((date) => ({ funnel, date })));
}

/**
 * funnels/properties/: {date:{"meta":{name,steps,values:[…]},"values":{value:{start,end,steps:{"n":{count,best?}},total_visitors}}}}.
 * One row per (week, value, step), steps in numeric order.
 */
export function flattenFunnelProperties(json: unknown, q: { funnel: string; name: string }): Row[] {
  const body = asObject(json, 'body');
  const rows: Row[] = [];
  for (const date of Object.keys(body)) {
    const at = `body[${key(date)}]`;
    const week = asObject(body[date], at);
    const meta = week.meta === undefined ? {} : asObject(week.meta, `${at}.meta`);
    const order = meta.values === undefined ? [] : asStrings(meta.values, `${at}.meta.values`);
    const values = asObject(week.values, `${at}.values`);
    for (const value of orderedKeys(values, order)) {
      const w = `${at}.values[${key(value)}]`;
      const v = asObject(values[value], w);
      const steps = asObject(v.steps, `${w}.steps`);
      const fixed = { start: asInteger(v.start, `${w}.start`), end: asInteger(v.end, `${w}.end`), total_visitors: asInteger(v.total_visitors, `${w}.total_visitors`) };
      for (const n of stepKeys(steps, w)) {
        const s = asObject(steps[n], `${w}.steps[${key(n)}]`);
        if (s.best !== undefined && typeof s.best !== 'boolean') throw new ShapeError(`${w}.steps[${key(n)}].best is ${JSON.stringify(s.best)}, not a boolean`);
        rows.push({
          funnel: q.funnel,
          property: q.name,
          date,
          property_value: value,
          step: Number(n),
          count: asInteger(s.count, `${w}.steps[${key(n)}].count`),
          best: s.best === true,
          ...fixed,
        });
      }
    }
  }
  return rows;
}

function stepKeys(steps: Json, where: string): string[] {
  const keys = Object.keys(steps);
  for (const k of keys) if (!/^\d+$/.test(k)) throw new ShapeError(`${where}.steps has key ${key(k)}, not a step number`);
  return keys.sort((a, b) => Number(a) - Number(b));
}

/** funnels/properties/names/: {funnel:{"meta":{"date"},"names":[{count,name,property}]}}. */
export function flattenFunnelPropertyNames(json: unknown): Row[] {
  const body = asObject(json, 'body');
  return Object.keys(body).flatMap((funnel) => {
    const at = `body[${key(funnel)}]`;
    return asArray(asObject(body[funnel], at).names, `${at}.names`).map((n, i) => {
      const o = asObject(n, `${at}.names[${i}]`);
      return {
        funnel,
        property: asString(o.property, `${at}.names[${i}].property`),
        name: asString(o.name, `${at}.names[${i}].name`),
        count: asInteger(o.count, `${at}.names[${i}].count`),
      };
    });
  });
}
