/**
 * Opening a patient's chart (SPEC §7): patient, appointments, records with internal notes only where
 * `read_internal` allows, the latest observations and alerts, and the buttons each item may show.
 * Every opening is audited; an opening under break-glass is audited as such and listed for review.
 */
import type { Actor } from '../../authz/actor';
import type { Alert, Appointment, ClinicalRecord, ConsentRestriction, Observation, Patient } from '../../domain/entities';
import { AppError } from '../../domain/errors';
import { appendAudit } from '../../store/audit';
import { protectedDataRead } from './protectedData';
import type { Principal, ServiceContext } from '../context';
import { readableSections, type ChartSections } from './chartSections';
import { withVisibleReasons } from './visitReason';
import { patientAllergies, type PatientAllergies } from './allergies';
import { scoredSets, type ScoredSet } from './news2Sets';
import { ageInYears } from '../../domain/age';
import { usualRangesAt, type UsualRange } from '../../domain/measures';

export interface Location {
  room_name: string | null;
  ward_id: string | null;
  ward_name: string | null;
  facility_name: string | null;
}

export type ChartPatient = Patient & Location;
export type ChartAppointment = Appointment & { clinician_name: string | null; actions: string[] };
export type ChartRecord = Omit<ClinicalRecord, 'internal_notes'> & {
  internal_notes: string | null;
  author_name: string | null;
  actions: string[];
  /** Ids of records that amend this one; more than one means concurrent amendments to reconcile. */
  amended_by: string[];
};
/**
 * `closed_at_discharge`: the patient's stay is closed (final discharge), so an alert still open is not
 * acted on any more: it is shown as closed with the stay, offers no action, and counts as open nowhere
 * (the census leaves final-discharged patients out for the same reason).
 */
export type ChartAlert = Alert & { actions: string[]; closed_at_discharge: boolean; acknowledged_by_name: string | null };
export type ChartConsentRestriction = Omit<ConsentRestriction, 'org_id'> & {
  user_name: string | null;
  recorded_by_name: string | null;
};

export interface Chart {
  patient: ChartPatient;
  access: 'normal' | 'break_glass';
  break_glass_expires_at: string | null;
  actions: string[];
  appointments: ChartAppointment[];
  records: ChartRecord[];
  observations: Array<Observation & { recorded_by_name: string | null }>;
  /** Each set of vital signs among `observations`, newest first, with its NEWS2 (SPEC §7b). */
  news2_sets: ScoredSet[];
  usual_ranges: Record<string, UsualRange>;
  alerts: ChartAlert[];
  /** Observation categories the user may record for this patient now (vitals entry, lab results). */
  observation_categories: string[];
  /** The sections the user may read at all (chartSections.ts): the others are left out, not shown empty. */
  readable: ChartSections;
  /**
   * SPEC §3a consent restrictions, only for users who may record or remove them (`update` on the
   * patient); empty for everyone else, so a chart says nothing about restrictions to them.
   */
  consent_restrictions: ChartConsentRestriction[];
  /**
   * Ids of the chart's rows (observations, records, alerts, appointments) written here and not yet
   * applied by the server: each carries one "not sent yet" mark until it is (issue 18).
   */
  pending: string[];
  /** SPEC §3b: shown in the banner always (never behind a click), and in their own section. */
  allergies: PatientAllergies;
}

export const OBSERVATION_CATEGORIES = ['vitals', 'lab', 'imaging'] as const;

export const CHART_OBSERVATION_LIMIT = 200;

// A room's facility wins; an outpatient without a room shows the facility they are registered at.
const LOCATION_JOIN = `LEFT JOIN rooms r ON r.id = m.room_id LEFT JOIN wards w ON w.id = r.ward_id
  LEFT JOIN facilities f ON f.id = COALESCE(w.facility_id, m.facility_id)`;
const LOCATION_COLUMNS = 'r.name AS room_name, w.id AS ward_id, w.name AS ward_name, f.name AS facility_name';

export async function openChart(ctx: ServiceContext, principal: Principal, patientId: string): Promise<Chart> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  const audit = (
    decision: 'allow' | 'not_found',
    reason: string | null,
    orgId: string | null,
    details: Record<string, unknown> | null = null,
  ) =>
    appendAudit(ctx.db, {
      at: actor.now,
      actor: who.real.id,
      on_behalf_of: who.onBehalfOf,
      action: 'read',
      resource: `Patient:${patientId}`,
      decision,
      reason,
      org_id: orgId,
      details,
    });

  const [patient] = await ctx.authz.listAs<ChartPatient>(actor, 'read', 'Patient', {
    columns: `m.*, ${LOCATION_COLUMNS}`,
    joins: LOCATION_JOIN,
    where: 'm.id = ?',
    params: [patientId],
    shape: 'row',
  });
  if (!patient) {
    const known = await ctx.db.get<{ org_id: string }>('SELECT org_id FROM patients WHERE id = ?', [patientId]);
    await audit('not_found', null, known?.org_id ?? null);
    throw new AppError('not_found', 'That patient was not found.');
  }
  const breakGlass = await breakGlassOnly(ctx, actor, patient.id);

  // One patient's rows: the policy is probed per row ('row' shape) rather than listing everything
  // the user may read and intersecting.
  const where = { where: 'm.patient_id = ?', params: [patientId], shape: 'row' as const };
  const appointments = await withVisibleReasons(
    ctx.authz,
    actor,
    await ctx.authz.listAs<Appointment & { clinician_name: string | null }>(actor, 'read', 'Appointment', {
      ...where,
      columns: 'm.*, u.name AS clinician_name',
      joins: 'LEFT JOIN users u ON u.id = m.clinician_id',
      orderBy: 'm.scheduled_at DESC',
    }),
  );
  const records = await ctx.authz.listAs<ClinicalRecord & { author_name: string | null }>(actor, 'read', 'Record', {
    ...where,
    columns: 'm.*, u.name AS author_name',
    joins: 'LEFT JOIN users u ON u.id = m.author_id',
    orderBy: 'm.created_at DESC',
  });
  const internal = await ctx.authz.permittedIds(
    actor,
    'read_internal',
    'Record',
    records.map((r) => r.id),
  );
  const observations = await ctx.authz.listAs<Observation & { recorded_by_name: string | null }>(actor, 'read', 'Observation', {
    ...where,
    columns: 'm.*, u.name AS recorded_by_name',
    joins: 'LEFT JOIN users u ON u.id = m.recorded_by',
    orderBy: 'm.recorded_at DESC',
    limit: CHART_OBSERVATION_LIMIT,
  });
  // Who acknowledged an alert is named, so the chart says "acknowledged by Nina Nurse" (issue 18).
  const alerts = await ctx.authz.listAs<Alert & { acknowledged_by_name: string | null }>(actor, 'read', 'Alert', {
    ...where,
    columns: 'm.*, u.name AS acknowledged_by_name',
    joins: 'LEFT JOIN users u ON u.id = m.acknowledged_by',
    orderBy: "m.status = 'open' DESC, m.due_at",
  });
  // Audited once the read is known, with whether it returned specially protected data (SPEC §3a);
  // nothing is returned if the event cannot be written.
  const protectedRead = protectedDataRead({ patient, records, observations, appointments });
  await audit('allow', breakGlass ? 'break_glass' : null, patient.org_id, protectedRead ? { protected: protectedRead } : null);

  const [apActions, recActions, alActions, patientActions] = await Promise.all([
    ctx.authz.actionsForMany(
      actor,
      'Appointment',
      appointments.map((a) => a.id),
    ),
    ctx.authz.actionsForMany(
      actor,
      'Record',
      records.map((r) => r.id),
    ),
    ctx.authz.actionsForMany(
      actor,
      'Alert',
      alerts.map((a) => a.id),
    ),
    ctx.authz.actionsForMany(actor, 'Patient', [patient.id]),
  ]);
  const categories: string[] = [];
  for (const category of OBSERVATION_CATEGORIES) {
    const probe = {
      id: '(new)',
      patient_id: patient.id,
      appointment_id: null,
      category,
      code: '',
      value: '',
      unit: '',
      recorded_by: actor.id,
      recorded_at: actor.now,
    };
    if ((await ctx.authz.decideAs(actor, 'create', { type: 'Observation', object: probe })) === 'allow')
      categories.push(category);
  }
  const amendments = new Map<string, string[]>();
  for (const r of records) if (r.amends_id) amendments.set(r.amends_id, [...(amendments.get(r.amends_id) ?? []), r.id]);
  // An amendment of a record the user may not read must not point at it (SPEC §3a: never reveal).
  const shown = new Set(records.map((r) => r.id));
  const patientActionList = patientActions.get(patient.id) ?? [];
  const consent = patientActionList.includes('update') ? await consentRestrictions(ctx, patient.id) : [];
  const unsent = (await ctx.mutations.pendingRows?.()) ?? new Map<string, ReadonlySet<string>>();
  const pending = (
    [
      ['observations', observations],
      ['records', records],
      ['alerts', alerts],
      ['appointments', appointments],
    ] as const
  ).flatMap(([table, rows]) => rows.map((r) => r.id).filter((id) => unsent.get(table)?.has(id)));

  return {
    patient,
    access: breakGlass ? 'break_glass' : 'normal',
    break_glass_expires_at: breakGlass?.expires_at ?? null,
    actions: patientActionList,
    appointments: appointments.map((a) => ({ ...a, actions: apActions.get(a.id) ?? [] })),
    records: records.map((r) => ({
      ...r,
      internal_notes: internal.has(r.id) ? r.internal_notes : null,
      amends_id: r.amends_id && shown.has(r.amends_id) ? r.amends_id : null,
      actions: recActions.get(r.id) ?? [],
      amended_by: amendments.get(r.id) ?? [],
    })),
    observations,
    news2_sets: scoredSets(patient, observations, ctx.config.timeZone),
    // An unknown birth date is judged as an adult (docs/clinical-rules.md).
    usual_ranges: usualRangesAt(ageInYears(patient.birth_date, actor.now, ctx.config.timeZone)),
    alerts: alerts.map((a) => {
      const closed = patient.status === 'final_discharged' && a.status === 'open';
      return { ...a, actions: closed ? [] : (alActions.get(a.id) ?? []), closed_at_discharge: closed };
    }),
    observation_categories: categories,
    readable: await readableSections(ctx, actor, patient.id, {
      appointments: appointments.length,
      records: records.length,
      observations: observations.length,
      vitals: observations.filter((o) => o.category === 'vitals').length,
      alerts: alerts.length,
    }),
    consent_restrictions: consent,
    pending,
    allergies: await patientAllergies(ctx.authz, actor, patient),
  };
}

async function consentRestrictions(ctx: ServiceContext, patientId: string): Promise<ChartConsentRestriction[]> {
  return ctx.db.all<ChartConsentRestriction>(
    `SELECT c.id, c.patient_id, c.user_id, c.reason, c.recorded_by, c.recorded_at, u.name AS user_name, b.name AS recorded_by_name
     FROM consent_restrictions c LEFT JOIN users u ON u.id = c.user_id LEFT JOIN users b ON b.id = c.recorded_by
     WHERE c.patient_id = ? ORDER BY c.recorded_at, u.name, c.id`,
    [patientId],
  );
}

/** The active break-glass grant when it is the ONLY reason the actor may read the patient. */
export async function breakGlassOnly(
  ctx: ServiceContext,
  actor: Actor,
  patientId: string,
): Promise<{ expires_at: string } | null> {
  const grant = await ctx.db.get<{ expires_at: string }>(
    `SELECT expires_at FROM break_glass WHERE user_id = ? AND patient_id = ? AND started_at <= ? AND ? < expires_at
     ORDER BY expires_at DESC LIMIT 1`,
    [actor.id, patientId, actor.now, actor.now],
  );
  if (!grant) return null;
  // `permitted` is every way in but the emergency override (base.polar).
  const otherwise = await ctx.authz.oso.queryRuleOnce(
    'permitted',
    actor,
    'read',
    await ctx.authz.load({ type: 'Patient', id: patientId }),
  );
  return otherwise ? null : grant;
}
