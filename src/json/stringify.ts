import { NUMBER_MARK } from './number.js';

// JSON text with every number exact. JSON.stringify does the work; a JsonNumber comes out of it
// as the marked string its toJSON returns, which one replace turns back into the bare number.
// Values that hold no JsonNumber (nearly all) pay only for one `includes`.

const MARKED_NUMBER = new RegExp(`"${NUMBER_MARK}(-?[0-9][0-9.eE+-]*)"`, 'g');

/** Compact JSON text; BigInts print as their digits. undefined where JSON.stringify gives undefined. */
export function stringifyExact(value: unknown): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A BigInt (JSON.stringify refuses them), from a row a provider built by hand.
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? NUMBER_MARK + v.toString() : v));
  }
  return text !== undefined && text.includes(NUMBER_MARK) ? text.replace(MARKED_NUMBER, '$1') : text;
}
