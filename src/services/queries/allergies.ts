/**
 * A patient's allergies as the chart and its banner show them (SPEC §3b), and the census's allergy
 * marker. Only what the reader may read: a user who may not read a patient's allergies gets
 * `readable: false` and nothing else — never "Allergies not recorded", which would be a false statement,
 * and never a count.
 */
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import type { Allergy, AllergyStatusChange } from '../../domain/entities';
import type { AllergySeverity } from '../../domain/roles';

export type ChartAllergy = Allergy & {
  recorded_by_name: string | null;
  actions: string[];
  /** Every move of its status, oldest first: who, when, why. */
  history: Array<AllergyStatusChange & { changed_by_name: string | null }>;
};

export interface PatientAllergies {
  /** The user may read this patient's allergies at all (decided on a probe, like chart sections). */
  readable: boolean;
  /** The user may record an allergy, or record or withdraw "No known allergies". */
  can_record: boolean;
  /** true: someone checked and found none; false or null: not recorded (null: never recorded either way). */
  no_known_allergies: boolean | null;
  /** Every status, active first (life-threatening first), then inactive and entered in error. */
  allergies: ChartAllergy[];
}

const SEVERITY_RANK: Record<AllergySeverity, number> = { life_threatening: 0, severe: 1, moderate: 2, mild: 3 };
const STATUS_RANK: Record<string, number> = { active: 0, inactive: 1, entered_in_error: 2 };

const probe = (patientId: string, actor: Actor): Allergy => ({
  id: '(probe)',
  patient_id: patientId,
  substance: '',
  reaction: null,
  severity: 'mild',
  status: 'active',
  recorded_by: actor.id,
  recorded_at: actor.now,
  status_changed_by: null,
  status_changed_at: null,
  status_reason: null,
});

export async function patientAllergies(
  authz: AuthzEngine,
  actor: Actor,
  patient: { id: string; no_known_allergies: unknown },
): Promise<PatientAllergies> {
  const where = { where: 'm.patient_id = ?', params: [patient.id], shape: 'row' as const };
  const rows = await authz.listAs<Allergy & { recorded_by_name: string | null }>(actor, 'read', 'Allergy', {
    ...where,
    columns: 'm.*, u.name AS recorded_by_name',
    joins: 'LEFT JOIN users u ON u.id = m.recorded_by',
  });
  const readable =
    rows.length > 0 ||
    (await authz.decideAs(actor, 'read', { type: 'Allergy', object: { ...probe(patient.id, actor) } })) === 'allow';
  if (!readable) return { readable: false, can_record: false, no_known_allergies: null, allergies: [] };
  const can_record =
    (await authz.decideAs(actor, 'create', { type: 'Allergy', object: { ...probe(patient.id, actor) } })) === 'allow';
  const history = await authz.listAs<AllergyStatusChange & { changed_by_name: string | null }>(
    actor,
    'read',
    'AllergyStatusChange',
    {
      ...where,
      columns: 'm.*, u.name AS changed_by_name',
      joins: 'LEFT JOIN users u ON u.id = m.changed_by',
      orderBy: 'm.changed_at, m.id',
    },
  );
  const actions = await authz.actionsForMany(
    actor,
    'Allergy',
    rows.map((r) => r.id),
  );
  const nka = patient.no_known_allergies;
  return {
    readable: true,
    can_record,
    no_known_allergies: nka === null || nka === undefined ? null : nka === true || nka === 1,
    allergies: rows
      .map((r) => ({
        ...r,
        actions: actions.get(r.id) ?? [],
        history: history.filter((h) => h.allergy_id === r.id),
      }))
      .sort(
        (a, b) =>
          STATUS_RANK[a.status]! - STATUS_RANK[b.status]! ||
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
          a.substance.localeCompare(b.substance),
      ),
  };
}

/** The census's allergy marker: a patient's active allergies the reader may read, worst first. */
export interface AllergyMarker {
  substances: string[];
  worst: AllergySeverity;
}

export async function activeAllergyMarkers(
  authz: AuthzEngine,
  actor: Actor,
  patientIds: readonly string[],
): Promise<Map<string, AllergyMarker>> {
  const out = new Map<string, AllergyMarker>();
  if (patientIds.length === 0) return out;
  const rows = await authz.listAs<{ patient_id: string; substance: string; severity: AllergySeverity }>(
    actor,
    'read',
    'Allergy',
    {
      columns: 'm.patient_id, m.substance, m.severity',
      where: `m.status = 'active' AND m.patient_id IN (${patientIds.map(() => '?').join(', ')})`,
      params: [...patientIds],
    },
  );
  rows.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.substance.localeCompare(b.substance));
  for (const r of rows) {
    const m = out.get(r.patient_id);
    if (m) m.substances.push(r.substance);
    else out.set(r.patient_id, { substances: [r.substance], worst: r.severity });
  }
  return out;
}
