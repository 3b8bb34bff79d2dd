import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { maskText, maskUrlUserinfo, maskWrites, redact, registerBasicAuth, registerSecret, registerUrlCredentials, stripControls } from '../../src/core/secrets.js';

// The process-wide masking of src/secrets.ts. Every value here is written out by hand.

describe('maskUrlUserinfo', () => {
  it.each([
    ['http://user:pass@host:8080/x', 'http://user:****@host:8080/x'],
    ['GET https://a:b@h/p?q=1 200', 'GET https://a:****@h/p?q=1 200'],
    ['two: http://u:p1@a and https://v:p2@b', 'two: http://u:****@a and https://v:****@b'],
    ['http://token-only@host/', 'http://****@host/'],
    ['http://host:8080/path?mail=a@b.c', 'http://host:8080/path?mail=a@b.c'], // no userinfo: untouched
    ['mailto a@b.c and host:1@x', 'mailto a@b.c and host:1@x'],
    ['socks5://u:p:with:colons@h', 'socks5://u:****@h'],
    // libpq's password as a query parameter, first or later, and with userinfo too
    ['postgresql://h:5432/db?password=PgSecret123&table=t', 'postgresql://h:5432/db?password=****&table=t'],
    ['postgresql://h/db?table=t&sslpassword=KeyPass99 done', 'postgresql://h/db?table=t&sslpassword=**** done'],
    ['postgres://u:p1@h/db?PASSWORD=p2', 'postgres://u:****@h/db?PASSWORD=****'],
    ['https://h/x?passwords_seen=3', 'https://h/x?passwords_seen=3'], // another parameter: untouched
  ])('%s', (input, out) => {
    expect(maskUrlUserinfo(input)).toBe(out);
  });
});

describe('stripControls', () => {
  it('turns ESC, BEL, CR/LF, DEL, C1 and direction overrides into single spaces', () => {
    expect(stripControls('a\u001b]0;title\u0007b\u001b[31mred\r\nc\u007fd\u009be\u202ef')).toBe('a ]0;title b [31mred c d e f');
  });
  it('leaves ordinary text, including non-ASCII letters, alone', () => {
    expect(stripControls('Café – naïve 日本')).toBe('Café – naïve 日本');
  });
});

describe('redact', () => {
  it('masks raw, URL-encoded and JSON-escaped forms, longest secret first', () => {
    const s = 'p@ss/w"rd+1234';
    expect(redact(`raw ${s} url ${encodeURIComponent(s)} json ${JSON.stringify(s)}`, [s])).toBe('raw …1234 url …1234 json "…1234"');
    expect(redact('sk_live_fedcba9876543210fedcba9876543210', ['sk_live_fedcba9876543210fedcba9876543210', 'fedcba98'])).toBe('sk_live_…3210');
  });
});

describe('the registry', () => {
  it('masks what was registered, from anywhere, with the Basic form of user:password', () => {
    registerSecret('reg-key-0123456789abcdef');
    registerBasicAuth('svc', 'basic-pw-0123456789');
    registerUrlCredentials('http://alice:url%2Fpass-0123456789@h');
    const basic = Buffer.from('svc:basic-pw-0123456789').toString('base64');
    const urlBasic = Buffer.from('alice:url/pass-0123456789').toString('base64');
    const text = maskText(`reg-key-0123456789abcdef Basic ${basic} basic-pw-0123456789 url/pass-0123456789 url%2Fpass-0123456789 ${urlBasic}`);
    for (const leaked of ['reg-key-0123456789abcdef', basic, 'basic-pw-0123456789', 'url/pass-0123456789', 'url%2Fpass-0123456789', urlBasic]) expect(text).not.toContain(leaked);
  });

  it('ignores values too short to be told from ordinary words', () => {
    registerSecret('abc');
    expect(maskText('abc abcd')).toBe('abc abcd');
  });
});

describe('maskWrites', () => {
  it('masks strings and buffers written to the stream, and can be undone', () => {
    registerSecret('stream-secret-0123456789');
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d.toString()));
    const undo = maskWrites(stream);
    stream.write('a stream-secret-0123456789 line\n');
    stream.write(Buffer.from('http://u:pw@h stream-secret-0123456789\n'));
    stream.write(Buffer.from('plain bytes\n'));
    undo();
    stream.write('after stream-secret-0123456789\n');
    expect(chunks.join('')).toBe('a …6789 line\nhttp://u:****@h …6789\nplain bytes\nafter stream-secret-0123456789\n');
  });
});
