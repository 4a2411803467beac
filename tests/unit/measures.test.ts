/**
 * The renderer's mirror of the entry limits (it may import only types from src/) equals the one main
 * enforces and gives the same sentence for the same typed value; usual ranges are not mirrored but sent
 * with the chart for the patient's age (`usualRangesAt`), which the renderer marks against.
 */
import { describe, expect, it } from 'vitest';
import { checkMeasure, MEASURES, PAEDIATRIC_BANDS, usualRange, usualRangesAt } from '../../src/domain/measures';
import { isOutsideUsual, MEASURES as SHOWN, measureProblem, unitLabel } from '../../renderer/src/views/chart/clinical';

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
    }) => ({
      code: x.code,
      label: x.label,
      category: x.category,
      unit: x.unit,
      min: x.min,
      max: x.max,
      decimals: x.decimals,
    });
    expect(SHOWN.map(pick)).toEqual(MEASURES.map(pick));
    for (const x of MEASURES) expect(SHOWN.find((y) => y.code === x.code)?.example, x.code).toBe(x.normal[1]);
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
        String(spec.example),
      ]) {
        const main = checkMeasure(spec.code, raw, spec.unit);
        expect(measureProblem(spec, raw), `${spec.code} ${raw}`).toBe(main.ok ? null : main.problem);
      }
    }
  });

  it("keeps no copy of the usual ranges: they come with the chart for the patient's age", async () => {
    const shown = await import('../../renderer/src/views/chart/clinical');
    expect(Object.keys(shown)).not.toContain('PAEDIATRIC_BANDS');
    expect(Object.keys(shown)).not.toContain('usualRange');
    for (const x of SHOWN) expect(Object.keys(x)).not.toContain('normal');
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

  it('gives the chart every usual range at one age, leaving out the codes a child has none for', () => {
    const child = usualRangesAt(4);
    expect(child.heart_rate).toEqual(usualRange('heart_rate', 4));
    expect(child.temperature?.source).toBe('all_ages');
    expect(child).not.toHaveProperty('blood_pressure_diastolic');
    expect(child).not.toHaveProperty('creatinine');
    const adult = usualRangesAt(null);
    for (const x of MEASURES) expect(adult[x.code], x.code).toEqual(usualRange(x.code, null));
  });

  it("marks a 4-year-old's heart rate on the chart by their age (issue 18: children judged against adult ranges)", () => {
    expect(isOutsideUsual(usualRangesAt(40), 'heart_rate', '130')).toBe(true);
    expect(isOutsideUsual(usualRangesAt(4), 'heart_rate', '130')).toBe(false);
    expect(isOutsideUsual(usualRangesAt(4), 'heart_rate', '80')).toBe(true);
    expect(isOutsideUsual(usualRangesAt(4), 'blood_pressure_diastolic', '30')).toBe(false);
  });
});
