/**
 * The renderer's mirror of the measurement table (it may import only types from src/) equals the one
 * main enforces, and gives the same sentence for the same typed value.
 */
import { describe, expect, it } from 'vitest';
import { checkMeasure, MEASURES } from '../../src/domain/measures';
import { MEASURES as SHOWN, measureProblem, unitLabel } from '../../renderer/src/views/chart/clinical';

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
});
