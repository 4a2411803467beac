/**
 * Doses on the nurse's worklist (issue 19 item 5): the scheduled doses due now (within the right-time
 * window) and overdue (past it, not recorded, within the last 24 hours) of her census patients, read as
 * the ward's "doses due now" reads them (src/services/queries/mar.ts: orders she may `administer`).
 * Upcoming doses are left to the MAR: a shift's worth of them would bury the rest of her work.
 */
import type { Source, WorklistItem } from './worklist';
import { dueDosesAs } from './mar';

export const dosesDue: Source = async ({ ctx, actor, patients }) => {
  if (patients.length === 0) return [];
  const byId = new Map(patients.map((p) => [p.id, p]));
  const out: WorklistItem[] = [];
  for (const d of await dueDosesAs(ctx, actor, { wardId: null })) {
    const p = byId.get(d.patient_id);
    if (!p) continue;
    out.push({
      kind: 'dose_due',
      id: `dose_due:${d.order_id}|${d.scheduled_for}`,
      patient_id: p.id,
      patient_name: p.name,
      room_name: p.room_name,
      ward_name: p.ward_name,
      title: `${d.medication} ${d.dose} ${d.unit} ${d.route}`,
      due_at: d.scheduled_for,
      // Overdue is past the right-time window, not merely past its time: a dose 20 minutes late is still on time.
      overdue: d.state === 'overdue',
      order_id: d.order_id,
      controlled: d.controlled === 1,
    });
  }
  return out;
};
