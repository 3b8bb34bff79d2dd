import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, valueNestsDeeper } from '../../src/http/json-depth.js';

// Values are built by JSON.parse from hand-written text: the depth is what the brackets say.
const arrays = (n: number) => JSON.parse('['.repeat(n) + '1' + ']'.repeat(n)) as unknown;
const objects = (n: number) => JSON.parse('{"a":'.repeat(n) + 'null' + '}'.repeat(n)) as unknown;

describe('valueNestsDeeper', () => {
  it('accepts exactly the limit and refuses one more, for arrays and objects', () => {
    expect(valueNestsDeeper(arrays(MAX_JSON_DEPTH))).toBe(false);
    expect(valueNestsDeeper(arrays(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(valueNestsDeeper(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(valueNestsDeeper(objects(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('walks 10,000 and 1,000,000 levels without recursing (no stack overflow)', () => {
    expect(valueNestsDeeper(arrays(10_000))).toBe(true);
    expect(valueNestsDeeper(arrays(1_000_000))).toBe(true);
  });

  it('finds deep nesting in any branch, mixed arrays and objects, not only the first', () => {
    const text = `{"data":[{"a":1},{"b":[2,3]},{"c":{"d":${'[{"e":'.repeat(300)}0${'}]'.repeat(300)}}}],"meta":{}}`;
    expect(valueNestsDeeper(JSON.parse(text))).toBe(true); // 3 + 600 levels
    expect(valueNestsDeeper(JSON.parse(text), 700)).toBe(false);
  });

  it('wide is not deep; primitives and strings full of brackets are depth 0', () => {
    const page = JSON.parse(JSON.stringify({ data: Array.from({ length: 5000 }, (_, i) => ({ id: i, s: '['.repeat(2000), tags: [['x']], meta: { a: { b: 1 } } })) })) as unknown;
    expect(valueNestsDeeper(page)).toBe(false);
    for (const v of [null, 1, 'x', true]) expect(valueNestsDeeper(v)).toBe(false);
  });
});
