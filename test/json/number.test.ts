import { describe, expect, it } from 'vitest';
import { exactDouble, exactInteger, JsonNumber, numberText, safeInteger } from '../../src/json/number.js';

// What a column type can hold of a JSON number's text, decided by hand for each case here.

describe('exactDouble: the double with the same value as the text, or nothing', () => {
  it.each([
    ['1.0', 1],
    ['1.50', 1.5],
    ['1E2', 100],
    ['-0', -0],
    ['0.1', 0.1],
    ['0.0000001', 1e-7],
    ['0.3333333333333333', 0.3333333333333333],
    ['9007199254740992', 9007199254740992],
    ['123456789012345.0', 123456789012345],
    ['1e-5', 0.00001],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ])('%s holds as %s', (text, value) => {
    expect(Object.is(exactDouble(text), value)).toBe(true);
  });

  it.each(['1e400', '-1e400', '1e-400', '9007199254740993', '12345678901234567890', '0.10000000000000000001', '1.00000000000000001'])('%s does not fit a double', (text) => {
    expect(exactDouble(text)).toBeUndefined();
  });
});

describe('exactInteger: the integer the text is, or nothing', () => {
  it.each([
    ['12345678901234567890', 12345678901234567890n],
    ['-9223372036854775808', -9223372036854775808n],
    ['1.0', 1n],
    ['1E2', 100n],
    ['1.5e1', 15n],
    ['-0', 0n],
    ['0.0', 0n],
  ])('%s is %s', (text, value) => {
    expect(exactInteger(text)).toBe(value);
  });

  it.each(['1.5', '1e-1', '1e400', '0.5e0'])('%s is not an integer a column holds', (text) => {
    expect(exactInteger(text)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('numberText prints the server text, or what JavaScript prints', () => {
    expect(numberText(new JsonNumber('1.50'))).toBe('1.50');
    expect(numberText(2.5)).toBe('2.5');
  });

  it('safeInteger reads counts and timestamps whichever form they came in', () => {
    expect(safeInteger(7)).toBe(7);
    expect(safeInteger(new JsonNumber('1714521600.0'))).toBe(1714521600);
    expect(safeInteger(new JsonNumber('1e3'))).toBe(1000);
    expect(safeInteger(new JsonNumber('9007199254740993'))).toBeUndefined();
    expect(safeInteger(1.5)).toBeUndefined();
    expect(safeInteger('7')).toBeUndefined();
  });

  it('String() and JSON.stringify of a JsonNumber never produce a rounded number', () => {
    const n = new JsonNumber('12345678901234567890');
    expect(String(n)).toBe('12345678901234567890');
    expect(JSON.stringify({ n })).not.toContain('12345678901234567000');
  });
});
