/** Clinical vocabulary for display and entry: vital signs, units, lab codes, tones. */

export type VitalCode = 'heart_rate' | 'blood_pressure_systolic' | 'blood_pressure_diastolic' | 'temperature' | 'oxygen_saturation' | 'respiratory_rate';

export interface VitalSpec {
  code: VitalCode;
  label: string;
  short: string;
  unit: string;
  /** Plausible values accepted at entry. */
  min: number;
  max: number;
  decimals: number;
  /** Usual adult range, for a quiet "outside usual range" mark. */
  normal: [number, number];
}

export const VITALS: readonly VitalSpec[] = [
  { code: 'heart_rate', label: 'Heart rate', short: 'Heart rate', unit: '/min', min: 20, max: 250, decimals: 0, normal: [50, 100] },
  { code: 'blood_pressure_systolic', label: 'Blood pressure systolic', short: 'BP systolic', unit: 'mm[Hg]', min: 50, max: 260, decimals: 0, normal: [90, 140] },
  { code: 'blood_pressure_diastolic', label: 'Blood pressure diastolic', short: 'BP diastolic', unit: 'mm[Hg]', min: 20, max: 160, decimals: 0, normal: [50, 90] },
  { code: 'temperature', label: 'Temperature', short: 'Temperature', unit: 'Cel', min: 30, max: 45, decimals: 1, normal: [36, 38] },
  { code: 'oxygen_saturation', label: 'Oxygen saturation', short: 'SpO₂', unit: '%', min: 50, max: 100, decimals: 0, normal: [94, 100] },
  { code: 'respiratory_rate', label: 'Respiratory rate', short: 'Resp. rate', unit: '/min', min: 4, max: 60, decimals: 0, normal: [12, 20] },
];

const VITAL_BY_CODE = new Map(VITALS.map((v) => [v.code as string, v]));
export const vitalSpec = (code: string): VitalSpec | undefined => VITAL_BY_CODE.get(code);

/** UCUM units as a ward reads them. */
export function unitLabel(unit: string): string {
  switch (unit) {
    case 'Cel': return '°C';
    case 'mm[Hg]': return 'mmHg';
    case 'umol/L': return 'µmol/L';
    default: return unit;
  }
}

const CODE_LABELS: Record<string, string> = {
  crp: 'CRP', hemoglobin: 'Hemoglobin', creatinine: 'Creatinine', troponin_t: 'Troponin T', hba1c: 'HbA1c',
  potassium: 'Potassium', sodium: 'Sodium', wbc: 'White cell count', inr: 'INR', lactate: 'Lactate',
};

export function codeLabel(code: string): string {
  const vital = vitalSpec(code);
  if (vital) return vital.label;
  return CODE_LABELS[code] ?? code.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

export const RESULT_SUGGESTIONS: Record<string, Array<{ code: string; unit: string }>> = {
  lab: [
    { code: 'crp', unit: 'mg/L' }, { code: 'hemoglobin', unit: 'g/dL' }, { code: 'creatinine', unit: 'umol/L' },
    { code: 'troponin_t', unit: 'ng/L' }, { code: 'potassium', unit: 'mmol/L' }, { code: 'sodium', unit: 'mmol/L' },
    { code: 'lactate', unit: 'mmol/L' }, { code: 'inr', unit: '' },
  ],
  imaging: [
    { code: 'chest_xray', unit: '' }, { code: 'ct_head', unit: '' }, { code: 'echocardiogram', unit: '' }, { code: 'ultrasound_abdomen', unit: '' },
  ],
};

/** Record categories offered as suggestions (free text is allowed within the server's pattern). */
export const RECORD_CATEGORIES = ['cardiology', 'surgery', 'internal_medicine', 'neurology', 'orthopedics', 'pediatrics', 'nursing', 'general'];

/** A user's typed code or category in the stored form: lower case, words joined by "_". */
export const normalizeCode = (s: string): string => s.trim().toLowerCase().replace(/[\s/]+/g, '_');
export const CODE_PATTERN = /^[a-z0-9_-]+$/;

/** Parses a typed number ("37,5" or "37.5"); null when it is not a plain number. */
export function parseMeasure(raw: string): number | null {
  const s = raw.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

export function isOutsideUsual(code: string, value: string): boolean {
  const spec = vitalSpec(code);
  const n = parseMeasure(value);
  if (!spec || n === null) return false;
  return n < spec.normal[0] || n > spec.normal[1];
}

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'critical';

export const patientStatusTone = (s: string): Tone =>
  s === 'admitted' ? 'info' : s === 'discharged' ? 'warning' : 'neutral';

export const appointmentStatusTone = (s: string): Tone =>
  s === 'in_progress' ? 'info' : s === 'completed' ? 'success' : 'neutral';

const birthFmt = new Intl.DateTimeFormat(undefined, { day: '2-digit', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** A birth date is a calendar date, not an instant: formatted without shifting by the time zone. */
export const birthDate = (d: string): string => birthFmt.format(new Date(`${d}T00:00:00Z`));

const longDayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
export const longDay = (d: Date): string => longDayFmt.format(d);
