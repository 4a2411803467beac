/**
 * SPEC §3a labelled appointments: an appointment stays visible to whoever may read it (scheduling
 * needs it), but the reason of a labelled one — and the label itself — only reaches users cleared for
 * the label on that patient (the policy's hidden `read_reason`). Everyone else gets "Confidential
 * visit" and no label, wherever the reason travels: the chart, the clinician's day, scheduling answers.
 */
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import { CONFIDENTIAL_VISIT, type SensitivityLabel } from '../../domain/roles';

interface WithReason {
  id: string;
  reason: string;
  sensitivity: SensitivityLabel | null;
}

/** The rows with the reason and label of each labelled one the actor is not cleared for replaced (one query). */
export async function withVisibleReasons<T extends WithReason>(
  authz: AuthzEngine,
  actor: Actor,
  rows: readonly T[],
): Promise<T[]> {
  const labelled = rows.filter((r) => r.sensitivity !== null && r.sensitivity !== undefined).map((r) => r.id);
  if (labelled.length === 0) return [...rows];
  const cleared = await authz.permittedIds(actor, 'read_reason', 'Appointment', labelled);
  return rows.map((r) =>
    r.sensitivity === null || r.sensitivity === undefined || cleared.has(r.id)
      ? r
      : { ...r, reason: CONFIDENTIAL_VISIT, sensitivity: null },
  );
}
