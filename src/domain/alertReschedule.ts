/**
 * SPEC §7b: alerts are acted on, not hidden. A `high` or `critical` alert may be moved only with a reason
 * and at most 24 hours ahead (issue 18: a critical "Sepsis screen positive" was moved to the next year
 * and its overdue flag vanished). Lower severities keep the general limits of the alert service.
 */
import type { AlertSeverity } from './roles';

export const URGENT_RESCHEDULE_MAX_HOURS = 24;
const URGENT: ReadonlySet<AlertSeverity> = new Set(['high', 'critical']);

/** Null when the move is allowed; otherwise the sentence saying why not and what to do. */
export function rescheduleProblem(
  severity: AlertSeverity,
  dueAt: string,
  now: string,
  reason: string | null | undefined,
): string | null {
  if (!URGENT.has(severity)) return null;
  const problems: string[] = [];
  if (!reason || !reason.trim()) problems.push('give the reason');
  const limit = Date.parse(now) + URGENT_RESCHEDULE_MAX_HOURS * 3_600_000;
  if (Date.parse(dueAt) > limit) problems.push(`choose a time at most ${URGENT_RESCHEDULE_MAX_HOURS} hours from now`);
  if (!problems.length) return null;
  return `A ${severity} alert can be moved only with a reason and at most ${URGENT_RESCHEDULE_MAX_HOURS} hours ahead: ${problems.join(' and ')}.`;
}
