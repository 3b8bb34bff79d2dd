// Reading a Data API 2.0 body: each endpoint has its own nested shape and none carries a count,
// so the flatteners check every level they walk. A ShapeError means "not the shape the docs
// promise": the HTTP client treats it like a cut body and asks again.

import { exactInteger, JsonNumber, type Num } from '../../json/number.js';

export class ShapeError extends Error {}

export type Json = Record<string, unknown>;

export function asObject(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShapeError(`${where} is not an object`);
  return value as Json;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not an array`);
  return value;
}

/** A number, or the exact text of one a JavaScript number would change (json/parse.ts). */
export function asNumber(value: unknown, where: string): Num {
  if (value instanceof JsonNumber) return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeError(`${where} is ${JSON.stringify(value)}, not a number`);
  return value;
}

export function asInteger(value: unknown, where: string): Num {
  const n = asNumber(value, where);
  if (typeof n === 'number' ? !Number.isInteger(n) : exactInteger(n.text) === undefined) throw new ShapeError(`${where} is ${n}, not a whole number`);
  return n;
}

export function asString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${where} is ${JSON.stringify(value)}, not a string`);
  return value;
}

export function asStrings(value: unknown, where: string): string[] {
  return asArray(value, where).map((v, i) => asString(v, `${where}[${i}]`));
}

/** Keys in `order` first (those present), then the rest in the body's order. */
export function orderedKeys(obj: Json, order: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of [...order, ...Object.keys(obj)]) {
    if (seen.has(k) || !Object.hasOwn(obj, k)) continue;
    seen.add(k);
    out.push(k);
  }
  return out;
}

/** For messages: a key shown as the body has it. */
export const key = (k: string) => JSON.stringify(k);
