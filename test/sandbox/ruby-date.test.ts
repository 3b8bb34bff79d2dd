import { describe, expect, it } from 'vitest';
import { rubyDateParse, DateInputTooLongError } from '../../src/sandbox/ruby-date.js';
import { dayFromCivil, dayString } from '../../src/sandbox/calendar.js';

// Expected values are Ruby 3.1's own `Date.parse(s).to_s` (or Date::Error -> null), recorded on
// 2026-11-23, a Monday: the relative forms (Jan 5 = this year, 15th = this month, monday = this
// week, w52 = this ISO year) are read against that day.
const TODAY = dayFromCivil(2026, 11, 23);
const RUBY: Array<[string, string | null]> = [
    ["2024-01-15", "2024-01-15"],
    ["2024-1-5", "2024-01-05"],
    ["20240115", "2024-01-15"],
    ["15/01/2024", "2024-01-15"],
    ["2024/01/15", "2024-01-15"],
    ["Jan 5", "2026-01-05"],
    ["5 Jan 2024", "2024-01-05"],
    ["January 5, 2024", "2024-01-05"],
    ["2024-01-15T23:00:00+10:00", "2024-01-15"],
    ["2024-01-15 junk", "2026-06-15"],
    ["  2024-01-15  ", "2024-01-15"],
    ["24-01-15", "2024-01-15"],
    ["99-12-31", "1999-12-31"],
    ["15.01.2024", "2024-01-15"],
    ["15-Jan-2024", "2024-01-15"],
    ["Jan-5", "2026-01-05"],
    ["2024-02-29", "2024-02-29"],
    ["march", "2026-03-01"],
    ["15th", "2026-11-15"],
    ["the 3rd", "2026-11-03"],
    ["monday", "2026-11-23"],
    ["Sat, 15 Mar 2025", "2025-03-15"],
    ["1/5", "2026-01-05"],
    ["1/5/24", "2001-05-24"],
    ["2024-001", "2024-01-01"],
    ["2024015", "2024-01-15"],
    ["240115", "2024-01-15"],
    ["0115", "2026-01-15"],
    ["15", "2026-11-15"],
    ["'24", "2024-01-01"],
    ["mon '24", "2024-01-01"],
    ["W03, march", "2026-03-03"],
    ["w52", "2026-12-21"],
    ["2024-W03-1", "2024-01-15"],
    ["-w-3", "2026-11-25"],
    ["--01-15", "2026-01-15"],
    ["H31.04.30", "2019-04-30"],
    ["R1.05.01", "2019-05-01"],
    ["5pm Jan 3", "2026-11-03"],
    ["2024-01-15 10:00 PST", "2024-01-15"],
    ["202401151230", "2024-01-15"],
    ["junk 2024-01-15", "2024-06-01"],
    ["banana", null],
    ["2024-02-30", null],
    ["2024-13-01", null],
    ["01/15/2024", null],
    ["today", null],
    ["yesterday", null],
    ["", null],
    ["10:00", null],
    ["2023-02-29", null],
    ["5", null],
    ["2024", null],
    ["10am", null],
    ["tue w52", null],
    ["sun '2025", null],
    ["2024--1-01", null],
    ["12345678901234", null],
];

const parse = (s: string) => {
  const day = rubyDateParse(s, TODAY);
  return day === null ? null : dayString(day);
};

describe("Ruby's Date.parse", () => {
  it.each(RUBY)('%j parses as Ruby does (%s)', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it('covers every accept/reject example of the contract', () => {
    for (const s of ['2024-1-5', '20240115', '15/01/2024', 'Jan 5', '2024-01-15T23:00:00+10:00', '2024-01-15 junk']) expect(parse(s)).not.toBeNull();
    for (const s of ['banana', '2024-02-30', '2024-13-01', '01/15/2024', 'today']) expect(parse(s)).toBeNull();
    expect(parse('2024-01-15T23:00:00+10:00')).toBe('2024-01-15');
  });

  it('throws past 128 characters (the server answers 500), and accepts exactly 128', () => {
    expect(() => rubyDateParse(`2024-01-15${' '.repeat(119)}`, TODAY)).toThrow(DateInputTooLongError);
    expect(parse(`2024-01-15${' '.repeat(118)}`)).toBe('2024-01-15');
  });

  it('reads dates before 1582-10-15 on the Julian calendar, as Date::ITALY does', () => {
    // 1500 is a Julian leap year but not a Gregorian one; 1582-10-05..14 never existed.
    expect(rubyDateParse('1500-02-29', TODAY)).not.toBeNull();
    expect(rubyDateParse('1582-10-10', TODAY)).toBeNull();
    expect((rubyDateParse('1582-10-15', TODAY) as number) - (rubyDateParse('1582-10-04', TODAY) as number)).toBe(1);
  });
});
