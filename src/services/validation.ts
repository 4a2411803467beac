/**
 * Clinical sanity checks shared by the write use cases: times that must lie in a plausible window
 * around now. Each message names the limit. Pure input checks (formats, ranges of a measurement) live in
 * the zod schemas (src/domain/schemas.ts, src/domain/measures.ts); these need the clock.
 */
import { invalid } from '../domain/errors';

const MINUTE = 60_000;
/** Grace for the time it takes to fill in a form and for clocks a little apart. */
export const PAST_GRACE_MINUTES = 5;
export const MAX_SCHEDULE_AHEAD_YEARS = 2;
export const MAX_ALERT_AHEAD_YEARS = 1;

const yearsAfter = (t: number, years: number): number => {
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
};

const dayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const day = (t: number): string => dayFmt.format(new Date(t));

/** An appointment time: not in the past (when the user acts now), at most two years ahead. */
export function checkScheduledAt(at: string, now: string, opts: { replay: boolean }): void {
  const t = Date.parse(at);
  const n = Date.parse(now);
  if (!opts.replay && t < n - PAST_GRACE_MINUTES * MINUTE)
    throw invalid('An appointment cannot be in the past: choose a time from now on.');
  const limit = yearsAfter(n, MAX_SCHEDULE_AHEAD_YEARS);
  if (t > limit)
    throw invalid(`Appointments can be scheduled at most ${MAX_SCHEDULE_AHEAD_YEARS} years ahead (until ${day(limit)}).`);
}

/** A new due time for an alert: not in the past, at most a year ahead. */
export function checkDueAt(at: string, now: string, opts: { replay: boolean }): void {
  const t = Date.parse(at);
  const n = Date.parse(now);
  if (!opts.replay && t < n - PAST_GRACE_MINUTES * MINUTE)
    throw invalid('An alert cannot be due in the past: choose a time from now on.');
  const limit = yearsAfter(n, MAX_ALERT_AHEAD_YEARS);
  if (t > limit) throw invalid(`An alert can be due at most a year ahead (until ${day(limit)}).`);
}

/** A birth date: not after today. (Before 1900 is refused by the schema.) */
export function checkBirthDate(birthDate: string, now: string): void {
  if (birthDate > now.slice(0, 10)) throw invalid('The birth date cannot be in the future.');
}

/** When a measurement was taken: not in the future. */
export function checkMeasuredAt(at: string, now: string): void {
  if (Date.parse(at) > Date.parse(now) + PAST_GRACE_MINUTES * MINUTE)
    throw invalid('The time of measurement cannot be in the future.');
}
