/**
 * The checks before a dose is given (SPEC §7b "the five rights", issue 19 item 3): right patient, right
 * medicine, right dose, right route, right time, and the patient's active allergies. Each check answers
 *   - `ok`: go ahead;
 *   - `needs_reason`: go ahead only with the nurse's reason (recorded with the administration);
 *   - `refused`: do not give it (the sentence says what to do instead);
 * and whether it was `bypassed` (the wristband or package was typed in or not scanned at all), which the
 * administration records and the MAR shows.
 *
 * What each check decides:
 *   patient   the wristband's MRN equals the chart's (mrn.ts: NFKC, case-insensitive); typed in: ok but
 *             bypassed; not scanned: needs a reason; another MRN or an unreadable one: refused.
 *   medicine  the package barcode is the order's product code (productBarcode.ts: GTIN-8/12/13/14, GS1
 *             element strings); typed in: ok but bypassed; not scanned: needs a reason; another product
 *             or an expired package (AI 17): refused.
 *   dose      the dose (and unit, when given) equal the order's: otherwise refused.
 *   route     the route equals the order's: otherwise refused.
 *   time      scheduled: the dose names its scheduled time; one already given for that time is refused
 *             (a double dose); more than `window_minutes` (default 60) before or after it needs a reason.
 *             prn: a given dose less than `min_interval_hours` before or after is refused; the sync's
 *             double-dose rule (doubleDose.ts) judges the same interval, so a dose allowed here is never
 *             flagged later unless another workstation recorded one meanwhile.
 *   allergy   the medicine matches an active allergy (allergyMatch.ts): refused, unless the prescriber
 *             overrode it with a reason on the order, then the nurse's reason is needed as well.
 */
import { allergyMatches, type AllergyClassMap, type AllergyLike, DEFAULT_CLASS_MAP } from './allergyMatch';
import { type Checked, refuse, valid } from './checked';
import { normaliseMrn } from './mrn';
import { readProductBarcode } from './productBarcode';
import { canonicalTime } from './time';
import { checkTimeZone, localClock, localDate } from './zonedTime';

export const ROUTES = ['oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'rectal', 'other'] as const;
export type Route = (typeof ROUTES)[number];

export const RIGHTS = ['patient', 'medicine', 'dose', 'route', 'time', 'allergy'] as const;
export type Right = (typeof RIGHTS)[number];
export type CheckStatus = 'ok' | 'needs_reason' | 'refused';

export interface RightCheck {
  right: Right;
  status: CheckStatus;
  /** A sentence the nurse can act on. */
  message: string;
  /** The scan was typed in or skipped (patient and medicine only). */
  bypassed: boolean;
}

export interface FiveRightsResult {
  checks: RightCheck[];
  /** The worst status of all checks. */
  outcome: CheckStatus;
  /** The rights whose scan was typed in or skipped, for the administration's record. */
  bypassed: Right[];
}

/** A scan: `value` null or empty when nothing was scanned; `manual` when it was typed in. */
export interface ScanInput {
  value?: string | null;
  manual?: boolean;
}

export interface DoseOrder {
  medication: string;
  product_code: string;
  dose: number;
  unit: string;
  route: Route | string;
  prn?: boolean | null;
  min_interval_hours?: number | null;
  /** The prescriber's reason for prescribing despite a matching allergy (issue 19 item 1). */
  allergy_override_reason?: string | null;
}

export interface EarlierAdministration {
  id?: string;
  status: 'given' | 'held' | 'refused' | 'not_given';
  scheduled_for?: string | null;
  at: string;
}

export interface FiveRightsInput {
  chart_mrn: string;
  order: DoseOrder;
  wristband: ScanInput;
  product: ScanInput;
  dose: number;
  /** Unit of the dose given; the order's unit when absent. */
  unit?: string | null;
  route: string;
  /** When the dose is given (ISO time). */
  at: string;
  /** The scheduled dose this is (scheduled orders). */
  scheduled_for?: string | null;
  /** This order's administrations recorded so far. */
  earlier?: readonly EarlierAdministration[];
  allergies: readonly AllergyLike[];
  classes?: AllergyClassMap;
  /** The right-time window either side of the scheduled time, in minutes (site setting). */
  window_minutes?: number;
  /** The site's zone, for the clock times in the sentences. */
  time_zone?: string | null;
}

export const DEFAULT_WINDOW_MINUTES = 60;
const RANK: Record<CheckStatus, number> = { ok: 0, needs_reason: 1, refused: 2 };

const check = (right: Right, status: CheckStatus, message: string, bypassed = false): RightCheck => ({
  right,
  status,
  message,
  bypassed,
});
const scanned = (s: ScanInput): string | null => (s.value && s.value.trim() ? s.value : null);

function patientCheck(chartMrn: string, scan: ScanInput): RightCheck {
  const value = scanned(scan);
  if (value === null) {
    return check(
      'patient',
      'needs_reason',
      "The wristband was not scanned. Confirm the patient's name and date of birth with them and give a reason (e.g. wristband unreadable).",
      true,
    );
  }
  const manual = Boolean(scan.manual);
  const read = normaliseMrn(value.trim().replace(/^\][A-Za-z][0-9A-Za-z]/, ''));
  const chart = normaliseMrn(chartMrn);
  if (!read.ok)
    return check(
      'patient',
      'refused',
      `The wristband did not read as a medical record number: ${read.problem} Scan it again.`,
      manual,
    );
  if (!chart.ok || read.value !== chart.value) {
    return check(
      'patient',
      'refused',
      `The wristband reads ${read.value}, but this chart is ${chart.ok ? chart.value : chartMrn}: stop, this may be the wrong patient.`,
      manual,
    );
  }
  return manual
    ? check('patient', 'ok', `The typed MRN ${read.value} matches the chart (wristband not scanned).`, true)
    : check('patient', 'ok', `The wristband matches the chart (${read.value}).`);
}

function medicineCheck(order: DoseOrder, scan: ScanInput, atDate: string): RightCheck {
  const value = scanned(scan);
  const what = `${order.medication} ${order.dose} ${order.unit}`;
  if (value === null) {
    return check(
      'medicine',
      'needs_reason',
      `The package was not scanned. Check its label against the order (${what}) and give a reason.`,
      true,
    );
  }
  const manual = Boolean(scan.manual);
  const read = readProductBarcode(value);
  const ordered = readProductBarcode(order.product_code);
  if (!read || !ordered || read.key !== ordered.key) {
    const shown = read?.gtin ?? value.trim();
    return check(
      'medicine',
      'refused',
      `The package scanned (${shown}) is not the product ordered for ${order.medication} (${order.product_code}). Take the right medicine.`,
      manual,
    );
  }
  if (read.expiry && read.expiry < atDate) {
    return check(
      'medicine',
      'refused',
      `This package of ${order.medication} expired on ${read.expiry}. Take another package.`,
      manual,
    );
  }
  return manual
    ? check('medicine', 'ok', `The typed code matches ${order.medication} (package not scanned).`, true)
    : check('medicine', 'ok', `The package is ${order.medication}, as ordered.`);
}

const sameNumber = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const sameUnit = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

function doseCheck(order: DoseOrder, dose: number, unit: string): RightCheck {
  if (sameNumber(dose, order.dose) && sameUnit(unit, order.unit))
    return check('dose', 'ok', `${dose} ${order.unit}, as ordered.`);
  return check(
    'dose',
    'refused',
    `The order is ${order.dose} ${order.unit} of ${order.medication}, not ${dose} ${unit.trim()}. Give the dose as ordered, or ask the prescriber.`,
  );
}

function routeCheck(order: DoseOrder, route: string): RightCheck {
  if (route.trim().toLowerCase() === String(order.route).toLowerCase())
    return check('route', 'ok', `Route ${order.route}, as ordered.`);
  return check(
    'route',
    'refused',
    `${order.medication} is ordered ${order.route}, not ${route.trim()}. Give it by the route ordered, or ask the prescriber.`,
  );
}

function minutesWords(m: number): string {
  const h = Math.floor(m / 60);
  const r = m % 60;
  return h === 0 ? `${r} minutes` : r === 0 ? `${h} hour${h === 1 ? '' : 's'}` : `${h} h ${r} min`;
}

function timeCheck(input: FiveRightsInput, at: number, zone: string, windowMinutes: number): Checked<RightCheck> {
  const { order } = input;
  const clock = (ms: number): string =>
    localDate(zone, ms) === localDate(zone, at) ? localClock(zone, ms) : `${localDate(zone, ms)} ${localClock(zone, ms)}`;
  const given = (input.earlier ?? []).filter((e) => e.status === 'given');
  for (const e of given) if (canonicalTime(e.at) === null) return refuse('An earlier administration has no valid time.');

  if (order.prn) {
    const hours = order.min_interval_hours;
    if (!hours) return valid(check('time', 'ok', 'As required; no minimum interval is ordered.'));
    const interval = hours * 3_600_000;
    const near = given
      .map((e) => Date.parse(e.at))
      .filter((t) => Math.abs(at - t) < interval)
      .sort((a, b) => b - a);
    if (near.length) {
      const last = near[0]!;
      const next = last + interval;
      return valid(
        check(
          'time',
          'refused',
          `A dose of ${order.medication} was given at ${clock(last)}; doses are at least ${hours} hours apart, so the next may be given from ${clock(next)}.`,
        ),
      );
    }
    const before = given
      .map((e) => Date.parse(e.at))
      .filter((t) => t <= at)
      .sort((a, b) => b - a)[0];
    return valid(
      check(
        'time',
        'ok',
        before === undefined
          ? 'As required; no earlier dose is recorded.'
          : `As required; the last dose was at ${clock(before)}.`,
      ),
    );
  }

  if (!input.scheduled_for) return valid(check('time', 'refused', 'Choose which scheduled dose this is.'));
  const due = canonicalTime(input.scheduled_for);
  if (!due) return refuse('The scheduled time needs a date, a time and a time zone.');
  const dueMs = Date.parse(due);
  const twice = given.find((e) => e.scheduled_for && canonicalTime(e.scheduled_for) === due);
  if (twice) {
    return valid(
      check(
        'time',
        'refused',
        `The ${clock(dueMs)} dose of ${order.medication} was already given at ${clock(Date.parse(twice.at))}; giving it again would be a double dose.`,
      ),
    );
  }
  const off = Math.round((at - dueMs) / 60_000);
  if (Math.abs(off) <= windowMinutes) return valid(check('time', 'ok', `The ${clock(dueMs)} dose, on time.`));
  const how = off > 0 ? `${minutesWords(off)} late` : `${minutesWords(-off)} early`;
  return valid(
    check(
      'time',
      'needs_reason',
      `The ${clock(dueMs)} dose is ${how} (more than ${windowMinutes} minutes). Give a reason, or record the dose as not given.`,
    ),
  );
}

function allergyCheck(order: DoseOrder, allergies: readonly AllergyLike[], classes: AllergyClassMap): RightCheck {
  const matches = allergyMatches(order.medication, allergies, classes);
  if (matches.length === 0) return check('allergy', 'ok', `No active allergy matches ${order.medication}.`);
  const said = matches.map((m) => m.message).join(' ');
  const override = order.allergy_override_reason?.trim();
  if (override)
    return check('allergy', 'needs_reason', `${said} The prescriber overrode it: "${override}". Give your reason to go ahead.`);
  return check('allergy', 'refused', `${said} Do not give it: the prescriber must override the allergy with a reason first.`);
}

/** Runs every check. Input that cannot be judged (a bad time, dose or zone) is a sentence instead. */
export function checkFiveRights(input: FiveRightsInput): Checked<FiveRightsResult> {
  const zone = checkTimeZone(input.time_zone);
  if (!zone.ok) return zone;
  const atIso = canonicalTime(input.at);
  if (!atIso) return refuse('The time of the dose needs a date, a time and a time zone.');
  if (typeof input.dose !== 'number' || !Number.isFinite(input.dose) || input.dose <= 0)
    return refuse('The dose given must be a number above 0.');
  const windowMinutes = input.window_minutes ?? DEFAULT_WINDOW_MINUTES;
  if (!Number.isFinite(windowMinutes) || windowMinutes < 0)
    return refuse('The right-time window must be a number of minutes, 0 or more.');
  const { order } = input;
  if (order.prn && order.min_interval_hours != null && !(order.min_interval_hours >= 0))
    return refuse("The order's minimum interval must be a number of hours, 0 or more.");
  const at = Date.parse(atIso);

  const time = timeCheck(input, at, zone.value, windowMinutes);
  if (!time.ok) return time;
  const checks = [
    patientCheck(input.chart_mrn, input.wristband),
    medicineCheck(order, input.product, localDate(zone.value, at)),
    doseCheck(order, input.dose, input.unit ?? order.unit),
    routeCheck(order, input.route),
    time.value,
    allergyCheck(order, input.allergies, input.classes ?? DEFAULT_CLASS_MAP),
  ];
  const outcome = checks.reduce<CheckStatus>((w, c) => (RANK[c.status] > RANK[w] ? c.status : w), 'ok');
  return valid({ checks, outcome, bypassed: checks.filter((c) => c.bypassed).map((c) => c.right) });
}

/**
 * The checks that still stop the dose once the nurse's reasons are in: every refused check, and every
 * check needing a reason that has none (a reason is at least a few letters, not blank).
 */
export function blockingChecks(result: FiveRightsResult, reasons: Partial<Record<Right, string | null>>): RightCheck[] {
  return result.checks.filter(
    (c) => c.status === 'refused' || (c.status === 'needs_reason' && (reasons[c.right]?.trim().length ?? 0) < 3),
  );
}
