/**
 * Plausible values for the measurements the ward records (vital signs) and the common laboratory tests,
 * in the units they are stored in (UCUM). A value outside `min`–`max` is refused as a typing error with a
 * sentence that names the limit; `normal` is the usual adult range, shown as a quiet mark and as the band
 * of a trend chart. Codes not listed here (imaging findings, rarer tests) keep free text.
 *
 * Children are judged against their age: `usualRange(code, ageYears)` gives the APLS band below 16
 * (PAEDIATRIC_BANDS, cited there and in docs/clinical-rules.md) and the adult `normal` from 16 on.
 *
 * The renderer keeps a mirror of the entry limits for typing checks (renderer/src/views/chart/clinical.ts,
 * which may import only types from src/; tests/unit/measures.test.ts holds the two equal). Usual ranges are
 * not mirrored: the chart answer carries the ones that apply at the patient's age (`usualRangesAt`).
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

/**
 * Usual ranges apply from the 16th birthday on, as NEWS2 does (news2.ts): a 16-year-old on an adult ward
 * is scored and marked as an adult. APLS's own last band (over 12) is close to the adult one.
 */
export const ADULT_FROM_YEARS = 16;

export type PaediatricCode = 'respiratory_rate' | 'heart_rate' | 'blood_pressure_systolic';
export interface PaediatricBand {
  /** Age in years, from (inclusive) … to (exclusive). */
  from: number;
  to: number;
  label: string;
  ranges: Readonly<Record<PaediatricCode, readonly [number, number]>>;
}

/**
 * Normal values by age of Advanced Paediatric Life Support (APLS, Advanced Life Support Group, 5th ed.
 * 2011; the ranges UK paediatric early warning charts start from), as tabulated for respiratory and
 * heart rate by Fleming et al., Lancet 2011;377:1011–18 (web appendix, box 1). Band edges: APLS writes
 * "<1, 1–2, 2–5, 5–12, >12"; a birthday moves a child to the next band.
 */
export const PAEDIATRIC_BANDS: readonly PaediatricBand[] = [
  {
    from: 0,
    to: 1,
    label: 'under 1 year',
    ranges: { respiratory_rate: [30, 40], heart_rate: [110, 160], blood_pressure_systolic: [70, 90] },
  },
  {
    from: 1,
    to: 2,
    label: '1 to 2 years',
    ranges: { respiratory_rate: [25, 35], heart_rate: [100, 150], blood_pressure_systolic: [80, 95] },
  },
  {
    from: 2,
    to: 5,
    label: '2 to 5 years',
    ranges: { respiratory_rate: [25, 30], heart_rate: [95, 140], blood_pressure_systolic: [80, 100] },
  },
  {
    from: 5,
    to: 12,
    label: '5 to 12 years',
    ranges: { respiratory_rate: [20, 25], heart_rate: [80, 120], blood_pressure_systolic: [90, 110] },
  },
  {
    from: 12,
    to: ADULT_FROM_YEARS,
    label: '12 to 15 years',
    ranges: { respiratory_rate: [15, 20], heart_rate: [60, 100], blood_pressure_systolic: [100, 120] },
  },
];

/** Usual at every age: fever and hypothermia thresholds and the target saturation do not change with age. */
const SAME_AT_ALL_AGES: readonly string[] = ['temperature', 'oxygen_saturation'];

export interface UsualRange {
  low: number;
  high: number;
  /** `adult`: the table's `normal`; `apls`: a paediatric band; `all_ages`: the adult range, valid for children too. */
  source: 'adult' | 'apls' | 'all_ages';
  /** "adult", "5 to 12 years", "all ages": for a tooltip or the chart's legend. */
  band: string;
}

/**
 * The usual range of a measurement at an age (years, fractions allowed; null when unknown, which is
 * judged as an adult, as before ages were known). Null when there is none to mark against: an unlisted
 * code, an impossible age, and for children the diastolic pressure and the laboratory tests, whose
 * children's ranges are the laboratory's own (adult ranges would mark a healthy child).
 */
export function usualRange(code: string, ageYears: number | null): UsualRange | null {
  const spec = measureSpec(code);
  if (!spec) return null;
  if (ageYears !== null && (!Number.isFinite(ageYears) || ageYears < 0)) return null;
  if (ageYears === null || ageYears >= ADULT_FROM_YEARS)
    return { low: spec.normal[0], high: spec.normal[1], source: 'adult', band: 'adult' };
  if (SAME_AT_ALL_AGES.includes(code)) return { low: spec.normal[0], high: spec.normal[1], source: 'all_ages', band: 'all ages' };
  const band = PAEDIATRIC_BANDS.find((b) => ageYears >= b.from && ageYears < b.to);
  const range = band?.ranges[code as PaediatricCode];
  return band && range ? { low: range[0], high: range[1], source: 'apls', band: band.label } : null;
}

/**
 * The usual range of every listed measurement at one age, by code (codes without one are absent): what
 * the chart answer carries so the renderer marks tiles, trends and flowsheet without a copy of the tables.
 */
export function usualRangesAt(ageYears: number | null): Record<string, UsualRange> {
  const out: Record<string, UsualRange> = {};
  for (const x of MEASURES) {
    const r = usualRange(x.code, ageYears);
    if (r) out[x.code] = r;
  }
  return out;
}

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
