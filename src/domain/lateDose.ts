/**
 * A dose recorded offline that reaches the server after the facts changed (issue 19, "nothing a nurse
 * recorded offline is lost"; docs/clinical-rules.md "Doses that arrive late"). A medicine given is a
 * fact: when the server would refuse the replayed record because, meanwhile, the order was stopped or
 * ended, the nurse's (or witness's) shift ended, or the patient's care moved, it decides again AS AT THE
 * BEDSIDE: the user as they were at the dose's time (`at`), and the order as the workstation held it
 * (active: the stop had not reached it). Start and end of the order still count at `at` (the
 * workstation knew them from the prescription). Allowed that way, the record is kept with a line saying
 * so; a dose given after the stop raises a `critical` alert whose id derives from the dose.
 *
 * What was never allowed stays refused: a user who could not administer the order at `at`, a time in
 * the future of the server, or one older than LATE_RECORD_DAYS (no workstation holds work that long:
 * a badge key signs for hours, a password sign-in keeps data a week).
 */

export const LATE_RECORD_DAYS = 7;
/** The clock skew a workstation may have (validation.ts PAST_GRACE_MINUTES). */
const FUTURE_GRACE_MS = 5 * 60_000;

export interface LateOrder {
  medication: string;
  dose: number;
  unit: string;
  status: 'active' | 'stopped';
  stopped_at: string | null;
}

/** Whether a dose given at `at` may be decided again as at the bedside, judged at the server's `now`. */
export function mayDecideAsAtBedside(at: string, now: string): boolean {
  const t = Date.parse(at);
  const n = Date.parse(now);
  if (Number.isNaN(t) || Number.isNaN(n)) return false;
  return t <= n + FUTURE_GRACE_MS && t >= n - LATE_RECORD_DAYS * 86_400_000;
}

/**
 * The room a finally discharged patient left, when a dose given at `at` was given before they left it
 * (strictly before `final_discharged_at`); null otherwise, so a dose after the discharge stays refused.
 */
export function roomLeftAfter(
  patient: { discharged_from_room_id?: string | null; final_discharged_at?: string | null },
  at: string,
): string | null {
  const left = patient.final_discharged_at ? Date.parse(patient.final_discharged_at) : NaN;
  const t = Date.parse(at);
  if (!patient.discharged_from_room_id || Number.isNaN(left) || Number.isNaN(t)) return null;
  return t < left ? patient.discharged_from_room_id : null;
}

/** The order as a workstation that had not heard of its stop held it. */
export function orderAsHeld<O extends { status: string }>(order: O): O {
  return { ...order, status: 'active' };
}

/** True when the dose was given at or after the order was stopped on the server. */
export function givenAfterStop(order: LateOrder, at: string): boolean {
  return order.status === 'stopped' && order.stopped_at !== null && Date.parse(at) >= Date.parse(order.stopped_at);
}

/** The line kept with the dose (shown on the MAR with its other reasons). */
export function lateDoseNote(order: LateOrder, at: string): string {
  if (givenAfterStop(order, at))
    return `Given after the order was stopped (stopped ${order.stopped_at}; this workstation had not heard).`;
  if (order.status === 'stopped')
    return `Recorded after the order was stopped (stopped ${order.stopped_at}); given before the stop.`;
  return 'Recorded after access changed (the order ended, or a shift or the patient moved); kept as given at the bedside.';
}

export const stoppedOrderDoseAlertId = (administrationId: string): string => `stopped-order-dose:${administrationId}`;

export function stoppedOrderDoseMessage(order: LateOrder): string {
  return `Given after the order was stopped: ${order.medication} ${order.dose} ${order.unit} was recorded as given after a prescriber stopped it. Check the patient and tell the prescriber.`;
}
