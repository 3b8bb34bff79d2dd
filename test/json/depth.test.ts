import { describe, expect, it } from 'vitest';
import { JsonDepthError, MAX_JSON_DEPTH } from '../../src/json/depth.js';
import { parseJson, parseJsonBytes } from '../../src/json/parse.js';

// Bodies are hand-written text: the depth is what the brackets say. Both entry points (a body's
// bytes, a JSONL line's text) refuse past the limit with JsonDepthError, never a stack overflow.
const arrays = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);
const objects = (n: number) => '{"a":'.repeat(n) + 'null' + '}'.repeat(n);
const fromBytes = (text: string, maxDepth?: number) => parseJsonBytes(Buffer.from(text), { rows: ['data'], maxDepth });
const fromText = (text: string, maxDepth?: number) => parseJson(text, { maxDepth });

describe.each([
  ['parseJsonBytes', fromBytes],
  ['parseJson', fromText],
])('%s depth limit', (_name, parse) => {
  it('accepts exactly the limit and refuses one more, for arrays and objects', () => {
    expect(() => parse(arrays(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parse(arrays(MAX_JSON_DEPTH + 1))).toThrow(JsonDepthError);
    expect(() => parse(objects(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parse(objects(MAX_JSON_DEPTH + 1))).toThrow(JsonDepthError);
  });

  it('refuses 10,000 and 1,000,000 levels without recursing (no stack overflow)', () => {
    expect(() => parse(arrays(10_000))).toThrow(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    expect(() => parse(arrays(1_000_000))).toThrow(JsonDepthError);
  });

  it('finds deep nesting in any branch, inside a row, mixed arrays and objects', () => {
    const text = `{"data":[{"a":1},{"b":[2,3]},{"c":{"d":${'[{"e":'.repeat(300)}0${'}]'.repeat(300)}}}],"meta":{}}`;
    expect(() => parse(text)).toThrow(JsonDepthError); // 4 + 600 levels
    expect(() => parse(text, 700)).not.toThrow();
  });

  it('wide is not deep; strings full of brackets do not count', () => {
    const page = JSON.stringify({ data: Array.from({ length: 5000 }, (_, i) => ({ id: i, s: '['.repeat(2000), tags: [['x']], meta: { a: { b: 1 } } })) });
    expect((parse(page) as { data: unknown[] }).data).toHaveLength(5000);
    for (const v of ['null', '1', '"x"', 'true']) expect(() => parse(v)).not.toThrow();
  });
});
