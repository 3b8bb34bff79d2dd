import { describe, expect, it } from 'vitest';
import { jsonNestsDeeper, MAX_JSON_DEPTH } from '../../../src/http/json-depth.js';

const nest = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
const objects = (n: number) => '{"a":'.repeat(n) + 'null' + '}'.repeat(n);

describe('jsonNestsDeeper', () => {
  it('accepts exactly the limit and refuses one more, for arrays and objects', () => {
    expect(jsonNestsDeeper(nest(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestsDeeper(nest(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestsDeeper(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestsDeeper(objects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonNestsDeeper(nest(10_000))).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '['.repeat(5000), t: 'a\\"[[[[' + '{'.repeat(3000), u: ['\\'] });
    expect(JSON.parse(text)).toBeTruthy();
    expect(jsonNestsDeeper(text)).toBe(false);
    // ...but a string cannot hide real nesting after it
    expect(jsonNestsDeeper(`["[[[\\"]]]", ${nest(MAX_JSON_DEPTH)}]`)).toBe(true);
  });

  it('reads JSON lines: depth goes back to zero at each line', () => {
    const line = nest(300);
    expect(jsonNestsDeeper(`${line}\n${line}\n${line}\n`)).toBe(false);
    expect(jsonNestsDeeper(`${line}\n${nest(600)}\n`)).toBe(true);
  });

  it('wide is not deep: a page of many shallow rows passes', () => {
    const page = JSON.stringify({ data: Array.from({ length: 5000 }, (_, i) => ({ id: i, tags: [['x']], meta: { a: { b: 1 } } })) });
    expect(jsonNestsDeeper(page)).toBe(false);
  });
});
