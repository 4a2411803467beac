/**
 * MedicationAdministration ← medication_administrations (SPEC §3b), with the medication, unit and
 * barcode of its order (joined; the dose is read under the same policy decision as its row).
 */
import type { MedicationAdministration } from '@medplum/fhirtypes';
import type { MedicationAdministration as AdministrationRow } from '../../../domain/entities';
import type { ResourceMapping, Row, WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { dateParam, patientParam, statusParam } from '../commonParams';
import { medicationConcept, ROUTE_SYSTEM } from './medicationRequest';

type Given = WithRestricted<AdministrationRow> & { medication: string; product_code: string | null; order_unit: string };

const STATUS: Record<string, MedicationAdministration['status']> = {
  given: 'completed',
  held: 'on-hold',
  refused: 'not-done',
  not_given: 'not-done',
};

function toAdministration(r: Given): MedicationAdministration {
  const meta = securityMeta(null, r.patient_restricted);
  return {
    resourceType: 'MedicationAdministration',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: STATUS[r.status] ?? 'unknown',
    ...(r.reason ? { statusReason: [{ text: r.reason }] } : {}),
    medicationCodeableConcept: medicationConcept(r.medication, r.product_code),
    subject: { reference: `Patient/${r.patient_id}` },
    effectiveDateTime: r.at,
    performer: [{ actor: { reference: `Practitioner/${r.administered_by}` } }],
    request: { reference: `MedicationRequest/${r.order_id}` },
    ...(r.dose !== null || r.route
      ? {
          dosage: {
            ...(r.route ? { route: { coding: [{ system: ROUTE_SYSTEM, code: r.route }], text: r.route } } : {}),
            ...(r.dose !== null ? { dose: { value: Number(r.dose), unit: r.order_unit } } : {}),
          },
        }
      : {}),
  };
}

export const medicationAdministrationMapping: ResourceMapping = {
  fhirType: 'MedicationAdministration',
  authz: 'MedicationAdministration',
  sorts: { 'effective-time': 'm.at' },
  columns:
    'm.*, pt.restricted AS patient_restricted, o.medication AS medication, o.product_code AS product_code, o.unit AS order_unit',
  joins: 'JOIN patients pt ON pt.id = m.patient_id JOIN medication_orders o ON o.id = m.order_id',
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    status: statusParam('status', 'm.status', STATUS as Record<string, string>, 'completed, on-hold, not-done'),
    'effective-time': dateParam('m.at', 'When it was given or recorded (effectiveDateTime)'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Given[]).map(toAdministration),
};
