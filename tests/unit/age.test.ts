/** Age in years at an instant, for NEWS2 "under 16" and children's usual ranges. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageInYears } from '../../src/domain/age';

describe('age in years', () => {
  it('turns 16 on the 16th birthday, not the day before', () => {
    expect(Math.floor(ageInYears('2010-11-23', '2026-11-22T23:59:59Z')!)).toBe(15);
    expect(ageInYears('2010-11-23', '2026-11-23T00:00:00Z')).toBe(16);
  });

  it("counts the birthday on the ward's date in the site's zone", () => {
    // 23:30 UTC on the 22nd is already the 23rd in Berlin.
    expect(Math.floor(ageInYears('2010-11-23', '2026-11-22T23:30:00Z', 'Europe/Berlin')!)).toBe(16);
    expect(Math.floor(ageInYears('2010-11-23', '2026-11-22T23:30:00Z')!)).toBe(15);
  });

  it("gives a fraction of the year of life, for infants' bands", () => {
    expect(ageInYears('2026-01-01', '2026-07-02T12:00:00Z')).toBeCloseTo(182 / 365, 5);
    expect(ageInYears('2026-01-01', '2026-01-01T08:00:00Z')).toBe(0);
  });

  it('makes someone born on 29 February a year older on 1 March in other years', () => {
    expect(Math.floor(ageInYears('2008-02-29', '2025-02-28T12:00:00Z')!)).toBe(16);
    expect(ageInYears('2008-02-29', '2025-03-01T00:00:00Z')).toBe(17);
    expect(ageInYears('2008-02-29', '2028-02-29T00:00:00Z')).toBe(20);
  });

  it('has no age for a birth date that is not a date or lies after the time', () => {
    expect(ageInYears('2026-02-30', '2026-11-23T10:00:00Z')).toBeNull();
    expect(ageInYears('23.11.2010', '2026-11-23T10:00:00Z')).toBeNull();
    expect(ageInYears('2026-11-24', '2026-11-23T10:00:00Z')).toBeNull();
    expect(ageInYears('2010-11-23', 'today')).toBeNull();
  });

  it('floors to the completed years a form shows (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2026-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 40_000 }),
        (birth, days) => {
          const b = birth.toISOString().slice(0, 10);
          const at = new Date(Date.parse(`${b}T00:00:00Z`) + days * 86_400_000 + 3_600_000);
          const a = ageInYears(b, at.toISOString())!;
          let years = at.getUTCFullYear() - Number(b.slice(0, 4));
          const [m, d] = [Number(b.slice(5, 7)), Number(b.slice(8, 10))];
          const before = at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d);
          if (before) years--;
          expect(Math.floor(a)).toBe(years);
          expect(a - years).toBeLessThan(1);
        },
      ),
    );
  });
});
