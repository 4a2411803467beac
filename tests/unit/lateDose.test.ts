/** The rule for doses that reach the server late (src/domain/lateDose.ts, docs/clinical-rules.md). */
import { describe, expect, it } from 'vitest';
import {
  givenAfterStop,
  LATE_RECORD_DAYS,
  lateDoseNote,
  mayDecideAsAtBedside,
  orderAsHeld,
  roomLeftAfter,
  stoppedOrderDoseAlertId,
} from '../../src/domain/lateDose';

const NOW = '2026-11-23T20:10:00.000Z';
const order = {
  medication: 'Clarithromycin',
  dose: 500,
  unit: 'mg',
  status: 'stopped' as const,
  stopped_at: '2026-11-23T19:55:00.000Z',
};

describe('a dose decided again as at the bedside', () => {
  it('only for a time neither in the future of the server (beyond 5 minutes of skew) nor older than a week', () => {
    expect(mayDecideAsAtBedside('2026-11-23T20:02:00.000Z', NOW)).toBe(true);
    expect(mayDecideAsAtBedside('2026-11-23T20:15:00.000Z', NOW)).toBe(true);
    expect(mayDecideAsAtBedside('2026-11-23T20:15:01.000Z', NOW)).toBe(false);
    const weekAgo = new Date(Date.parse(NOW) - LATE_RECORD_DAYS * 86_400_000).toISOString();
    expect(mayDecideAsAtBedside(weekAgo, NOW)).toBe(true);
    expect(mayDecideAsAtBedside(new Date(Date.parse(weekAgo) - 1000).toISOString(), NOW)).toBe(false);
    expect(mayDecideAsAtBedside('not a time', NOW)).toBe(false);
  });

  it('the order as the workstation held it is active, all else unchanged', () => {
    expect(orderAsHeld({ id: 'mo-1', status: 'stopped', stopped_at: 'x' })).toEqual({
      id: 'mo-1',
      status: 'active',
      stopped_at: 'x',
    });
  });

  it('says whether the dose came after the stop, at the same minute counting as after', () => {
    expect(givenAfterStop(order, '2026-11-23T20:02:00.000Z')).toBe(true);
    expect(givenAfterStop(order, '2026-11-23T19:55:00.000Z')).toBe(true);
    expect(givenAfterStop(order, '2026-11-23T19:50:00.000Z')).toBe(false);
    expect(givenAfterStop({ ...order, status: 'active', stopped_at: null }, '2026-11-23T20:02:00.000Z')).toBe(false);
  });

  it('marks each case in words, and the alert id derives from the dose', () => {
    expect(lateDoseNote(order, '2026-11-23T20:02:00.000Z')).toMatch(/^Given after the order was stopped/);
    expect(lateDoseNote(order, '2026-11-23T19:50:00.000Z')).toMatch(/given before the stop/);
    expect(lateDoseNote({ ...order, status: 'active', stopped_at: null }, '2026-11-23T19:50:00.000Z')).toMatch(
      /^Recorded after access changed/,
    );
    expect(stoppedOrderDoseAlertId('mad-1')).toBe('stopped-order-dose:mad-1');
  });

  it('a finally discharged patient is placed in the room they left only for a dose given before they left', () => {
    const left = { discharged_from_room_id: 'r-101', final_discharged_at: '2026-11-23T20:06:00.000Z' };
    expect(roomLeftAfter(left, '2026-11-23T20:02:00.000Z')).toBe('r-101');
    expect(roomLeftAfter(left, '2026-11-23T20:06:00.000Z')).toBeNull();
    expect(roomLeftAfter(left, '2026-11-23T20:07:00.000Z')).toBeNull();
    // Discharged before the room was kept (an earlier version): nothing to put back.
    expect(roomLeftAfter({ discharged_from_room_id: null, final_discharged_at: null }, '2026-11-23T20:02:00.000Z')).toBeNull();
    expect(roomLeftAfter({ discharged_from_room_id: 'r-101', final_discharged_at: null }, '2026-11-23T20:02:00.000Z')).toBeNull();
  });
});
