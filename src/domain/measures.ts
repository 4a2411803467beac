/**
 * Plausible values for the measurements the ward records (vital signs) and the common laboratory tests,
 * in the units they are stored in (UCUM). A value outside `min`–`max` is refused as a typing error with a
 * sentence that names the limit; `normal` is the usual adult range, shown as a quiet mark and as the band
 * of a trend chart. Codes not listed here (imaging findings, rarer tests) keep free text.
 *
 * The renderer keeps a mirror of this table for display (renderer/src/views/chart/clinical.ts, which may
 * import only types from src/); tests/unit/measures.test.ts holds the two equal.
 */

export interface MeasureSpec {
  code: string;
  label: string;
  category: 'vitals' | 'lab';
  /** Stored unit (UCUM); '' for unitless ratios such as the INR. */
  unit: string;
  /** The unit as a ward reads it. */
  unitLabel: string;
  min: number;
  max: number;
  decimals: number;
  normal: readonly [number, number];
}

const m = (
  code: string,
  label: string,
  category: MeasureSpec['category'],
  unit: string,
  unitLabel: string,
  min: number,
  max: number,
  decimals: number,
  normal: [number, number],
): MeasureSpec => ({ code, label, category, unit, unitLabel, min, max, decimals, normal });

export const MEASURES: readonly MeasureSpec[] = [
  m('heart_rate', 'Heart rate', 'vitals', '/min', '/min', 20, 250, 0, [50, 100]),
  m('blood_pressure_systolic', 'Blood pressure systolic', 'vitals', 'mm[Hg]', 'mmHg', 50, 260, 0, [90, 140]),
  m('blood_pressure_diastolic', 'Blood pressure diastolic', 'vitals', 'mm[Hg]', 'mmHg', 20, 160, 0, [50, 90]),
  m('temperature', 'Temperature', 'vitals', 'Cel', '°C', 30, 45, 1, [36, 38]),
  m('oxygen_saturation', 'Oxygen saturation', 'vitals', '%', '%', 50, 100, 0, [94, 100]),
  m('respiratory_rate', 'Respiratory rate', 'vitals', '/min', '/min', 4, 60, 0, [12, 20]),
  m('crp', 'CRP', 'lab', 'mg/L', 'mg/L', 0, 1000, 1, [0, 5]),
  m('hemoglobin', 'Hemoglobin', 'lab', 'g/dL', 'g/dL', 2, 25, 1, [12, 17.5]),
  m('creatinine', 'Creatinine', 'lab', 'umol/L', 'µmol/L', 5, 3000, 0, [45, 110]),
  m('troponin_t', 'Troponin T', 'lab', 'ng/L', 'ng/L', 0, 100_000, 0, [0, 14]),
  m('potassium', 'Potassium', 'lab', 'mmol/L', 'mmol/L', 1, 10, 1, [3.5, 5.1]),
  m('sodium', 'Sodium', 'lab', 'mmol/L', 'mmol/L', 90, 200, 0, [135, 145]),
  m('lactate', 'Lactate', 'lab', 'mmol/L', 'mmol/L', 0, 40, 1, [0.5, 2.2]),
  m('inr', 'INR', 'lab', '', '', 0.5, 20, 1, [0.8, 1.2]),
  m('wbc', 'White cell count', 'lab', '10*9/L', '×10⁹/L', 0, 500, 1, [4, 11]),
  m('hba1c', 'HbA1c', 'lab', '%', '%', 2, 25, 1, [4, 6]),
  m('glucose', 'Glucose', 'lab', 'mmol/L', 'mmol/L', 0.5, 60, 1, [3.9, 7.8]),
];

const BY_CODE = new Map(MEASURES.map((x) => [x.code, x]));
export const measureSpec = (code: string): MeasureSpec | undefined => BY_CODE.get(code);

/** Units users type for the stored ones. */
const UNIT_ALIASES: Record<string, string[]> = {
  'mm[Hg]': ['mmhg', 'mm hg'],
  Cel: ['°c', 'c', 'degc'],
  '/min': ['bpm', 'per min', '1/min'],
  'umol/L': ['µmol/l', 'μmol/l'],
  '10*9/L': ['10^9/l', '×10⁹/l', 'x10^9/l', 'g/l'],
};

export type MeasureCheck = { ok: true; value: string; unit: string } | { ok: false; problem: string };

/**
 * Reads a typed number: digits with at most one decimal separator, a point or — as many wards type it —
 * a comma ("37,5" is 37.5). Thousands separators are not guessed at: "1,234.5" and "1.234,5" are refused.
 */
export function parseDecimal(raw: string): { ok: true; value: number } | { ok: false; problem: 'not_a_number' | 'separators' } {
  const s = raw.trim();
  if (/^-?\d+([.,]\d+)?$/.test(s)) return { ok: true, value: Number(s.replace(',', '.')) };
  if (/^-?[\d.,]+$/.test(s) && /\d/.test(s)) return { ok: false, problem: 'separators' };
  return { ok: false, problem: 'not_a_number' };
}

const fmt = (n: number): string => String(n);

/**
 * Checks one measurement of a listed code and gives its stored form (a point as decimal separator, the
 * stored unit). Unlisted codes pass unchanged.
 */
export function checkMeasure(code: string, value: string, unit: string): MeasureCheck {
  const spec = measureSpec(code);
  if (!spec) return { ok: true, value, unit };
  const unitLabel = spec.unitLabel ? ` ${spec.unitLabel}` : '';
  const u = unit.trim();
  if (
    u &&
    u !== spec.unit &&
    !(UNIT_ALIASES[spec.unit] ?? []).includes(u.toLowerCase()) &&
    u.toLowerCase() !== spec.unitLabel.toLowerCase()
  ) {
    return {
      ok: false,
      problem: spec.unit ? `${spec.label} is recorded in ${spec.unitLabel}, not ${u}.` : `${spec.label} has no unit.`,
    };
  }
  const n = parseDecimal(value);
  if (!n.ok) {
    return {
      ok: false,
      problem:
        n.problem === 'separators'
          ? `${spec.label}: use one decimal separator and no thousands separator, e.g. ${fmt(spec.normal[1])}.`
          : `${spec.label} must be a number${unitLabel ? ` in${unitLabel}` : ''}, e.g. ${fmt(spec.normal[1])}.`,
    };
  }
  if (spec.decimals === 0 && !Number.isInteger(n.value)) return { ok: false, problem: `${spec.label} must be a whole number.` };
  if (n.value < spec.min || n.value > spec.max) {
    return { ok: false, problem: `${spec.label} must be between ${fmt(spec.min)} and ${fmt(spec.max)}${unitLabel}.` };
  }
  // Stored as typed ("38.0" stays 38.0: no rounding of clinical values), with a point as decimal separator.
  return { ok: true, value: value.trim().replace(',', '.'), unit: spec.unit };
}
