/**
 * Typed dates and times (renderer/src/dateInput.ts): the app's one format in and out, what people also
 * type read the same way, and a sentence naming what to fix for anything else — never a guess.
 */
import { describe, expect, it } from 'vitest';
import { dateInputText, dateTimeInputText, parseDateInput, parseDateTimeInput } from '../../renderer/src/dateInput';

const now = new Date(2026, 10, 23, 10, 0);
const local = (y: number, m: number, d: number, h: number, min: number): string => new Date(y, m - 1, d, h, min).toISOString();
const value = <T>(r: { ok: true; value: T } | { ok: false; problem: string }): T | string => (r.ok ? r.value : `!${r.problem}`);

describe('date inputs', () => {
  it('reads the app format and what people also type as the same day', () => {
    for (const typed of [
      '28 Jan 1959',
      '28 january 1959',
      '28-Jan-1959',
      '28/01/1959',
      '28.1.1959',
      '1959-01-28',
      'Jan 28, 1959',
    ]) {
      expect(value(parseDateInput(typed, now)), typed).toBe('1959-01-28');
    }
    expect(value(parseDateInput('3 Sept 2026', now))).toBe('2026-09-03');
    expect(value(parseDateInput('  7   Mar  ', now))).toBe('2026-03-07');
  });

  it('refuses what it cannot read unambiguously, saying what to fix', () => {
    expect(value(parseDateInput('', now))).toBe('!Enter the date, like 23 Nov 2026.');
    expect(value(parseDateInput('31 Nov 2026', now))).toBe('!There is no 31 Nov 2026. Check the day.');
    expect(value(parseDateInput('29/02/2025', now))).toBe('!There is no 29 Feb 2025. Check the day.');
    expect(value(parseDateInput('28/01/59', now))).toBe('!Write the year in full (four digits), like 23 Nov 2026.');
    expect(value(parseDateInput('11/23/2026', now))).toBe(
      '!11/23/2026 is not a date: there is no month 23. Write it like 23 Nov 2026.',
    );
    expect(value(parseDateInput('28 Jnu 1959', now))).toBe('!“Jnu” is not a month. Write the date like 23 Nov 2026.');
    expect(value(parseDateInput('yesterday', now))).toBe('!Write the date like 23 Nov 2026.');
  });

  it('writes a day with its year, always', () => {
    expect(dateInputText('1959-01-28')).toBe('28 Jan 1959');
    expect(dateInputText('2026-11-23')).toBe('23 Nov 2026');
  });
});

describe('date-and-time inputs', () => {
  it('reads the app format, ISO and common variants as local time', () => {
    for (const typed of [
      '23 Nov 2026, 10:00',
      '23 Nov 2026 10:00',
      '23 november 2026 at 10:00',
      '23/11/2026 10.00',
      '2026-11-23T10:00',
      '2026-11-23 10:00',
      '23 Nov 2026, 10 am',
      '23 Nov, 10:00',
    ]) {
      expect(value(parseDateTimeInput(typed, now)), typed).toBe(local(2026, 11, 23, 10, 0));
    }
    expect(value(parseDateTimeInput('23 Nov 2026, 2:30 pm', now))).toBe(local(2026, 11, 23, 14, 30));
    expect(value(parseDateTimeInput('23 Nov 2026, 12:15 am', now))).toBe(local(2026, 11, 23, 0, 15));
  });

  it('never reads a year as a time, and says what is missing or wrong', () => {
    expect(value(parseDateTimeInput('23 Nov 2026', now))).toBe('!Add the time, like 23 Nov 2026, 10:00.');
    expect(value(parseDateTimeInput('', now))).toBe('!Enter the date and time, like 23 Nov 2026, 10:00.');
    expect(value(parseDateTimeInput('23 Nov 2026, 25:00', now))).toBe(
      '!25:00 is not a time. Write it like 10:00 or 14:30 (24-hour clock).',
    );
    expect(value(parseDateTimeInput('11/23/2026, 10:00 AM', now))).toBe(
      '!11/23/2026 is not a date: there is no month 23. Write it like 23 Nov 2026.',
    );
    expect(value(parseDateTimeInput('soon', now))).toBe('!Write the date and time like 23 Nov 2026, 10:00.');
  });

  it('writes a moment as the app shows it, with the year', () => {
    expect(dateTimeInputText(local(2026, 11, 23, 9, 5))).toBe('23 Nov 2026, 09:05');
    const typed = '24 Nov 2026, 09:30';
    expect(dateTimeInputText(value(parseDateTimeInput(typed, now)))).toBe(typed);
  });
});

describe('one format, in and out', () => {
  it('writes months as the screen shows them', async () => {
    const { calendarDate } = await import('../../renderer/src/format');
    for (const ymd of ['2026-01-05', '2026-06-30', '2026-09-03', '2026-12-24'])
      expect(dateInputText(ymd)).toBe(calendarDate(ymd));
  });
});
