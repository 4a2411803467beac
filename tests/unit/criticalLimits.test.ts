/** Critical laboratory limits (SPEC §7b): both sides of every limit, units, censored values, site config. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCritical,
  criticalAlertId,
  criticalLimits,
  criticalResultAlert,
  DEFAULT_CRITICAL_LIMITS,
  DEFAULT_LIMITS,
  type CriticalLimits,
} from '../../src/domain/criticalLimits';
import { measureSpec } from '../../src/domain/measures';

const status = (code: string, value: string | number, unit = measureSpec(code)?.unit ?? '', limits?: CriticalLimits): string =>
  checkCritical(code, value, unit, limits).status;

describe('critical limits of SPEC §7b', () => {
  const table: Array<[string, Array<[string, 'critical' | 'within']>]> = [
    [
      'potassium',
      [
        ['2.4', 'critical'],
        ['2.5', 'within'],
        ['6.5', 'within'],
        ['6.6', 'critical'],
        ['7.9', 'critical'],
      ],
    ],
    [
      'sodium',
      [
        ['119', 'critical'],
        ['120', 'within'],
        ['160', 'within'],
        ['161', 'critical'],
      ],
    ],
    [
      'glucose',
      [
        ['2.4', 'critical'],
        ['2.5', 'within'],
        ['25', 'within'],
        ['25.1', 'critical'],
      ],
    ],
    [
      'hemoglobin',
      [
        ['6.9', 'critical'],
        ['7', 'within'],
        ['7.0', 'within'],
        ['25', 'within'],
      ],
    ],
    [
      'lactate',
      [
        ['0', 'within'],
        ['4', 'within'],
        ['4.1', 'critical'],
      ],
    ],
    [
      'troponin_t',
      [
        ['0', 'within'],
        ['52', 'within'],
        ['53', 'critical'],
      ],
    ],
    [
      'inr',
      [
        ['0.8', 'within'],
        ['5', 'within'],
        ['5.1', 'critical'],
      ],
    ],
  ];
  for (const [code, cases] of table) {
    it(`judges ${code} strictly beyond its limits, in its stored unit`, () => {
      for (const [v, s] of cases) expect(status(code, v), `${code} ${v}`).toBe(s);
    });
  }

  it('keys the limits by the observation codes and units of the measurement table', () => {
    expect(Object.keys(DEFAULT_CRITICAL_LIMITS).sort()).toEqual([
      'glucose',
      'hemoglobin',
      'inr',
      'lactate',
      'potassium',
      'sodium',
      'troponin_t',
    ]);
    for (const [code, l] of DEFAULT_LIMITS) {
      expect(measureSpec(code), code).toBeDefined();
      expect(l.unit).toBe(measureSpec(code)!.unit);
    }
  });

  it('says why in a sentence for the alert', () => {
    expect(checkCritical('potassium', '7.9', 'mmol/L')).toEqual({
      status: 'critical',
      direction: 'above',
      limit: 6.5,
      message: 'Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.',
    });
    expect(checkCritical('sodium', 118, 'mmol/L').message).toBe('Sodium 118 mmol/L is below the critical limit 120 mmol/L.');
    expect(checkCritical('inr', '6.2', '').message).toBe('INR 6.2 is above the critical limit 5.');
    expect(checkCritical('hemoglobin', '5.1', '').message).toBe('Hemoglobin 5.1 g/dL is below the critical limit 7 g/dL.');
  });

  it('converts the units a laboratory may report in, and says both', () => {
    expect(checkCritical('glucose', '540', 'mg/dL').message).toBe(
      'Glucose 540 mg/dL (29.97 mmol/L) is above the critical limit 25 mmol/L.',
    );
    expect(status('glucose', '40', 'mg/dL')).toBe('critical');
    expect(status('glucose', '90', 'mg/dL')).toBe('within');
    expect(status('hemoglobin', '65', 'g/L')).toBe('critical');
    expect(status('hemoglobin', '130', 'g/L')).toBe('within');
    expect(status('troponin_t', '0.06', 'ug/L')).toBe('critical');
    expect(status('troponin_t', '0.05', 'µg/L')).toBe('within');
    expect(status('potassium', '6.8', 'mEq/L')).toBe('critical');
    expect(status('potassium', '6.8', 'MMOL/L')).toBe('critical');
    expect(status('inr', '5.5', '{INR}')).toBe('critical');
  });

  it('never guesses an unknown unit: not comparable, with a sentence', () => {
    expect(checkCritical('potassium', '7.9', 'mg/dL')).toEqual({
      status: 'not_comparable',
      message: 'Potassium 7.9 mg/dL cannot be compared with its critical limits, which are in mmol/L.',
    });
    expect(status('glucose', '30', 'meq/l')).toBe('not_comparable');
  });

  it('judges censored values only when beyond the limit whatever the true value', () => {
    expect(status('troponin_t', '<40')).toBe('within');
    expect(status('troponin_t', '>52')).toBe('critical');
    expect(status('troponin_t', '>=52')).toBe('within');
    expect(status('troponin_t', '≥ 53')).toBe('critical');
    expect(status('troponin_t', '>50')).toBe('within');
    expect(status('potassium', '<2.0')).toBe('critical');
    expect(status('potassium', '<2.5')).toBe('critical');
    expect(status('potassium', '<=2.5')).toBe('within');
    expect(status('potassium', '<3')).toBe('within');
    expect(status('potassium', '>10')).toBe('critical');
    expect(checkCritical('potassium', '<2.0', 'mmol/L').message).toBe(
      'Potassium <2.0 mmol/L is below the critical limit 2.5 mmol/L.',
    );
  });

  it('does not judge text that is not a number', () => {
    expect(checkCritical('potassium', 'haemolysed', 'mmol/L')).toEqual({
      status: 'not_comparable',
      message: 'Potassium "haemolysed" is not a number, so it cannot be judged against the critical limits.',
    });
    for (const v of ['', '7.9.1', '1,234.5', 'NaN']) expect(status('potassium', v), v).toBe('not_comparable');
    expect(status('potassium', Number.NaN)).toBe('not_comparable');
  });

  it('accepts a comma as decimal separator, as the ward types it', () => {
    expect(status('potassium', '6,6')).toBe('critical');
  });

  it('has nothing to say about codes without a limit', () => {
    expect(checkCritical('crp', '400', 'mg/L')).toEqual({ status: 'no_limit', message: null });
  });

  it('agrees with the plain comparison for every number (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFAULT_LIMITS.keys()), fc.double({ min: -10, max: 1000, noNaN: true }), (code, v) => {
        const l = DEFAULT_LIMITS.get(code)!;
        const expected = (l.below !== null && v < l.below) || (l.above !== null && v > l.above) ? 'critical' : 'within';
        expect(status(code, v)).toBe(expected);
      }),
    );
  });
});

describe('the alert a critical result raises', () => {
  it('is critical, with an id derived from the observation', () => {
    expect(criticalResultAlert('obs-42', checkCritical('potassium', '7.9', 'mmol/L'))).toEqual({
      id: 'critical:obs-42',
      kind: 'critical_result',
      severity: 'critical',
      message: 'Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.',
    });
    expect(criticalAlertId('obs-42')).toBe(criticalAlertId('obs-42'));
    expect(() => criticalAlertId('')).toThrow(TypeError);
  });

  it('is not raised within the limits, without a limit or when the value cannot be compared', () => {
    expect(criticalResultAlert('o', checkCritical('potassium', '4.1', 'mmol/L'))).toBeNull();
    expect(criticalResultAlert('o', checkCritical('crp', '400', 'mg/L'))).toBeNull();
    expect(criticalResultAlert('o', checkCritical('potassium', 'x', 'mmol/L'))).toBeNull();
  });
});

describe("a site's own critical limits", () => {
  const limits = (config: unknown): CriticalLimits => {
    const r = criticalLimits(config);
    if (!r.ok) throw new Error(r.problem);
    return r.value;
  };
  const problem = (config: unknown): string => {
    const r = criticalLimits(config);
    expect(r.ok).toBe(false);
    return r.ok ? '' : r.problem;
  };

  it('are the defaults without configuration', () => {
    expect(limits(undefined)).toBe(DEFAULT_LIMITS);
    expect(limits(null)).toBe(DEFAULT_LIMITS);
    expect(limits({})).toEqual(DEFAULT_LIMITS);
  });

  it('change one side and keep the other', () => {
    const l = limits({ potassium: { above: 6.0 } });
    expect(l.get('potassium')).toMatchObject({ below: 2.5, above: 6.0, unit: 'mmol/L', label: 'Potassium' });
    expect(status('potassium', '6.2', 'mmol/L', l)).toBe('critical');
    expect(status('potassium', '6.2', 'mmol/L')).toBe('within');
  });

  it('drop a side or a whole code with null', () => {
    const l = limits({ troponin_t: null, potassium: { below: null } });
    expect(status('troponin_t', '900', 'ng/L', l)).toBe('no_limit');
    expect(status('potassium', '1.5', 'mmol/L', l)).toBe('within');
    expect(status('potassium', '7', 'mmol/L', l)).toBe('critical');
  });

  it('add a code with its unit', () => {
    const l = limits({ calcium: { unit: 'mmol/L', below: 1.8, above: 3.2, label: 'Adjusted calcium' } });
    expect(checkCritical('calcium', '3.5', 'mmol/L', l).message).toBe(
      'Adjusted calcium 3.5 mmol/L is above the critical limit 3.2 mmol/L.',
    );
    expect(limits({ crp: { above: 300 } }).get('crp')).toMatchObject({ unit: 'mg/L', label: 'CRP', above: 300, below: null });
  });

  it('are refused with a sentence naming the setting when they make no sense', () => {
    expect(problem({ potassium: { above: 'high' } })).toMatch(/^critical_limits\.potassium\.above: /);
    expect(problem({ potassium: { above: 2.0 } })).toBe(
      'critical_limits.potassium: the lower limit (2.5) must be below the upper one (2).',
    );
    expect(problem({ potassium: { unit: 'mg/dL', above: 7 } })).toBe(
      'critical_limits.potassium: potassium is stored in "mmol/L", so its limits are in "mmol/L" too, not "mg/dL".',
    );
    expect(problem({ calcium: { below: 1.8 } })).toBe('critical_limits.calcium: give its unit, e.g. "mmol/L".');
    expect(problem({ lactate: { above: null } })).toBe(
      'critical_limits.lactate: give a lower or an upper limit, or null to have none for lactate.',
    );
    expect(problem({ Potassium: { above: 6 } })).toMatch(/^critical_limits\.Potassium: codes are lower case/);
    expect(problem({ potassium: { above: 6, colour: 'red' } })).toMatch(/^critical_limits\.potassium: /);
    expect(problem([1, 2])).toMatch(/^critical_limits: /);
  });
});
