/**
 * NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017), as SPEC §7b states it:
 * the points of each vital sign of one set, their total, the clinical risk, the monitoring interval, the
 * alert it escalates to and when the next set is due. Pure: the workstation scores a set when it is saved
 * (offline too) and the server scores it again when it arrives, with the same function and the same answer.
 *
 * The chart (docs/clinical-rules.md has it as a table):
 *
 *   parameter              3       2       1       0                      1        2        3
 *   respiratory rate /min  ≤ 8             9–11    12–20                           21–24    ≥ 25
 *   SpO₂ scale 1 %         ≤ 91    92–93   94–95   ≥ 96
 *   SpO₂ scale 2 %         ≤ 83    84–85   86–87   88–92, ≥ 93 on air     93–94 O₂ 95–96 O₂  ≥ 97 O₂
 *   air or oxygen                  oxygen          air
 *   systolic BP mmHg       ≤ 90    91–100  101–110 111–219                                  ≥ 220
 *   pulse /min             ≤ 40            41–50   51–90                  91–110   111–130  ≥ 131
 *   consciousness                                  A                                        C, V, P, U
 *   temperature °C         ≤ 35.0          35.1–36.0 36.1–38.0            38.1–39.0 ≥ 39.1
 *
 * Choices where the chart is silent (docs/clinical-rules.md):
 *   - A value more precise than the chart (a temperature of 35.05, a rate of 20.5) falls between two
 *     rows; it scores the worse of the two, since a score that is too low delays a review.
 *   - `null` or an absent code means "not recorded": the set has no total and says what is missing.
 *   - On scale 2 a saturation whose air or oxygen was not recorded is scored as on air (SPEC §5); air
 *     or oxygen is still reported missing.
 */
import { type Checked, refuse, valid } from './checked';
import type { AlertSeverity } from './roles';
import { addMinutes, canonicalTime } from './time';

/** The seven parameters of a NEWS2 set, by their observation codes (SPEC §3b), in the chart's order. */
export const NEWS2_CODES = [
  'respiratory_rate',
  'oxygen_saturation',
  'inspired_oxygen',
  'blood_pressure_systolic',
  'heart_rate',
  'consciousness',
  'temperature',
] as const;
export type News2Code = (typeof NEWS2_CODES)[number];

/** ACVPU: Alert, new Confusion, responds to Voice, to Pain, Unresponsive. */
export const CONSCIOUSNESS_LEVELS = ['A', 'C', 'V', 'P', 'U'] as const;
export type Consciousness = (typeof CONSCIOUSNESS_LEVELS)[number];
export const INSPIRED_OXYGEN = ['air', 'oxygen'] as const;
export type InspiredOxygen = (typeof INSPIRED_OXYGEN)[number];

/** Scale 2 is for hypercapnic respiratory failure, prescribed on the patient (`spo2_scale`, SPEC §3b). */
export type Spo2Scale = 1 | 2;
export type News2Risk = 'low' | 'low_medium' | 'medium' | 'high';

/**
 * One set of vital signs: numbers, or the strings observations store ("36.8", "air", "A"). `null` or an
 * absent code is "not recorded". Values are checked at run time as well: they come from storage.
 */
export type News2Input = Readonly<Partial<Record<News2Code, number | string | null>>>;

/** Exactly the shape of a NEWS2 scenario case's `expect` (SPEC §5). */
export interface News2Result {
  /** Sum of the points; null when a parameter is missing or NEWS2 does not apply. */
  total: number | null;
  /** Points of each parameter given (empty when NEWS2 does not apply). */
  scores: Partial<Record<News2Code, number>>;
  risk: News2Risk | null;
  monitoring_minutes: number | null;
  /** The parameters not recorded, sorted by code; empty when NEWS2 does not apply. */
  missing: News2Code[];
  not_applicable: 'under_16' | null;
}

/** NEWS2 is validated for adults: from the 16th birthday (RCP 2017). */
export const NEWS2_MIN_AGE = 16;

/** Minimum monitoring frequency (RCP 2017 chart 3), in minutes. */
export const MONITORING_MINUTES = { zero: 720, low: 240, low_medium: 60, medium: 60, high: 15 } as const;

const LABELS: Record<News2Code, string> = {
  respiratory_rate: 'Respiratory rate',
  oxygen_saturation: 'Oxygen saturation',
  inspired_oxygen: 'Air or oxygen',
  blood_pressure_systolic: 'Systolic blood pressure',
  heart_rate: 'Heart rate',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
};
const UNITS: Partial<Record<News2Code, string>> = {
  respiratory_rate: '/min',
  oxygen_saturation: '%',
  blood_pressure_systolic: 'mmHg',
  heart_rate: '/min',
  temperature: '°C',
};

/** Inclusive rows of the chart, lowest first; the first starts at -∞ and the last ends at +∞. */
type Band = readonly [lo: number, hi: number, points: number];
const I = Infinity;
const BANDS = {
  respiratory_rate: [
    [-I, 8, 3],
    [9, 11, 1],
    [12, 20, 0],
    [21, 24, 2],
    [25, I, 3],
  ],
  spo2_scale1: [
    [-I, 91, 3],
    [92, 93, 2],
    [94, 95, 1],
    [96, I, 0],
  ],
  spo2_scale2_air: [
    [-I, 83, 3],
    [84, 85, 2],
    [86, 87, 1],
    [88, I, 0],
  ],
  spo2_scale2_oxygen: [
    [-I, 83, 3],
    [84, 85, 2],
    [86, 87, 1],
    [88, 92, 0],
    [93, 94, 1],
    [95, 96, 2],
    [97, I, 3],
  ],
  blood_pressure_systolic: [
    [-I, 90, 3],
    [91, 100, 2],
    [101, 110, 1],
    [111, 219, 0],
    [220, I, 3],
  ],
  heart_rate: [
    [-I, 40, 3],
    [41, 50, 1],
    [51, 90, 0],
    [91, 110, 1],
    [111, 130, 2],
    [131, I, 3],
  ],
  temperature: [
    [-I, 35.0, 3],
    [35.1, 36.0, 1],
    [36.1, 38.0, 0],
    [38.1, 39.0, 1],
    [39.1, I, 2],
  ],
} as const satisfies Record<string, readonly Band[]>;

/** The points of a value; between two rows (more precise than the chart) the worse of the two. */
function pointsOf(value: number, bands: readonly Band[]): number {
  for (let i = 0; i < bands.length; i++) {
    const [lo, hi, points] = bands[i]!;
    if (value >= lo && value <= hi) return points;
    const next = bands[i + 1];
    if (next && value > hi && value < next[0]) return Math.max(points, next[2]);
  }
  throw new Error(`NEWS2: no band for ${value}`);
}

interface ReadSet {
  respiratory_rate?: number;
  oxygen_saturation?: number;
  inspired_oxygen?: InspiredOxygen;
  blood_pressure_systolic?: number;
  heart_rate?: number;
  consciousness?: Consciousness;
  temperature?: number;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const shown = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v)));

function readNumber(code: News2Code, v: unknown, problems: string[]): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && NUMBER.test(v.trim()) ? Number(v.trim()) : NaN;
  const unit = UNITS[code] ? ` (${UNITS[code]})` : '';
  if (!Number.isFinite(n)) {
    problems.push(`${LABELS[code]} must be a number${unit}, not ${shown(v)}.`);
    return undefined;
  }
  if (n < 0) {
    problems.push(`${LABELS[code]} cannot be negative (${n}).`);
    return undefined;
  }
  if (code === 'oxygen_saturation' && n > 100) {
    problems.push(`Oxygen saturation cannot be above 100% (${n}).`);
    return undefined;
  }
  return n;
}

function readChoice<T extends string>(
  code: News2Code,
  v: unknown,
  choices: readonly T[],
  problems: string[],
  say: string,
): T | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    const hit = choices.find((c) => c.toLowerCase() === t.toLowerCase());
    if (hit) return hit;
  }
  problems.push(`${LABELS[code]} must be ${say}, not ${shown(v)}.`);
  return undefined;
}

const isCode = (k: string): k is News2Code => (NEWS2_CODES as readonly string[]).includes(k);

/** Checks a set's codes and values; every problem is named, not only the first. */
function readSet(vitals: unknown): Checked<ReadSet> {
  if (vitals === null || typeof vitals !== 'object' || Array.isArray(vitals)) {
    return refuse('The vital signs must be an object of codes and values, e.g. {"heart_rate": 72}.');
  }
  const problems: string[] = [];
  const set: ReadSet = {};
  for (const [k, v] of Object.entries(vitals)) {
    if (!isCode(k)) {
      problems.push(`"${k}" is not a NEWS2 vital sign; the codes are ${NEWS2_CODES.join(', ')}.`);
      continue;
    }
    if (v === null || v === undefined) continue;
    switch (k) {
      case 'inspired_oxygen':
        set.inspired_oxygen = readChoice(k, v, INSPIRED_OXYGEN, problems, '"air" or "oxygen"');
        break;
      case 'consciousness':
        set.consciousness = readChoice(k, v, CONSCIOUSNESS_LEVELS, problems, 'one of A, C, V, P or U (ACVPU)');
        break;
      default:
        set[k] = readNumber(k, v, problems);
    }
  }
  return problems.length ? refuse(problems.join(' ')) : valid(set);
}

export interface News2Options {
  /** Age in years at the time of the set (fractions allowed: 15.9 is under 16). */
  age: number;
  /** The patient's prescribed SpO₂ scale; 1 when not given. */
  spo2_scale?: Spo2Scale;
}

/**
 * Scores one set of vital signs. Invalid input (an unknown code, a value of the wrong kind, a negative
 * rate, an impossible age or scale) is answered with a sentence, never scored.
 */
export function computeNews2(vitals: News2Input, options: News2Options): Checked<News2Result> {
  const { age } = options;
  const scale = options.spo2_scale ?? 1;
  const problems: string[] = [];
  if (typeof age !== 'number' || !Number.isFinite(age) || age < 0 || age > 150)
    problems.push(`Age must be a number of years from 0 to 150, not ${shown(age)}.`);
  if (scale !== 1 && scale !== 2) problems.push(`SpO₂ scale must be 1 or 2, not ${shown(scale)}.`);
  const read = readSet(vitals);
  if (!read.ok) problems.push(read.problem);
  if (problems.length || !read.ok) return refuse(problems.join(' '));
  const set = read.value;

  if (age < NEWS2_MIN_AGE) {
    return valid({ total: null, scores: {}, risk: null, monitoring_minutes: null, missing: [], not_applicable: 'under_16' });
  }

  const scores: Partial<Record<News2Code, number>> = {};
  if (set.respiratory_rate !== undefined) scores.respiratory_rate = pointsOf(set.respiratory_rate, BANDS.respiratory_rate);
  if (set.oxygen_saturation !== undefined) {
    const bands =
      scale === 1 ? BANDS.spo2_scale1 : set.inspired_oxygen === 'oxygen' ? BANDS.spo2_scale2_oxygen : BANDS.spo2_scale2_air;
    scores.oxygen_saturation = pointsOf(set.oxygen_saturation, bands);
  }
  if (set.inspired_oxygen !== undefined) scores.inspired_oxygen = set.inspired_oxygen === 'oxygen' ? 2 : 0;
  if (set.blood_pressure_systolic !== undefined)
    scores.blood_pressure_systolic = pointsOf(set.blood_pressure_systolic, BANDS.blood_pressure_systolic);
  if (set.heart_rate !== undefined) scores.heart_rate = pointsOf(set.heart_rate, BANDS.heart_rate);
  if (set.consciousness !== undefined) scores.consciousness = set.consciousness === 'A' ? 0 : 3;
  if (set.temperature !== undefined) scores.temperature = pointsOf(set.temperature, BANDS.temperature);

  const missing = NEWS2_CODES.filter((c) => scores[c] === undefined).sort();
  if (missing.length) return valid({ total: null, scores, risk: null, monitoring_minutes: null, missing, not_applicable: null });

  const points = Object.values(scores);
  const total = points.reduce((a, b) => a + b, 0);
  const risk = news2Risk(
    total,
    points.some((p) => p === 3),
  );
  return valid({ total, scores, risk, monitoring_minutes: monitoringMinutes(risk, total), missing: [], not_applicable: null });
}

/** RCP 2017 chart 2: 7+ high, 5–6 medium, a single 3 (total below 5) low–medium, otherwise low. */
export function news2Risk(total: number, anyThree: boolean): News2Risk {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  return anyThree ? 'low_medium' : 'low';
}

/** RCP 2017 chart 3: 12-hourly at 0, 4–6-hourly (we take 4) at 1–4, hourly for a 3 or 5–6, continuous (15 min) at 7+. */
export function monitoringMinutes(risk: News2Risk, total: number): number {
  if (risk === 'low') return total === 0 ? MONITORING_MINUTES.zero : MONITORING_MINUTES.low;
  return MONITORING_MINUTES[risk];
}

/**
 * A set from the observations saved together (one `set_id`): the NEWS2 codes are picked, other codes of
 * the set (diastolic pressure, say) are left aside. Two different values for one code cannot be scored.
 */
export function news2InputFromObservations(
  observations: ReadonlyArray<{ code: string; value: string | number | null }>,
): Checked<News2Input> {
  const out: Partial<Record<News2Code, string | number | null>> = {};
  for (const o of observations) {
    if (!isCode(o.code)) continue;
    const before = out[o.code];
    if (before !== undefined && String(before).trim() !== String(o.value).trim()) {
      return refuse(
        `The set holds two values for ${LABELS[o.code].toLowerCase()} (${shown(before)} and ${shown(o.value)}); correct one before it can be scored.`,
      );
    }
    out[o.code] = o.value;
  }
  return valid(out);
}

// ---------------------------------------------------------------------------------------------------
// Escalation (SPEC §7b)

export interface News2Escalation {
  kind: 'news2';
  severity: AlertSeverity;
  /** "NEWS2 7 — emergency review": the score and what to do, for the census and the alert list. */
  message: string;
}

/** SPEC §7b: what each risk raises. `low` raises nothing. */
export const NEWS2_ESCALATION: Readonly<Record<Exclude<News2Risk, 'low'>, { severity: AlertSeverity; action: string }>> = {
  low_medium: { severity: 'medium', action: 'ward review: one parameter scored 3' },
  medium: { severity: 'high', action: 'urgent review within the hour' },
  high: { severity: 'critical', action: 'emergency review' },
};

/** The alert a scored set raises, or null (low risk, incomplete set, under 16). */
export function news2Escalation(result: News2Result): News2Escalation | null {
  if (result.risk === null || result.risk === 'low' || result.total === null) return null;
  const e = NEWS2_ESCALATION[result.risk];
  return { kind: 'news2', severity: e.severity, message: `NEWS2 ${result.total} — ${e.action}` };
}

/**
 * The id of the alert a set raises: `news2:` and the set's id. The workstation that saved the set offline
 * and the server that scores it again derive the same id, so sync never holds the alert twice.
 */
export function news2AlertId(setId: string): string {
  if (!setId) throw new TypeError('news2AlertId: a set id is required');
  return `news2:${setId}`;
}

/**
 * When the next set is due: the set's time plus its monitoring interval (canonical ISO time). Null when
 * the set gives no interval (incomplete, or NEWS2 does not apply): the chart says why instead.
 */
export function news2NextDue(setAt: string, result: News2Result): string | null {
  const at = canonicalTime(setAt);
  if (at === null) throw new TypeError(`news2NextDue: not a time with a zone: ${setAt}`);
  return result.monitoring_minutes === null ? null : addMinutes(at, result.monitoring_minutes);
}

/** Whether a set due at `dueAt` is overdue at `now` (both ISO times); a set due exactly now is not yet. */
export function isOverdue(dueAt: string | null, now: string): boolean {
  return dueAt !== null && new Date(now).getTime() > new Date(dueAt).getTime();
}
