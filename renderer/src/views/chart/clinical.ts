/**
 * Clinical vocabulary for display and entry: measurements with their plausible and usual ranges, units,
 * lab codes, tones. The measurement table mirrors src/domain/measures.ts, which main enforces (the
 * renderer may import only types from src/); tests/unit/measures.test.ts holds the two equal.
 */

export type VitalCode =
  | 'heart_rate'
  | 'blood_pressure_systolic'
  | 'blood_pressure_diastolic'
  | 'temperature'
  | 'oxygen_saturation'
  | 'respiratory_rate';

export interface MeasureSpec {
  code: string;
  label: string;
  /** Shorter label for tiles and chart legends. */
  short: string;
  category: 'vitals' | 'lab';
  /** Stored unit (UCUM). */
  unit: string;
  /** Plausible values accepted at entry. */
  min: number;
  max: number;
  decimals: number;
  /** Usual adult range: a quiet "outside usual range" mark and the band of a trend chart (children: usualRange). */
  normal: readonly [number, number];
}
export type VitalSpec = MeasureSpec & { code: VitalCode };

const m = (
  code: string,
  label: string,
  short: string,
  category: MeasureSpec['category'],
  unit: string,
  min: number,
  max: number,
  decimals: number,
  normal: [number, number],
): MeasureSpec => ({ code, label, short, category, unit, min, max, decimals, normal });

export const MEASURES: readonly MeasureSpec[] = [
  m('heart_rate', 'Heart rate', 'Heart rate', 'vitals', '/min', 20, 250, 0, [50, 100]),
  m('blood_pressure_systolic', 'Blood pressure systolic', 'BP systolic', 'vitals', 'mm[Hg]', 50, 260, 0, [90, 140]),
  m('blood_pressure_diastolic', 'Blood pressure diastolic', 'BP diastolic', 'vitals', 'mm[Hg]', 20, 160, 0, [50, 90]),
  m('temperature', 'Temperature', 'Temperature', 'vitals', 'Cel', 30, 45, 1, [36, 38]),
  m('oxygen_saturation', 'Oxygen saturation', 'SpO₂', 'vitals', '%', 50, 100, 0, [94, 100]),
  m('respiratory_rate', 'Respiratory rate', 'Resp. rate', 'vitals', '/min', 4, 60, 0, [12, 20]),
  m('crp', 'CRP', 'CRP', 'lab', 'mg/L', 0, 1000, 1, [0, 5]),
  m('hemoglobin', 'Hemoglobin', 'Hb', 'lab', 'g/dL', 2, 25, 1, [12, 17.5]),
  m('creatinine', 'Creatinine', 'Creatinine', 'lab', 'umol/L', 5, 3000, 0, [45, 110]),
  m('troponin_t', 'Troponin T', 'Troponin T', 'lab', 'ng/L', 0, 100_000, 0, [0, 14]),
  m('potassium', 'Potassium', 'K⁺', 'lab', 'mmol/L', 1, 10, 1, [3.5, 5.1]),
  m('sodium', 'Sodium', 'Na⁺', 'lab', 'mmol/L', 90, 200, 0, [135, 145]),
  m('lactate', 'Lactate', 'Lactate', 'lab', 'mmol/L', 0, 40, 1, [0.5, 2.2]),
  m('inr', 'INR', 'INR', 'lab', '', 0.5, 20, 1, [0.8, 1.2]),
  m('wbc', 'White cell count', 'WBC', 'lab', '10*9/L', 0, 500, 1, [4, 11]),
  m('hba1c', 'HbA1c', 'HbA1c', 'lab', '%', 2, 25, 1, [4, 6]),
  m('glucose', 'Glucose', 'Glucose', 'lab', 'mmol/L', 0.5, 60, 1, [3.9, 7.8]),
];

export const VITALS = MEASURES.filter((x): x is VitalSpec => x.category === 'vitals');
export const LABS = MEASURES.filter((x) => x.category === 'lab');

const BY_CODE = new Map(MEASURES.map((x) => [x.code, x]));
export const measureSpec = (code: string): MeasureSpec | undefined => BY_CODE.get(code);
export const vitalSpec = (code: string): VitalSpec | undefined => {
  const s = BY_CODE.get(code);
  return s?.category === 'vitals' ? (s as VitalSpec) : undefined;
};

/** UCUM units as a ward reads them. */
export function unitLabel(unit: string): string {
  switch (unit) {
    case 'Cel':
      return '°C';
    case 'mm[Hg]':
      return 'mmHg';
    case 'umol/L':
      return 'µmol/L';
    case '10*9/L':
      return '×10⁹/L';
    default:
      return unit;
  }
}

const CODE_LABELS: Record<string, string> = Object.fromEntries(MEASURES.map((x) => [x.code, x.label]));

export function codeLabel(code: string): string {
  return CODE_LABELS[code] ?? code.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

export const RESULT_SUGGESTIONS: Record<string, Array<{ code: string; unit: string }>> = {
  lab: LABS.map((x) => ({ code: x.code, unit: x.unit })),
  imaging: [
    { code: 'chest_xray', unit: '' },
    { code: 'ct_head', unit: '' },
    { code: 'echocardiogram', unit: '' },
    { code: 'ultrasound_abdomen', unit: '' },
  ],
};

/** Record categories offered as suggestions (free text is allowed within the server's pattern). */
export const RECORD_CATEGORIES = [
  'cardiology',
  'surgery',
  'internal_medicine',
  'neurology',
  'orthopedics',
  'pediatrics',
  'nursing',
  'general',
];

/** A user's typed code or category in the stored form: lower case, words joined by "_". */
export const normalizeCode = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s/]+/g, '_');
export const CODE_PATTERN = /^[a-z0-9_-]+$/;

/**
 * Parses a typed number with at most one decimal separator, a point or a comma ("37,5" is 37.5); null
 * when it is not a plain number. Thousands separators are refused, not guessed ("1,234.5").
 */
export function parseMeasure(raw: string): number | null {
  const s = raw.trim();
  return /^-?\d+([.,]\d+)?$/.test(s) ? Number(s.replace(',', '.')) : null;
}

/** The sentence main would answer for a typed value of a listed code, or null when it may be saved. */
export function measureProblem(spec: MeasureSpec, raw: string): string | null {
  const unit = unitLabel(spec.unit);
  const n = parseMeasure(raw);
  if (n === null) {
    return /^-?[\d.,]+$/.test(raw.trim())
      ? `${spec.label}: use one decimal separator and no thousands separator, e.g. ${spec.normal[1]}.`
      : `${spec.label} must be a number${unit ? ` in ${unit}` : ''}, e.g. ${spec.normal[1]}.`;
  }
  if (spec.decimals === 0 && !Number.isInteger(n)) return `${spec.label} must be a whole number.`;
  if (n < spec.min || n > spec.max) return `${spec.label} must be between ${spec.min} and ${spec.max}${unit ? ` ${unit}` : ''}.`;
  return null;
}

/** Mirror of src/domain/measures.ts: adult ranges from the 16th birthday, as NEWS2. */
export const ADULT_FROM_YEARS = 16;

export type PaediatricCode = 'respiratory_rate' | 'heart_rate' | 'blood_pressure_systolic';
export interface PaediatricBand {
  from: number;
  to: number;
  label: string;
  ranges: Readonly<Record<PaediatricCode, readonly [number, number]>>;
}

/** APLS normal values by age (5th ed. 2011; docs/clinical-rules.md), mirrored from src/domain/measures.ts. */
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

const SAME_AT_ALL_AGES: readonly string[] = ['temperature', 'oxygen_saturation'];

export interface UsualRange {
  low: number;
  high: number;
  source: 'adult' | 'apls' | 'all_ages';
  band: string;
}

/**
 * The usual range at an age in years (null: unknown, judged as an adult); null when there is none to
 * mark against (children's diastolic pressure and laboratory tests). Same answers as main's.
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

/** Outside the usual range at the patient's age (years; null or absent: adult, as before ages were passed). */
export function isOutsideUsual(code: string, value: string, ageYears: number | null = null): boolean {
  const range = usualRange(code, ageYears);
  const n = parseMeasure(value);
  if (!range || n === null) return false;
  return n < range.low || n > range.high;
}

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'critical';

export const patientStatusTone = (s: string): Tone => (s === 'admitted' ? 'info' : s === 'discharged' ? 'warning' : 'neutral');

export const appointmentStatusTone = (s: string): Tone =>
  s === 'in_progress' ? 'info' : s === 'completed' ? 'success' : 'neutral';
