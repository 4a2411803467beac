/**
 * Possible double doses (SPEC §6): the same scheduled dose given twice, or a prn dose inside its minimum
 * interval. The later one (by time, then id) is marked, the same on every machine whatever the order
 * the administrations arrived in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doubleDoseAlertId, doubleDoseMessage, possibleDoubleDoses, type AdministrationLike } from '../../src/domain/doubleDose';

const given = (id: string, at: string, scheduled_for?: string): AdministrationLike => ({
  id,
  status: 'given',
  at,
  scheduled_for: scheduled_for ?? null,
});
const SCHEDULED = { prn: false };
const PRN = { prn: true, min_interval_hours: 4 };

describe('possible double doses', () => {
  it('marks the later of two given doses for the same scheduled time', () => {
    const r = possibleDoubleDoses(SCHEDULED, [
      given('ma-b', '2026-11-23T08:20:00Z', '2026-11-23T08:00:00Z'),
      given('ma-a', '2026-11-23T08:05:00Z', '2026-11-23T08:00:00Z'),
    ]);
    expect(r).toEqual([
      { administration_id: 'ma-b', earlier_id: 'ma-a', rule: 'same_scheduled_dose', alert_id: 'double-dose:ma-b' },
    ]);
  });

  it('breaks a tie in time by id, so both workstations and the server mark the same one', () => {
    const a = given('ma-1', '2026-11-23T08:05:00Z', '2026-11-23T08:00:00Z');
    const b = given('ma-2', '2026-11-23T08:05:00.000Z', '2026-11-23T08:00:00+00:00');
    expect(possibleDoubleDoses(SCHEDULED, [a, b])[0]!.administration_id).toBe('ma-2');
    expect(possibleDoubleDoses(SCHEDULED, [b, a])[0]!.administration_id).toBe('ma-2');
  });

  it('does not mark doses of different scheduled times, nor held, refused or not-given records', () => {
    expect(
      possibleDoubleDoses(SCHEDULED, [
        given('a', '2026-11-23T08:05:00Z', '2026-11-23T08:00:00Z'),
        given('b', '2026-11-23T20:05:00Z', '2026-11-23T20:00:00Z'),
      ]),
    ).toEqual([]);
    const held: AdministrationLike = {
      id: 'h',
      status: 'held',
      at: '2026-11-23T08:01:00Z',
      scheduled_for: '2026-11-23T08:00:00Z',
    };
    expect(possibleDoubleDoses(SCHEDULED, [held, given('b', '2026-11-23T10:00:00Z', '2026-11-23T08:00:00Z')])).toEqual([]);
  });

  it('marks every extra dose of one scheduled time against the first', () => {
    const r = possibleDoubleDoses(
      SCHEDULED,
      ['c', 'a', 'b'].map((id, i) => given(id, `2026-11-23T08:0${i}:00Z`, '2026-11-23T08:00:00Z')),
    );
    expect(r.map((d) => [d.administration_id, d.earlier_id])).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('marks a prn dose given less than the minimum interval after an earlier one, not one exactly the interval apart', () => {
    const r = possibleDoubleDoses(PRN, [
      given('p1', '2026-11-23T03:00:00Z'),
      given('p2', '2026-11-23T06:59:59Z'),
      given('p3', '2026-11-23T11:00:00Z'),
    ]);
    expect(r).toEqual([{ administration_id: 'p2', earlier_id: 'p1', rule: 'prn_interval', alert_id: 'double-dose:p2' }]);
    expect(possibleDoubleDoses(PRN, [given('p1', '2026-11-23T03:00:00Z'), given('p2', '2026-11-23T07:00:00Z')])).toEqual([]);
  });

  it('counts a flagged prn dose as given: a third dose inside its interval is flagged too', () => {
    const r = possibleDoubleDoses(PRN, [
      given('p1', '2026-11-23T00:00:00Z'),
      given('p2', '2026-11-23T03:00:00Z'),
      given('p3', '2026-11-23T05:00:00Z'),
    ]);
    expect(r.map((d) => [d.administration_id, d.earlier_id])).toEqual([
      ['p2', 'p1'],
      ['p3', 'p2'],
    ]);
  });

  it('has nothing to compare for a prn order without a minimum interval', () => {
    expect(
      possibleDoubleDoses({ prn: true, min_interval_hours: null }, [
        given('p1', '2026-11-23T03:00:00Z'),
        given('p2', '2026-11-23T03:01:00Z'),
      ]),
    ).toEqual([]);
  });

  it('derives the alert id from the marked administration and says what happened', () => {
    expect(doubleDoseAlertId('ma-9')).toBe('double-dose:ma-9');
    expect(() => doubleDoseAlertId('')).toThrow(TypeError);
    const [dd] = possibleDoubleDoses(PRN, [given('p1', '2026-11-23T03:00:00Z'), given('p2', '2026-11-23T04:00:00Z')]);
    expect(doubleDoseMessage({ medication: 'Morphine sulfate', dose: 5, unit: 'mg' }, dd!)).toBe(
      'Possible double dose: Morphine sulfate 5 mg was given again within its minimum interval. Check the patient now.',
    );
  });

  it('gives the same answer whatever order the administrations arrive in (property)', () => {
    const admin = fc.record({
      id: fc.stringMatching(/^ma-[a-f0-9]{1,4}$/),
      status: fc.constantFrom('given', 'given', 'held', 'refused', 'not_given'),
      at: fc.integer({ min: 0, max: 48 }).map((h) => new Date(Date.UTC(2026, 10, 23) + h * 1_800_000).toISOString()),
      scheduled_for: fc.constantFrom('2026-11-23T08:00:00Z', '2026-11-23T20:00:00Z', null),
    }) as fc.Arbitrary<AdministrationLike>;
    fc.assert(
      fc.property(
        fc.uniqueArray(admin, { selector: (a) => a.id, maxLength: 12 }),
        fc.boolean(),
        fc.integer(),
        (list, prn, seed) => {
          const order = prn ? PRN : SCHEDULED;
          const shuffled = fc.sample(fc.shuffledSubarray(list, { minLength: list.length }), { numRuns: 1, seed })[0]!;
          const a = possibleDoubleDoses(order, list);
          expect(possibleDoubleDoses(order, shuffled)).toEqual(a);
          // A marked administration is never the earliest given one, and never marked twice.
          expect(new Set(a.map((d) => d.administration_id)).size).toBe(a.length);
          if (!prn) {
            const slots = new Set(list.filter((x) => x.status === 'given' && x.scheduled_for).map((x) => x.scheduled_for));
            expect(a.length).toBe(list.filter((x) => x.status === 'given' && x.scheduled_for).length - slots.size);
          }
        },
      ),
    );
  });
});
