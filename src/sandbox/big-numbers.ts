// The number modes of `--broken` (broken.ts): the API's rows carry number texts that no
// JavaScript number keeps, written into the body's text (JSON.stringify could not write them).
// Each edit is a function of the row's own text, so a row reads the same in every query and
// page-edge repair still recognises it. Tests read what was served from the pages themselves
// (test/e2e/exact-numbers.test.ts).

/** 2^60 + 1: ids from here on are mostly integers a double cannot hold (its step there is 256). */
export const SESSION_ID_SHIFT = 2n ** 60n + 1n;

/** Put first into every `properties` object: nested numbers a json column must keep digit for digit. */
export const NESTED_NUMBERS = '"big":12345678901234567890,"deep":{"id":9007199254740993,"list":[1.50,-0,1e400,0.0000001]}';

/**
 * `big-numbers`: every value still fits its column type, in a form JavaScript would change.
 * conversions: credit gains a trailing zero (0.5 -> 0.50, 1.0 -> 1.00), touchpoint_index is
 * written 2.0, properties start with NESTED_NUMBERS; funnel: session_id + SESSION_ID_SHIFT and the
 * same properties.
 */
export function withBigNumbers(body: string): string {
  return body
    .replace(/"credit":(\d+\.\d+)(?=[,}])/g, (_m, credit: string) => `"credit":${credit}0`)
    .replace(/"touchpoint_index":(\d+)(?=[,}])/g, '"touchpoint_index":$1.0')
    .replace(/"session_id":(\d+)(?=[,}])/g, (_m, id: string) => `"session_id":${BigInt(id) + SESSION_ID_SHIFT}`)
    .replace(/"properties":\{(\}?)/g, (_m, close: string) => `"properties":{${NESTED_NUMBERS}${close ? '}' : ','}`);
}

/** `huge-numbers`: conversions' credit (a DOUBLE column) is 1e400, which no column type holds. */
export function withHugeNumbers(body: string): string {
  return body.replace(/"credit":[-\d.e+]+(?=[,}])/g, '"credit":1e400');
}
