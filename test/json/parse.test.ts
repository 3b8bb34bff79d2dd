import { describe, expect, it } from 'vitest';
import { JsonNumber } from '../../src/json/number.js';
import { parseJson, parseJsonBytes, rowBytes, type ParseOptions } from '../../src/json/parse.js';

// Hand-written bodies: what each value must come back as is written here, next to the text.
// Every case runs through both entry points: bytes (parsed as Latin-1, non-ASCII strings decoded
// afterwards: what the HTTP client uses) and text (a JSONL line).

const entries: [string, (body: string, o?: ParseOptions) => unknown][] = [
  ['bytes', (body, o) => parseJsonBytes(Buffer.from(body, 'utf8'), o)],
  ['text', (body, o) => parseJson(body, o)],
];

const text = (row: object) => {
  const b = rowBytes(row);
  return b && b.bytes.subarray(b.start, b.end).toString('utf8');
};

describe.each(entries)('%s: numbers', (_name, parse) => {
  it('keeps as text every number a JavaScript number would change, and only those', () => {
    const body =
      '{"a":9007199254740993,"b":12345678901234567890,"c":1e400,"d":-0,"e":1.50,"f":1.0,"g":1E2,"h":0.0000001,"i":-1e-400,"s":9007199254740992,' +
      '"j":0.1,"k":42,"l":-7,"m":0.3333333333333333,"n":1.5,"o":1e+21,"p":0.000001,"q":-0.5,"r":123456789012345,"t":0}';
    const j = parse(body) as Record<string, unknown>;
    const kept = Object.fromEntries(Object.entries(j).filter(([, v]) => v instanceof JsonNumber).map(([k, v]) => [k, (v as JsonNumber).text]));
    expect(kept).toEqual({ a: '9007199254740993', b: '12345678901234567890', c: '1e400', d: '-0', e: '1.50', f: '1.0', g: '1E2', h: '0.0000001', i: '-1e-400', s: '9007199254740992' });
    expect([j.j, j.k, j.l, j.m, j.n, j.o, j.p, j.q, j.r, j.t]).toEqual([0.1, 42, -7, 0.3333333333333333, 1.5, 1e21, 0.000001, -0.5, 123456789012345, 0]);
  });

  it('finds numbers at any depth, in arrays, and behind escaped or non-ASCII keys', () => {
    const body = '{"x":[1, [2.0, {"k\\u00e9y":{"zoë":[12345678901234567890]}}]],"s":"1.0 is text, 1e400 too","t":"\\"1.0\\"" }';
    const j = parse(body) as { x: [number, [JsonNumber, { 'kéy': { 'zoë': [JsonNumber] } }]]; s: string; t: string };
    expect(j.x[0]).toBe(1);
    expect(j.x[1][0]).toEqual(new JsonNumber('2.0'));
    expect(j.x[1][1]['kéy']['zoë'][0]).toEqual(new JsonNumber('12345678901234567890'));
    expect(j.s).toBe('1.0 is text, 1e400 too');
    expect(j.t).toBe('"1.0"');
  });

  it('a bare number body', () => {
    expect(parse(' 1e400 ')).toEqual(new JsonNumber('1e400'));
    expect(parse('17')).toBe(17);
  });

  it('with a rows path, only numbers inside the rows are kept as text; the envelope stays numbers', () => {
    const body = '{"meta":{"total_count":2.0,"page":1},"data":[{"n":1.0},{"n":2}],"other":[{"n":3.0}]}';
    const j = parse(body, { rows: ['data'] }) as { meta: { total_count: unknown }; data: { n: unknown }[]; other: { n: unknown }[] };
    expect(j.meta.total_count).toBe(2);
    expect(j.data[0]!.n).toEqual(new JsonNumber('1.0'));
    expect(j.data[1]!.n).toBe(2);
    expect(j.other[0]!.n).toBe(3);
  });

  it('throws SyntaxError on invalid JSON, like JSON.parse', () => {
    expect(() => parse('{"a":1,}')).toThrow(SyntaxError);
    expect(() => parse('{"a":"\u00e9",}')).toThrow(SyntaxError);
  });
});

describe.each(entries)('%s: strings', (_name, parse) => {
  it('non-ASCII text comes back as the same characters, raw or escaped, in values, arrays and keys', () => {
    const body = '{"a":"Zoë O\'Brien","b":["東京","x\\u00e9y é","\\ud83d\\ude80 🚀"],"ключ":{"мир":"مرحبا"},"c":"plain","d":"\\u2028"}';
    expect(parse(body)).toEqual({ a: "Zoë O'Brien", b: ['東京', 'xéy é', '🚀 🚀'], 'ключ': { 'мир': 'مرحبا' }, c: 'plain', d: '\u2028' });
  });

  it('a bare string body', () => {
    expect(parse('"東京"')).toBe('東京');
  });
});

describe('bytes: what the text decoder would give', () => {
  it('bytes that are not UTF-8 become U+FFFD, as decoding the body would', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('y","b":["'), Buffer.from([0xe6, 0x9d]), Buffer.from('"]}')]);
    expect(parseJsonBytes(bytes)).toEqual(JSON.parse(bytes.toString('utf8')));
  });

  it('a duplicated key keeps the last value, as JSON.parse does', () => {
    expect(parseJsonBytes(Buffer.from('{"a":"é","a":"x","b":1.0,"b":"y"}'))).toEqual({ a: 'x', b: 'y' });
  });
});

describe.each(entries)('%s: row bytes', (_name, parse) => {
  it('each row keeps its own bytes, escapes and non-ASCII included', () => {
    const rows = ['{"a":"x\\"}{,","b":[1,{"c":null}]}', '{"é":"東京","n":12345678901234567890,"t":true,"f":false}', '{}'];
    const body = `{"data":[${rows.join(',')}],"meta":{"n":3}}`;
    const j = parse(body, { rows: ['data'] }) as { data: object[] };
    expect(j.data.map(text)).toEqual(rows);
  });

  it('a pretty-printed body gives one-line rows without the whitespace between tokens, strings untouched', () => {
    const body = '{\n  "data": [\n    {\n      "a": "two  spaces\\n",\n      "b": [ 1.0 , 2 ]\n    },\n    { "c" : {} }\n  ]\n}\n';
    const j = parse(body, { rows: ['data'] }) as { data: object[] };
    expect(j.data.map(text)).toEqual(['{"a":"two  spaces\\n","b":[1.0,2]}', '{"c":{}}']);
  });

  it('nested rows paths; elements that are not objects get no bytes', () => {
    const body = '{"data":{"events":[{"a":1},2,{"b":2}],"total_count":3}}';
    const j = parse(body, { rows: ['data', 'events'] }) as { data: { events: object[] } };
    expect(text(j.data.events[0]!)).toBe('{"a":1}');
    expect(text(j.data.events[2]!)).toBe('{"b":2}');
  });

  it('the bytes do not belong to a spread copy, and show in neither keys nor JSON.stringify', () => {
    const j = parse('{"data":[{"a":1}]}', { rows: ['data'] }) as { data: object[] };
    const row = j.data[0]!;
    expect(text(row)).toBe('{"a":1}');
    expect(rowBytes({ ...row })).toBeUndefined();
    expect(rowBytes({ x: 1, ...row })).toBeUndefined();
    expect(Object.keys(row)).toEqual(['a']);
    expect(JSON.stringify(row)).toBe('{"a":1}');
  });
});

describe('bytes: rows from bytes that are not UTF-8', () => {
  it('get no row bytes (the decoded text has U+FFFD where the bytes do not)', () => {
    const bytes = Buffer.concat([Buffer.from('{"data":[{"a":"'), Buffer.from([0xff]), Buffer.from('"}]}')]);
    const j = parseJsonBytes(bytes, { rows: ['data'] }) as { data: object[] };
    expect(j.data[0]).toEqual({ a: '\ufffd' });
    expect(rowBytes(j.data[0]!)).toBeUndefined();
  });
});

describe('rows that carry their bytes', () => {
  it('are frozen: a change in place throws rather than going out unseen as the old bytes', () => {
    const json = parseJsonBytes(Buffer.from('{"data":[{"a":1,"t":"2025-03-05 15:14:00"}]}'), { rows: ['data'] }) as { data: Record<string, unknown>[] };
    const [row] = json.data;
    expect(rowBytes(row!)).toBeDefined();
    expect(() => {
      row!.t = '2025-03-05T15:14:00Z';
    }).toThrow(TypeError);
    expect(() => {
      delete row!.a;
    }).toThrow(TypeError);
    // a copy is a new row: it has no bytes, so it is written from its values
    const copy = { ...row, t: 'changed' };
    expect(rowBytes(copy)).toBeUndefined();
  });
});
