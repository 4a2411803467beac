/**
 * Clinical vocabulary for display and entry: measurements with their plausible values, units, lab codes,
 * tones. The entry limits mirror src/domain/measures.ts, which main enforces (the renderer may import only
 * types from src/); tests/unit/measures.test.ts holds the two equal. Usual ranges are not mirrored: they
 * come with the chart (`usual_ranges`, for the patient's age).
 */
import type { ChartData } from './types';

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
  /** A value to show in "e.g." of a typing problem (main's: the top of the usual adult range). */
  example: number;
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
  example: number,
): MeasureSpec => ({ code, label, short, category, unit, min, max, decimals, example });

export const MEASURES: readonly MeasureSpec[] = [
  m('heart_rate', 'Heart rate', 'Heart rate', 'vitals', '/min', 20, 250, 0, 100),
  m('blood_pressure_systolic', 'Blood pressure systolic', 'BP systolic', 'vitals', 'mm[Hg]', 50, 260, 0, 140),
  m('blood_pressure_diastolic', 'Blood pressure diastolic', 'BP diastolic', 'vitals', 'mm[Hg]', 20, 160, 0, 90),
  m('temperature', 'Temperature', 'Temperature', 'vitals', 'Cel', 30, 45, 1, 38),
  m('oxygen_saturation', 'Oxygen saturation', 'SpO₂', 'vitals', '%', 50, 100, 0, 100),
  m('respiratory_rate', 'Respiratory rate', 'Resp. rate', 'vitals', '/min', 4, 60, 0, 20),
  m('crp', 'CRP', 'CRP', 'lab', 'mg/L', 0, 1000, 1, 5),
  m('hemoglobin', 'Hemoglobin', 'Hb', 'lab', 'g/dL', 2, 25, 1, 17.5),
  m('creatinine', 'Creatinine', 'Creatinine', 'lab', 'umol/L', 5, 3000, 0, 110),
  m('troponin_t', 'Troponin T', 'Troponin T', 'lab', 'ng/L', 0, 100_000, 0, 14),
  m('potassium', 'Potassium', 'K⁺', 'lab', 'mmol/L', 1, 10, 1, 5.1),
  m('sodium', 'Sodium', 'Na⁺', 'lab', 'mmol/L', 90, 200, 0, 145),
  m('lactate', 'Lactate', 'Lactate', 'lab', 'mmol/L', 0, 40, 1, 2.2),
  m('inr', 'INR', 'INR', 'lab', '', 0.5, 20, 1, 1.2),
  m('wbc', 'White cell count', 'WBC', 'lab', '10*9/L', 0, 500, 1, 11),
  m('hba1c', 'HbA1c', 'HbA1c', 'lab', '%', 2, 25, 1, 6),
  m('glucose', 'Glucose', 'Glucose', 'lab', 'mmol/L', 0.5, 60, 1, 7.8),
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
      ? `${spec.label}: use one decimal separator and no thousands separator, e.g. ${spec.example}.`
      : `${spec.label} must be a number${unit ? ` in ${unit}` : ''}, e.g. ${spec.example}.`;
  }
  if (spec.decimals === 0 && !Number.isInteger(n)) return `${spec.label} must be a whole number.`;
  if (n < spec.min || n > spec.max) return `${spec.label} must be between ${spec.min} and ${spec.max}${unit ? ` ${unit}` : ''}.`;
  return null;
}

/**
 * The usual ranges that apply to this patient, by code, as the chart answer carries them (main computes
 * them for the patient's age from src/domain/measures.ts: a child's against the APLS band). A code without
 * one is marked against nothing.
 */
export type UsualRanges = ChartData['usual_ranges'];

/** Outside the usual range this patient's chart answer gives for the code; false without one. */
export function isOutsideUsual(ranges: UsualRanges, code: string, value: string): boolean {
  const range = ranges[code];
  const n = parseMeasure(value);
  if (!range || n === null) return false;
  return n < range.low || n > range.high;
}

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'critical';

export const patientStatusTone = (s: string): Tone => (s === 'admitted' ? 'info' : s === 'discharged' ? 'warning' : 'neutral');

export const appointmentStatusTone = (s: string): Tone =>
  s === 'in_progress' ? 'info' : s === 'completed' ? 'success' : 'neutral';
