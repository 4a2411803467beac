/**
 * The renderer's mirror of the measurement table (it may import only types from src/) equals the one
 * main enforces, and gives the same sentence for the same typed value.
 */
import { describe, expect, it } from 'vitest';
import { ADULT_FROM_YEARS, checkMeasure, MEASURES, PAEDIATRIC_BANDS, usualRange } from '../../src/domain/measures';
import {
  ADULT_FROM_YEARS as SHOWN_ADULT_FROM,
  isOutsideUsual,
  MEASURES as SHOWN,
  measureProblem,
  PAEDIATRIC_BANDS as SHOWN_BANDS,
  unitLabel,
  usualRange as shownUsualRange,
} from '../../renderer/src/views/chart/clinical';

describe('measurement table', () => {
  it('is the same in the renderer and in main', () => {
    const pick = (x: {
      code: string;
      label: string;
      category: string;
      unit: string;
      min: number;
      max: number;
      decimals: number;
      normal: readonly number[];
    }) => ({
      code: x.code,
      label: x.label,
      category: x.category,
      unit: x.unit,
      min: x.min,
      max: x.max,
      decimals: x.decimals,
      normal: [...x.normal],
    });
    expect(SHOWN.map(pick)).toEqual(MEASURES.map(pick));
    for (const x of MEASURES) expect(unitLabel(x.unit), x.code).toBe(x.unitLabel);
  });

  it('says what main says about a typed value', () => {
    for (const spec of SHOWN) {
      for (const raw of [
        'high',
        '-3',
        '0',
        '37,5',
        '1,234.5',
        '3,7,5',
        String(spec.min),
        String(spec.max + 1),
        '72.5',
        String(spec.normal[1]),
      ]) {
        const main = checkMeasure(spec.code, raw, spec.unit);
        expect(measureProblem(spec, raw), `${spec.code} ${raw}`).toBe(main.ok ? null : main.problem);
      }
    }
  });

  it("has the same children's table and gives the same usual range at every age", () => {
    expect(SHOWN_BANDS).toEqual(PAEDIATRIC_BANDS);
    expect(SHOWN_ADULT_FROM).toBe(ADULT_FROM_YEARS);
    const ages = [null, -1, Number.NaN, 0, 0.5, 0.999, 1, 1.5, 2, 4.99, 5, 11.99, 12, 15, 15.999, 16, 17, 40, 99];
    for (const x of MEASURES)
      for (const age of ages) expect(shownUsualRange(x.code, age), `${x.code} at ${age}`).toEqual(usualRange(x.code, age));
    expect(shownUsualRange('chest_xray', 40)).toBeNull();
  });
});

describe('usual ranges by age (APLS below 16, adult from 16)', () => {
  it('judges a child against the band of their age, not the adult range', () => {
    expect(usualRange('heart_rate', 4)).toEqual({ low: 95, high: 140, source: 'apls', band: '2 to 5 years' });
    expect(usualRange('respiratory_rate', 0.5)).toEqual({ low: 30, high: 40, source: 'apls', band: 'under 1 year' });
    expect(usualRange('blood_pressure_systolic', 8)).toEqual({ low: 90, high: 110, source: 'apls', band: '5 to 12 years' });
    expect(usualRange('heart_rate', 12)).toEqual({ low: 60, high: 100, source: 'apls', band: '12 to 15 years' });
  });

  it('moves a child to the next band on the birthday, and to the adult range on the 16th', () => {
    expect(usualRange('heart_rate', 0.99)?.band).toBe('under 1 year');
    expect(usualRange('heart_rate', 1)?.band).toBe('1 to 2 years');
    expect(usualRange('heart_rate', 15.99)?.band).toBe('12 to 15 years');
    expect(usualRange('heart_rate', 16)).toEqual({ low: 50, high: 100, source: 'adult', band: 'adult' });
    const edges = PAEDIATRIC_BANDS.map((b) => [b.from, b.to]);
    expect(edges).toEqual([
      [0, 1],
      [1, 2],
      [2, 5],
      [5, 12],
      [12, 16],
    ]);
  });

  it('keeps temperature and saturation at every age, and marks no child against adult diastolic or laboratory ranges', () => {
    expect(usualRange('temperature', 3)).toEqual({ low: 36, high: 38, source: 'all_ages', band: 'all ages' });
    expect(usualRange('oxygen_saturation', 3)?.low).toBe(94);
    expect(usualRange('blood_pressure_diastolic', 3)).toBeNull();
    expect(usualRange('creatinine', 3)).toBeNull();
    expect(usualRange('creatinine', 30)).toEqual({ low: 45, high: 110, source: 'adult', band: 'adult' });
  });

  it('judges an unknown age as an adult and an impossible one not at all', () => {
    expect(usualRange('heart_rate', null)?.source).toBe('adult');
    expect(usualRange('heart_rate', -1)).toBeNull();
    expect(usualRange('heart_rate', Number.NaN)).toBeNull();
    expect(usualRange('nonsense', 40)).toBeNull();
  });

  it("marks a 4-year-old's heart rate on the chart by their age (issue 18: children judged against adult ranges)", () => {
    expect(isOutsideUsual('heart_rate', '130')).toBe(true);
    expect(isOutsideUsual('heart_rate', '130', 4)).toBe(false);
    expect(isOutsideUsual('heart_rate', '80', 4)).toBe(true);
    expect(isOutsideUsual('blood_pressure_diastolic', '30', 4)).toBe(false);
  });
});
