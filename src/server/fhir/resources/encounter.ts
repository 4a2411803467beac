/**
 * Encounter ← appointments. The reason of a labelled appointment (SPEC §3a) and its label reach only
 * readers cleared for it (the policy's `read_reason`, decided for the whole page in one query);
 * others get "Confidential visit" and no label, as everywhere else the reason travels.
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { Appointment } from '../../../domain/entities';
import { withVisibleReasons } from '../../../services/queries/visitReason';
import { securityMeta } from '../security';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { dateParam, patientParam, statusParam } from '../commonParams';

const STATUS: Record<string, Encounter['status']> = {
  scheduled: 'planned',
  in_progress: 'in-progress',
  completed: 'finished',
  canceled: 'cancelled',
};

function toEncounter(r: WithRestricted<Appointment>): Encounter {
  const meta = securityMeta(r.sensitivity, r.patient_restricted);
  return {
    resourceType: 'Encounter',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: STATUS[r.status] ?? 'unknown',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: { reference: `Patient/${r.patient_id}` },
    participant: [{ individual: { reference: `Practitioner/${r.clinician_id}` } }],
    period: { start: r.scheduled_at },
    ...(r.reason ? { reasonCode: [{ text: r.reason }] } : {}),
  };
}

export const encounterMapping: ResourceMapping = {
  fhirType: 'Encounter',
  authz: 'Appointment',
  sorts: { date: 'm.scheduled_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    date: dateParam('m.scheduled_at', 'When it is scheduled (period.start)'),
    status: statusParam('status', 'm.status', STATUS as Record<string, string>, 'planned, in-progress, finished, cancelled'),
  },
  toFhir: async (rows: Row[], ctx) =>
    (await withVisibleReasons(ctx.engine, ctx.actor, rows as unknown as Array<WithRestricted<Appointment>>)).map(toEncounter),
};
