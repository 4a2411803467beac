/** The nursing shifts of "one handover note per patient per shift" (src/domain/shift.ts): 07:00–19:00 and 19:00–07:00 on the ward clock (UTC when no zone). */
import { describe, expect, it } from 'vitest';
import { shiftOf } from '../../src/domain/shift';

describe('shiftOf', () => {
  it('puts the small hours in the night shift that began the evening before', () => {
    expect(shiftOf('2026-11-23T06:59:59.999Z')).toEqual({
      name: 'night',
      start: '2026-11-22T19:00:00.000Z',
      end: '2026-11-23T07:00:00.000Z',
    });
  });
  it('starts the day shift at 07:00 sharp and ends it at 19:00', () => {
    expect(shiftOf('2026-11-23T07:00:00.000Z')).toEqual({
      name: 'day',
      start: '2026-11-23T07:00:00.000Z',
      end: '2026-11-23T19:00:00.000Z',
    });
    expect(shiftOf('2026-11-23T18:59:59.999Z').name).toBe('day');
  });
  it('runs the evening night shift into the next morning, across a month end', () => {
    expect(shiftOf('2026-11-30T19:00:00.000Z')).toEqual({
      name: 'night',
      start: '2026-11-30T19:00:00.000Z',
      end: '2026-12-01T07:00:00.000Z',
    });
  });
});

describe('shiftOf in the site time zone', () => {
  it('starts the day shift at 07:00 on the ward clock, not at 07:00 UTC', () => {
    // New York in November is UTC−5: 07:00 there is 12:00 UTC, so 10:00 UTC is still the night shift.
    expect(shiftOf('2026-11-23T10:00:00.000Z', 'America/New_York')).toEqual({
      name: 'night',
      start: '2026-11-23T00:00:00.000Z',
      end: '2026-11-23T12:00:00.000Z',
    });
    expect(shiftOf('2026-11-23T10:00:00.000Z').name).toBe('day');
    expect(shiftOf('2026-11-23T12:00:00.000Z', 'America/New_York').name).toBe('day');
  });
  it('puts an instant late in the UTC day in the night shift of the ward, east of UTC', () => {
    // Berlin in summer is UTC+2: 05:30 UTC is 07:30 on the ward, the day shift.
    expect(shiftOf('2026-07-01T05:30:00.000Z', 'Europe/Berlin')).toEqual({
      name: 'day',
      start: '2026-07-01T05:00:00.000Z',
      end: '2026-07-01T17:00:00.000Z',
    });
  });
  it('makes the night of the clock change an hour longer, as the ward works it', () => {
    // London leaves BST on 25 October 2026 at 02:00: the night 19:00 BST (18:00 UTC) to 07:00 GMT is 13 hours.
    expect(shiftOf('2026-10-25T03:00:00.000Z', 'Europe/London')).toEqual({
      name: 'night',
      start: '2026-10-24T18:00:00.000Z',
      end: '2026-10-25T07:00:00.000Z',
    });
  });
  it('reads an unknown zone as UTC (the configuration refuses it before)', () => {
    expect(shiftOf('2026-11-23T07:00:00.000Z', 'Mars/Olympus')).toEqual(shiftOf('2026-11-23T07:00:00.000Z'));
  });
});
