import { describe, expect, it } from 'vitest';
import { JsonNumber } from '../../src/json/number.js';
import { microsFromEpochSeconds, microsFromIso, microsOf, rfc3339 } from '../../src/writers/timestamps.js';

// Fixtures are the vendors' own spellings (api-docs/, api-contracts/others.md), each with the
// instant written out by hand as RFC 3339 UTC; microseconds come from Date.UTC, not from the code.

const us = (iso: string, extraMicros = 0) => BigInt(Date.parse(iso)) * 1000n + BigInt(extraMicros);

describe('ISO 8601 with a zone (Atribu, AttributionHub once normalised)', () => {
  const cases: Array<[string, string, bigint]> = [
    // atribu-customers-journey.txt samples
    ['2026-03-22T14:30:00Z', '2026-03-22T14:30:00Z', us('2026-03-22T14:30:00Z')],
    ['2026-03-18T10:15:00Z', '2026-03-18T10:15:00Z', us('2026-03-18T10:15:00Z')],
    // the cursor's `+00:00` form, and offsets either side of UTC (attributionhub-conversions.txt start_date sample)
    ['2026-03-22T14:30:00+00:00', '2026-03-22T14:30:00Z', us('2026-03-22T14:30:00Z')],
    ['2025-07-01T23:59:59+02:00', '2025-07-01T21:59:59Z', us('2025-07-01T21:59:59Z')],
    ['2025-07-01T00:30:00-0330', '2025-07-01T04:00:00Z', us('2025-07-01T04:00:00Z')],
    ['2025-07-01T00:30:00-03', '2025-07-01T03:30:00Z', us('2025-07-01T03:30:00Z')],
    // an offset that moves the instant across a day and a year
    ['2026-01-01T01:00:00+05:30', '2025-12-31T19:30:00Z', us('2025-12-31T19:30:00Z')],
    // RFC 3339 allows a space and lower-case t/z
    ['2026-03-22 14:30:00Z', '2026-03-22T14:30:00Z', us('2026-03-22T14:30:00Z')],
    ['2026-03-22t14:30:00z', '2026-03-22T14:30:00Z', us('2026-03-22T14:30:00Z')],
    ['2026-03-22T14:30Z', '2026-03-22T14:30:00Z', us('2026-03-22T14:30:00Z')],
    // fractions: kept to the microsecond, printed only as long as needed, beyond it cut
    ['2026-04-01T12:34:56.5Z', '2026-04-01T12:34:56.5Z', us('2026-04-01T12:34:56Z', 500_000)],
    ['2026-04-01T12:34:56.120Z', '2026-04-01T12:34:56.12Z', us('2026-04-01T12:34:56Z', 120_000)],
    ['2026-04-01T12:34:56.123456Z', '2026-04-01T12:34:56.123456Z', us('2026-04-01T12:34:56Z', 123_456)],
    ['2026-04-01T12:34:56.000001+01:00', '2026-04-01T11:34:56.000001Z', us('2026-04-01T11:34:56Z', 1)],
    ['2026-04-01T12:34:56.123456789Z', '2026-04-01T12:34:56.123456Z', us('2026-04-01T12:34:56Z', 123_456)],
    // leap day, and the ends of the range
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59Z', us('2024-02-29T23:59:59Z')],
    ['9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.999999Z', us('9999-12-31T23:59:59Z', 999_999)],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z', -62_135_596_800_000_000n],
    ['1969-12-31T23:59:59.5Z', '1969-12-31T23:59:59.5Z', -500_000n],
  ];
  it.each(cases)('%s is %s', (text, utc, micros) => {
    expect(microsFromIso(text)).toBe(micros);
    expect(rfc3339(micros)).toBe(utc);
  });

  it('names no instant for anything else', () => {
    const bad = [
      '2026-13-45T99:00:00Z', // the example
      '2026-03-22T14:30:00', // no zone: could be any of 25 instants
      '2025-03-05 15:14:00', // AttributionHub's sample, before its provider reads it as UTC
      '2026-02-30T10:00:00Z',
      '2026-03-22T24:00:00Z',
      '2026-03-22T10:60:00Z',
      '2026-03-22T23:59:60Z', // a leap second
      '2026-03-22T10:00:00+24:00',
      '2026-03-22T10:00:00+05:60',
      '2026-03-22',
      '0000-12-31T23:59:59Z',
      '2026-03-22T10:00:00.Z',
      '2026-03-22T10:00:00.1234567890Z',
      ' 2026-03-22T14:30:00Z',
      '22/03/2026 14:30 UTC',
      '',
    ];
    for (const text of bad) expect([text, microsFromIso(text)]).toEqual([text, undefined]);
    // 9999-12-31 late in the day with a negative offset is year 10000 in UTC
    expect(microsFromIso('9999-12-31T23:00:00-02:00')).toBeUndefined();
    expect(microsFromIso('0001-01-01T00:30:00+01:00')).toBeUndefined();
  });
});

describe('epoch seconds (Mixpanel raw export properties.time)', () => {
  it('reads the docs\' sample and its neighbours exactly', () => {
    // docs.mixpanel.com export-methods sample: "time":1602611311 = 2020-10-13T17:48:31Z
    expect(microsFromEpochSeconds(1602611311)).toBe(us('2020-10-13T17:48:31Z'));
    expect(rfc3339(microsFromEpochSeconds(1602611311)!)).toBe('2020-10-13T17:48:31Z');
    expect(microsFromEpochSeconds(0)).toBe(0n);
    expect(microsFromEpochSeconds(1602611311n)).toBe(us('2020-10-13T17:48:31Z'));
    expect(microsFromEpochSeconds(new JsonNumber('1602611311.250'))).toBe(us('2020-10-13T17:48:31Z', 250_000));
    expect(microsFromEpochSeconds(1602611311.5)).toBe(us('2020-10-13T17:48:31Z', 500_000));
    expect(microsFromEpochSeconds(-1)).toBe(-1_000_000n);
    expect(microsFromEpochSeconds(253402300799)).toBe(us('9999-12-31T23:59:59Z'));
  });

  it('names no instant for a number out of range, an exponent, or text', () => {
    for (const bad of [253402300800, 1602611311000000, -62135596801, Infinity, NaN, 1e21, new JsonNumber('1e400'), new JsonNumber('1.6e9'), '1602611311', null, true, {}]) {
      expect(microsFromEpochSeconds(bad)).toBeUndefined();
    }
  });

  it('a column reads only its own format', () => {
    expect(microsOf(1602611311, 'iso8601')).toBeUndefined();
    expect(microsOf('2020-10-13T17:48:31Z', 'epoch-seconds')).toBeUndefined();
    expect(microsOf('2020-10-13T17:48:31Z', 'iso8601')).toBe(us('2020-10-13T17:48:31Z'));
    expect(microsOf(1602611311, 'epoch-seconds')).toBe(1602611311n * 1_000_000n);
  });
});
