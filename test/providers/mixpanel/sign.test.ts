import { describe, expect, it } from 'vitest';
import { encodeList, quotePlus, signatureBase, signedQuery, signWire, wireParams } from '../../../src/providers/mixpanel/sign.js';

// The contract's test vectors (api-contracts/others.md §1), computed with the official Python client.
const A = {
  secret: 'b7e4c2d1a9f84e3c8d6a5b4c3d2e1f00',
  params: { api_key: 'f0aa346688cee071cd85d857285a3464', event: ['splash features', 'account-page'], type: 'average', unit: 'day', interval: '7', expire: '1275624968', format: 'json' },
};
const B = {
  secret: 's3cr3t',
  params: { api_key: 'abc123', event: 'Café ☕', name: 'plan', type: 'unique', unit: 'week', interval: '4', expire: '1700000000', format: 'json', values: ['pro', 'free'], callback: 'cb1' },
};

describe('Mixpanel signing', () => {
  it('vector A: hashed string and sig', () => {
    const wire = wireParams(A.params);
    expect(signatureBase(wire)).toBe('api_key=f0aa346688cee071cd85d857285a3464event=["splash features", "account-page"]expire=1275624968format=jsoninterval=7type=averageunit=day');
    expect(signWire(wire, A.secret)).toBe('e600223b20d6edb162e3efe767a8acf8');
  });

  it("vector A: the query is Python urlencode's, byte for byte", () => {
    const { api_key, expire, format, ...params } = A.params;
    expect(format).toBe('json');
    const q = signedQuery({ params, apiKey: api_key, apiSecret: A.secret, expire: Number(expire) });
    expect(q).toBe(
      'api_key=f0aa346688cee071cd85d857285a3464&event=%5B%22splash+features%22%2C+%22account-page%22%5D&expire=1275624968&format=json&interval=7&sig=e600223b20d6edb162e3efe767a8acf8&type=average&unit=day',
    );
    expect(q).not.toContain(A.secret);
  });

  it('vector B: UTF-8 string value, list value, callback left out of the hash', () => {
    const wire = wireParams(B.params);
    expect(signatureBase(wire)).toBe('api_key=abc123event=Café ☕expire=1700000000format=jsoninterval=4name=plantype=uniqueunit=weekvalues=["pro", "free"]');
    expect(signWire(wire, B.secret)).toBe('91e56cb97dbf7396879fd473ed2bd61b');
  });

  it('vector B compact: values sent as ["pro","free"] sign differently', () => {
    const wire = wireParams(B.params, 'compact');
    expect(wire.values).toBe('["pro","free"]');
    expect(signWire(wire, B.secret)).toBe('d6a17deb237cab74496efdfb311fb992');
  });

  it('lists are json.dumps: ", " and non-ASCII as lowercase \\uXXXX, astral as surrogate pairs', () => {
    expect(encodeList(['Café ☕', 'a"b\\c\n', '😀', '\u007f'])).toBe('["Caf\\u00e9 \\u2615", "a\\"b\\\\c\\n", "\\ud83d\\ude00", "\u007f"]');
    expect(encodeList([])).toBe('[]');
    expect(encodeList(['x'], 'compact')).toBe('["x"]');
  });

  it('sorts keys by code point, not by the joined "k=v" text', () => {
    // keolo's Ruby client sorts "a1=…" before "a=…" ("1" < "="); Python sorts the keys: "a" first.
    expect(signatureBase({ a1: 'x', a: 'y', sig: 'dropped', callback: 'dropped' })).toBe('a=ya1=x');
  });

  it("quotePlus keeps only Python's safe characters", () => {
    expect(quotePlus("a b!'()*~-._/")).toBe('a+b%21%27%28%29%2A~-._%2F');
    expect(quotePlus('Café ☕')).toBe('Caf%C3%A9+%E2%98%95');
  });
});
