/** The nursing shifts of "one handover note per patient per shift" (src/domain/shift.ts): 07:00–19:00 and 19:00–07:00 UTC. */
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
