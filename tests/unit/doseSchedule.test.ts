/**
 * Scheduled doses (SPEC §3b): daily ward clock times in the site's zone within the order's window,
 * daylight-saving days resolved as documented in src/domain/zonedTime.ts, prn orders unscheduled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDoseTimes,
  isScheduledDose,
  nextScheduledDose,
  scheduledDoses,
  type DoseScheduleOrder,
} from '../../src/domain/doseSchedule';
import { checkTimeZone, localClock, localToInstants } from '../../src/domain/zonedTime';

function doses(order: DoseScheduleOrder, from: string, to: string, zone?: string): string[] {
  const r = scheduledDoses(order, from, to, zone);
  if (!r.ok) throw new Error(r.problem);
  return r.value;
}
const since2020 = (times: string[], extra: Partial<DoseScheduleOrder> = {}): DoseScheduleOrder => ({
  times,
  starts_at: '2020-01-01T00:00:00Z',
  ...extra,
});

describe('scheduled doses', () => {
  it('gives each clock time on every day, in UTC when the site has no zone', () => {
    expect(doses(since2020(['20:00', '08:00']), '2026-11-22T00:00:00Z', '2026-11-24T00:00:00Z')).toEqual([
      '2026-11-22T08:00:00.000Z',
      '2026-11-22T20:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T20:00:00.000Z',
    ]);
  });

  it("reads the clock times in the site's zone", () => {
    expect(doses(since2020(['08:00']), '2026-07-01T00:00:00Z', '2026-07-02T00:00:00Z', 'Europe/London')).toEqual([
      '2026-07-01T07:00:00.000Z',
    ]);
    expect(doses(since2020(['08:00']), '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 'Europe/London')).toEqual([
      '2026-12-01T08:00:00.000Z',
    ]);
    expect(doses(since2020(['08:00']), '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', 'Asia/Kolkata')).toEqual([
      '2026-12-01T02:30:00.000Z',
    ]);
  });

  it('stays within [starts_at, ends_at) and [from, to)', () => {
    const order = { times: ['08:00', '20:00'], starts_at: '2026-11-22T08:00:00Z', ends_at: '2026-11-23T20:00:00Z' };
    expect(doses(order, '2026-11-20T00:00:00Z', '2026-11-30T00:00:00Z')).toEqual([
      '2026-11-22T08:00:00.000Z',
      '2026-11-22T20:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
    ]);
    expect(doses(order, '2026-11-22T08:00:00Z', '2026-11-22T20:00:00Z')).toEqual(['2026-11-22T08:00:00.000Z']);
    expect(doses(order, '2026-11-25T00:00:00Z', '2026-11-24T00:00:00Z')).toEqual([]);
  });

  it('gives a prn order no schedule', () => {
    expect(doses({ prn: true, starts_at: '2026-11-22T08:00:00Z' }, '2026-11-22T00:00:00Z', '2026-11-24T00:00:00Z')).toEqual([]);
  });

  describe('on daylight-saving days', () => {
    const spring = ['2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'] as const; // London skips 01:00–02:00
    const autumn = ['2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z'] as const; // London repeats 01:00–02:00

    it('gives a dose time inside the spring gap as far after the gap as it was inside it', () => {
      expect(doses(since2020(['01:30']), ...spring, 'Europe/London')).toEqual(['2026-03-29T01:30:00.000Z']);
      expect(localClock('Europe/London', Date.parse('2026-03-29T01:30:00Z'))).toBe('02:30');
      expect(doses(since2020(['02:30']), '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', 'America/New_York')).toEqual([
        '2026-03-08T07:30:00.000Z',
      ]);
    });

    it('gives two dose times that the gap makes one instant as one dose', () => {
      expect(doses(since2020(['01:30', '02:30', '08:00']), ...spring, 'Europe/London')).toEqual([
        '2026-03-29T01:30:00.000Z',
        '2026-03-29T07:00:00.000Z',
      ]);
    });

    it('gives a dose time the autumn overlap repeats once, at its first occurrence', () => {
      expect(doses(since2020(['01:30']), ...autumn, 'Europe/London')).toEqual(['2026-10-25T00:30:00.000Z']);
      expect(localToInstants('Europe/London', { year: 2026, month: 10, day: 25 }, 1, 30)).toEqual({
        instants: [Date.parse('2026-10-25T00:30:00Z'), Date.parse('2026-10-25T01:30:00Z')],
        resolved: Date.parse('2026-10-25T00:30:00Z'),
        kind: 'overlap',
      });
      expect(doses(since2020(['02:30']), '2026-04-04T12:00:00Z', '2026-04-05T12:00:00Z', 'Australia/Sydney')).toEqual([
        '2026-04-04T15:30:00.000Z',
      ]);
    });

    it('keeps the other doses of those days at their clock times (a 23-hour and a 25-hour ward day)', () => {
      const order = since2020(['00:30', '08:00', '22:00']);
      expect(doses(order, '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z', 'Europe/London')).toEqual([
        '2026-03-29T00:30:00.000Z',
        '2026-03-29T07:00:00.000Z',
        '2026-03-29T21:00:00.000Z',
      ]);
      expect(doses(order, '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z', 'Europe/London')).toEqual([
        '2026-10-24T23:30:00.000Z',
        '2026-10-25T08:00:00.000Z',
        '2026-10-25T22:00:00.000Z',
      ]);
    });

    it('survives a day the zone skipped altogether (Samoa, 30 December 2011): no dose twice', () => {
      const r = doses(
        since2020(['09:00'], { starts_at: '2011-01-01T00:00:00Z' }),
        '2011-12-28T00:00:00Z',
        '2012-01-02T00:00:00Z',
        'Pacific/Apia',
      );
      expect(new Set(r).size).toBe(r.length);
      expect(r.map((t) => localClock('Pacific/Apia', Date.parse(t)))).toEqual(r.map(() => '09:00'));
    });
  });

  it('says what is wrong with a bad zone, dose time or period', () => {
    const problem = (r: ReturnType<typeof scheduledDoses>): string => (r.ok ? '' : r.problem);
    expect(problem(scheduledDoses(since2020(['08:00']), '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z', 'Mars/Olympus'))).toMatch(
      /^"Mars\/Olympus" is not a time zone/,
    );
    expect(problem(scheduledDoses(since2020(['8:00']), '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z'))).toMatch(
      /^Dose times are 24-hour clock times .* not "8:00"\.$/,
    );
    expect(problem(scheduledDoses(since2020([]), '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z'))).toMatch(
      /needs at least one dose time/,
    );
    expect(problem(scheduledDoses(since2020(['08:00']), '2026-11-22', '2026-11-23T00:00:00Z'))).toMatch(
      /needs a start and an end time/,
    );
    expect(
      problem(scheduledDoses(since2020(['08:00'], { starts_at: 'soon' }), '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z')),
    ).toMatch(/no valid start time/);
    expect(problem(scheduledDoses(since2020(['08:00']), '2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z'))).toMatch(
      /at most 1000 days/,
    );
  });

  it("checks a prescription's dose times: 00:00 to 23:59, none twice, sorted", () => {
    expect(checkDoseTimes(['20:00', '08:00', '00:00', '23:59'])).toEqual({
      ok: true,
      value: ['00:00', '08:00', '20:00', '23:59'],
    });
    for (const bad of ['24:00', '8:00', '08:60', '08:00:00', ' 08:00', 'noon']) expect(checkDoseTimes([bad]).ok, bad).toBe(false);
    expect(checkDoseTimes(['08:00', '08:00'])).toEqual({
      ok: false,
      kind: 'invalid',
      problem: 'The dose time 08:00 is listed twice; list each time once.',
    });
  });

  it("knows whether a time is one of the order's doses, and which dose comes next", () => {
    const order = since2020(['08:00', '20:00']);
    expect(isScheduledDose(order, '2026-11-23T08:00:00Z')).toEqual({ ok: true, value: true });
    expect(isScheduledDose(order, '2026-11-23T09:00:00+01:00')).toEqual({ ok: true, value: true });
    expect(isScheduledDose(order, '2026-11-23T08:01:00Z')).toEqual({ ok: true, value: false });
    expect(nextScheduledDose(order, '2026-11-23T08:00:01Z')).toEqual({ ok: true, value: '2026-11-23T20:00:00.000Z' });
    expect(nextScheduledDose({ ...order, ends_at: '2026-11-23T12:00:00Z' }, '2026-11-23T09:00:00Z')).toEqual({
      ok: true,
      value: null,
    });
  });

  it('knows time zones by their IANA names and takes none as UTC', () => {
    expect(checkTimeZone(undefined)).toEqual({ ok: true, value: 'UTC' });
    expect(checkTimeZone('  ')).toEqual({ ok: true, value: 'UTC' });
    expect(checkTimeZone('Europe/London')).toEqual({ ok: true, value: 'Europe/London' });
    expect(checkTimeZone('Europe/Londres').ok).toBe(false);
  });

  it("lists each dose once, in order, within the period, reading the ward clock's time (property)", () => {
    const zones = [
      'UTC',
      'Europe/London',
      'America/New_York',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/St_Johns',
      'Pacific/Chatham',
    ];
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(hhmm, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2024-01-01'), max: Date.parse('2027-12-31') }),
        fc.integer({ min: 1, max: 96 }),
        (times, zone, start, hours) => {
          const from = new Date(start).toISOString();
          const to = new Date(start + hours * 3_600_000).toISOString();
          const r = doses(since2020(times), from, to, zone);
          const ms = r.map(Date.parse);
          expect(ms).toEqual([...new Set(ms)].sort((a, b) => a - b));
          for (const t of ms) {
            expect(t >= start && t < start + hours * 3_600_000).toBe(true);
            // A dose reads as one of its clock times, or lies an hour (or half an hour) after a gap.
            const clock = localClock(zone, t);
            const back = [30, 60].map((m) => localClock(zone, t - m * 60_000));
            expect(times.includes(clock) || back.some((c) => times.includes(c))).toBe(true);
          }
          if (zone === 'UTC' || zone === 'Asia/Kolkata')
            expect(r.length).toBeGreaterThanOrEqual(Math.floor(hours / 24) * times.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
