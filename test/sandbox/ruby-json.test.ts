import { describe, expect, it } from 'vitest';
import { jsonString, jsonbObject, rubyFloat, JsonbShape } from '../../src/sandbox/ruby-json.js';

// Expected strings are Ruby 3.1's Float#to_s for the same doubles.
describe('Ruby float printing', () => {
  it.each([
    [149, '149.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [74.5, '74.5'],
    [0.3333, '0.3333'],
    [0.0001, '0.0001'],
    [0.00001, '1.0e-05'],
    [9.9999e-5, '9.9999e-05'],
    [1e-6, '1.0e-06'],
    [1.5e-7, '1.5e-07'],
    [5e-324, '5.0e-324'],
    [123456789012345.6, '123456789012345.6'],
    [1e15, '1.0e+15'],
    [1234567890123456.5, '1234567890123456.5'],
    [1e16, '1.0e+16'],
    [1.2345e20, '1.2345e+20'],
    [-2.5e-5, '-2.5e-05'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e100, '1.0e+100'],
  ])('%d prints as %s', (x, expected) => {
    expect(rubyFloat(x)).toBe(expected);
    expect(JSON.parse(expected)).toBe(x);
  });
});

describe('ActiveSupport string escaping', () => {
  it('escapes HTML-significant characters and line separators, keeps other non-ASCII raw', () => {
    expect(jsonString('<b>&</b>')).toBe('"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"');
    expect(jsonString('a\u2028b')).toBe('"a\\u2028b"');
    expect(jsonString('Café 東京 🚀')).toBe('"Café 東京 🚀"');
    expect(jsonString('say "hi"\n\tback\\slash')).toBe('"say \\"hi\\"\\n\\tback\\\\slash"');
    for (const s of ['<b>&</b>', 'a\u2028b', 'x\u0001y', 'plain']) expect(JSON.parse(jsonString(s))).toBe(s);
  });
});

describe('jsonb key order', () => {
  it('sorts keys by length, then bytes, and keeps the last of a repeated key', () => {
    expect(jsonbObject([['order_id', '"o"'], ['sku', '"s"'], ['items', '2'], ['b', '1'], ['a', '0'], ['b', '3']])).toBe(
      '{"a":0,"b":3,"sku":"s","items":2,"order_id":"o"}',
    );
    expect(jsonbObject([])).toBe('{}');
  });

  it('renders a shape with missing values left out', () => {
    const shape = new JsonbShape(['order_id', 'sku', 'note']);
    expect(shape.render(['"o"', undefined, 'null'])).toBe('{"note":null,"order_id":"o"}');
    expect(shape.render([undefined, undefined, undefined])).toBe('{}');
  });
});
