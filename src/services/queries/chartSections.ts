/**
 * Which parts of a chart the user may read at all, so the chart leaves out a section instead of
 * claiming it is empty ("No alerts.") to someone who could never see alerts. Decided by the policy on a
 * probe item of the patient — nothing about the patient's real items is revealed: a section holding an
 * item the user can read is shown anyway, and otherwise only the user's own access decides.
 */
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import type { Db } from '../../store/db';

export interface ChartSections {
  appointments: boolean;
  records: boolean;
  observations: boolean;
  vitals: boolean;
  alerts: boolean;
}

const PROBE = '(probe)';
const NOBODY = '(nobody)';

export async function readableSections(
  ctx: { db: Db; authz: AuthzEngine },
  actor: Actor,
  patientId: string,
  found: { appointments: number; records: number; observations: number; vitals: number; alerts: number },
): Promise<ChartSections> {
  const may = async (
    type: 'Appointment' | 'Record' | 'Observation' | 'Alert',
    object: Record<string, unknown>,
  ): Promise<boolean> =>
    (await ctx.authz.decideAs(actor, 'read', { type, object: { id: PROBE, patient_id: patientId, ...object } })) === 'allow';
  const anyOf = async (probes: Array<() => Promise<boolean>>): Promise<boolean> => {
    for (const p of probes) if (await p()) return true;
    return false;
  };
  // Record access may depend on the category (care teams by specialty): probe the categories in use.
  const categories = (
    await ctx.db.all<{ category: string }>('SELECT DISTINCT category FROM records WHERE patient_id = ? ORDER BY category', [
      patientId,
    ])
  ).map((r) => r.category);
  const observationProbe = (category: string) => () =>
    may('Observation', {
      appointment_id: null,
      category,
      code: '',
      value: '',
      unit: '',
      recorded_by: NOBODY,
      recorded_at: actor.now,
    });
  const vitals = found.vitals > 0 || (await observationProbe('vitals')());
  return {
    appointments:
      found.appointments > 0 ||
      (await may('Appointment', { clinician_id: NOBODY, scheduled_at: actor.now, reason: '', status: 'scheduled' })),
    records:
      found.records > 0 ||
      (await anyOf(
        [...new Set([...categories, 'general'])].map(
          (category) => () =>
            may('Record', {
              appointment_id: PROBE,
              category,
              author_id: NOBODY,
              public_notes: '',
              internal_notes: '',
              created_at: actor.now,
              amends_id: null,
            }),
        ),
      )),
    observations: found.observations > 0 || vitals || (await anyOf(['lab', 'imaging'].map(observationProbe))),
    vitals,
    alerts:
      found.alerts > 0 ||
      (await may('Alert', {
        kind: '',
        severity: 'low',
        message: '',
        due_at: actor.now,
        status: 'open',
        acknowledged_by: null,
        acknowledged_at: null,
      })),
  };
}
