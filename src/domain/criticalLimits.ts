/**
 * Critical laboratory limits (SPEC §7b): a result beyond one raises a `critical` alert on the ward.
 * The defaults are the SPEC's, of the kind UK laboratories telephone at once (RCPath 2017, "The
 * communication of critical and unexpected pathology results"; troponin T 52 ng/L is the ESC 0 h/1 h
 * rule-in level). A site's laboratory may differ, so a site may configure its own (`critical_limits` in
 * the system configuration, validated here): change a side, drop one, drop a code, or add a code.
 *
 * Limits are strict: potassium 6.5 is not critical, 6.6 is. Values are compared in the limit's unit;
 * a few units a laboratory may report in are converted (glucose mg/dL, hemoglobin g/L, troponin µg/L,
 * electrolytes mEq/L); any other unit is "not comparable", never guessed. A censored value ("<40",
 * ">100") is critical only when it is beyond the limit whatever its true value: potassium "<2.0" is,
 * troponin "<40" is not.
 */
import { z } from 'zod';
import { type Checked, configProblem, refuse, valid } from './checked';
import { measureSpec } from './measures';

export interface CriticalLimit {
  code: string;
  label: string;
  /** Stored unit (UCUM, as measures.ts); '' for the INR. */
  unit: string;
  /** Critical when the value is strictly below this (null: no lower limit). */
  below: number | null;
  /** Critical when the value is strictly above this (null: no upper limit). */
  above: number | null;
}
export type CriticalLimits = ReadonlyMap<string, CriticalLimit>;

/** SPEC §7b. Codes and units as src/domain/measures.ts stores them. */
export const DEFAULT_CRITICAL_LIMITS: Readonly<Record<string, { below: number | null; above: number | null }>> = {
  potassium: { below: 2.5, above: 6.5 },
  sodium: { below: 120, above: 160 },
  glucose: { below: 2.5, above: 25 },
  hemoglobin: { below: 7, above: null },
  lactate: { below: null, above: 4 },
  troponin_t: { below: null, above: 52 },
  inr: { below: null, above: 5 },
};

function limitFor(
  code: string,
  sides: { below: number | null; above: number | null },
  unit?: string,
  label?: string,
): CriticalLimit {
  const spec = measureSpec(code);
  return { code, label: label ?? spec?.label ?? code.replace(/_/g, ' '), unit: unit ?? spec?.unit ?? '', ...sides };
}

export const DEFAULT_LIMITS: CriticalLimits = new Map(
  Object.entries(DEFAULT_CRITICAL_LIMITS).map(([code, s]) => [code, limitFor(code, s)]),
);

const Side = z.number().finite().nullable().optional();
const Entry = z
  .object({
    below: Side,
    above: Side,
    /** Required for a code the defaults do not have; for one they have, it must be the stored unit. */
    unit: z.string().max(40).optional(),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export const CriticalLimitsConfig = z.record(
  z.string().regex(/^[a-z0-9_-]+$/, 'codes are lower case letters, digits, _ and -'),
  Entry.nullable(),
);
export type CriticalLimitsConfig = z.infer<typeof CriticalLimitsConfig>;

/**
 * The limits a site's configuration gives, merged over the defaults: `{"potassium": {"above": 6.0}}`
 * changes one side, `{"troponin_t": null}` drops a code, `{"lactate": {"above": null}}` drops a side,
 * `{"calcium": {"unit": "mmol/L", "below": 1.8, "above": 3.2}}` adds a code. Without one, the defaults.
 */
export function criticalLimits(config?: unknown): Checked<CriticalLimits> {
  if (config === undefined || config === null) return valid(DEFAULT_LIMITS);
  const parsed = CriticalLimitsConfig.safeParse(config);
  if (!parsed.success) return refuse(configProblem('critical_limits', parsed.error.issues));
  const out = new Map(DEFAULT_LIMITS);
  const problems: string[] = [];
  for (const [code, entry] of Object.entries(parsed.data)) {
    if (entry === null) {
      out.delete(code);
      continue;
    }
    const base = DEFAULT_LIMITS.get(code);
    const unit = entry.unit ?? base?.unit ?? measureSpec(code)?.unit;
    if (unit === undefined) {
      problems.push(`critical_limits.${code}: give its unit, e.g. "mmol/L".`);
      continue;
    }
    const stored = base?.unit ?? measureSpec(code)?.unit;
    if (stored !== undefined && unit !== stored) {
      problems.push(
        `critical_limits.${code}: ${code} is stored in "${stored}", so its limits are in "${stored}" too, not "${unit}".`,
      );
      continue;
    }
    const below = entry.below === undefined ? (base?.below ?? null) : entry.below;
    const above = entry.above === undefined ? (base?.above ?? null) : entry.above;
    if (below === null && above === null) {
      problems.push(`critical_limits.${code}: give a lower or an upper limit, or null to have none for ${code}.`);
      continue;
    }
    if (below !== null && above !== null && below >= above) {
      problems.push(`critical_limits.${code}: the lower limit (${below}) must be below the upper one (${above}).`);
      continue;
    }
    out.set(code, limitFor(code, { below, above }, unit, entry.label ?? base?.label));
  }
  return problems.length ? refuse(problems.join(' ')) : valid(out);
}

/** Units a laboratory may report in, and how to reach the stored unit; keys folded (lower case, µ). */
const CONVERSIONS: Record<string, Record<string, (v: number) => number>> = {
  'g/dL': { 'g/l': (v) => v / 10 },
  'ng/L': { 'pg/ml': (v) => v, 'µg/l': (v) => v * 1000, 'ug/l': (v) => v * 1000, 'ng/ml': (v) => v * 1000 },
  '': { '{inr}': (v) => v, inr: (v) => v, ratio: (v) => v, '{ratio}': (v) => v },
};
/** Conversions that hold for one code only (valence, molar mass). */
const CODE_CONVERSIONS: Record<string, Record<string, (v: number) => number>> = {
  sodium: { 'meq/l': (v) => v },
  potassium: { 'meq/l': (v) => v },
  glucose: { 'mg/dl': (v) => v / 18.016 },
  lactate: { 'mg/dl': (v) => v / 9.008 },
};
const foldUnit = (u: string): string => u.trim().toLowerCase().replace(/μ/g, 'µ');

/** How a value in `unit` becomes one in the stored unit; an empty unit is the stored one (as measures.ts stores it). */
function toStoredUnit(code: string, stored: string, unit: string): { convert: (v: number) => number; converted: boolean } | null {
  const u = foldUnit(unit);
  if (u === '' || u === foldUnit(stored)) return { convert: (v) => v, converted: false };
  const f = CODE_CONVERSIONS[code]?.[u] ?? CONVERSIONS[stored]?.[u];
  return f ? { convert: f, converted: true } : null;
}

export type CriticalCheck =
  | { status: 'critical'; direction: 'below' | 'above'; limit: number; message: string }
  | { status: 'within'; message: null }
  | { status: 'no_limit'; message: null }
  | { status: 'not_comparable'; message: string };

const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;
const CENSORED = /^(<=|>=|≤|≥|<|>)\s*([+-]?(\d+([.,]\d*)?|[.,]\d+))$/;
const num = (s: string): number => Number(s.replace(',', '.'));
const round = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * Whether a result is beyond its critical limit, and why, in a sentence for the alert:
 * "Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L."
 */
export function checkCritical(
  code: string,
  value: string | number,
  unit: string,
  limits: CriticalLimits = DEFAULT_LIMITS,
): CriticalCheck {
  const limit = limits.get(code);
  if (!limit) return { status: 'no_limit', message: null };
  const unitShown = (u: string): string => (u ? ` ${u}` : '');
  const raw = typeof value === 'number' ? String(value) : value.trim();
  const to = toStoredUnit(code, limit.unit, unit);
  if (!to) {
    return {
      status: 'not_comparable',
      message: `${limit.label} ${raw}${unitShown(unit.trim())} cannot be compared with its critical limits, which are in ${limit.unit || 'no unit'}.`,
    };
  }
  const { convert } = to;
  // The interval the true value lies in; `strict…` when its end is excluded ("<2.5" is below 2.5).
  let low: number;
  let high: number;
  let strictLow = false;
  let strictHigh = false;
  if (typeof value === 'number' ? Number.isFinite(value) : NUMBER.test(raw)) {
    low = high = convert(typeof value === 'number' ? value : num(raw));
  } else {
    const m = CENSORED.exec(raw);
    if (!m)
      return {
        status: 'not_comparable',
        message: `${limit.label} "${raw}" is not a number, so it cannot be judged against the critical limits.`,
      };
    const bound = convert(num(m[2]!));
    const op = m[1]!;
    if (op === '<' || op === '<=' || op === '≤') {
      low = -Infinity;
      high = bound;
      strictHigh = op === '<';
    } else {
      low = bound;
      high = Infinity;
      strictLow = op === '>';
    }
  }
  const givenUnit = unit.trim() || limit.unit;
  const shownValue = `${limit.label} ${raw}${unitShown(givenUnit)}${to.converted && low === high ? ` (${round(low)}${unitShown(limit.unit)})` : ''}`;
  // Below the lower limit whatever the true value: its highest possible value is below it, or equal
  // to it when that value itself is excluded ("<2.5"). Above alike.
  if (limit.below !== null && (high < limit.below || (strictHigh && high <= limit.below))) {
    return {
      status: 'critical',
      direction: 'below',
      limit: limit.below,
      message: `${shownValue} is below the critical limit ${limit.below}${unitShown(limit.unit)}.`,
    };
  }
  if (limit.above !== null && (low > limit.above || (strictLow && low >= limit.above))) {
    return {
      status: 'critical',
      direction: 'above',
      limit: limit.above,
      message: `${shownValue} is above the critical limit ${limit.above}${unitShown(limit.unit)}.`,
    };
  }
  return { status: 'within', message: null };
}

/**
 * The id of the alert a critical result raises: `critical:` and the observation's id. The workstation
 * that recorded the result offline and the server derive the same id, so sync never holds it twice.
 */
export function criticalAlertId(observationId: string): string {
  if (!observationId) throw new TypeError('criticalAlertId: an observation id is required');
  return `critical:${observationId}`;
}

/** The alert a result raises, or null when it is within its limits (or has none, or cannot be compared). */
export function criticalResultAlert(
  observationId: string,
  check: CriticalCheck,
): { id: string; kind: 'critical_result'; severity: 'critical'; message: string } | null {
  if (check.status !== 'critical') return null;
  return { id: criticalAlertId(observationId), kind: 'critical_result', severity: 'critical', message: check.message };
}
