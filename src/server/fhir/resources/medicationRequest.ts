/**
 * MedicationRequest ← medication_orders (SPEC §3b): the medication by name (and its package barcode),
 * the dose, route and daily times or "as needed" with its minimum interval, the period it runs.
 */
import type { Dosage, MedicationRequest } from '@medplum/fhirtypes';
import type { MedicationOrder } from '../../../domain/entities';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { patientParam, statusParam } from '../commonParams';

export const PRODUCT_CODE_SYSTEM = 'urn:clinic-workstation:product-code';
export const ROUTE_SYSTEM = 'urn:clinic-workstation:route';

const STATUS: Record<string, string> = { active: 'active', stopped: 'stopped' };

const truthy = (v: unknown): boolean => v === 1 || v === true || v === '1';

function times(raw: string): string[] {
  try {
    const t = JSON.parse(raw) as unknown;
    return Array.isArray(t)
      ? t.filter((x): x is string => typeof x === 'string' && /^\d{2}:\d{2}$/.test(x)).map((x) => `${x}:00`)
      : [];
  } catch {
    return [];
  }
}

export function medicationConcept(medication: string, productCode: string | null) {
  return { ...(productCode ? { coding: [{ system: PRODUCT_CODE_SYSTEM, code: productCode }] } : {}), text: medication };
}

function dosage(r: MedicationOrder): Dosage {
  const prn = truthy(r.prn);
  const at = times(r.times);
  return {
    text: `${r.dose} ${r.unit} ${r.route}${prn ? ` as needed${r.min_interval_hours ? `, at least ${r.min_interval_hours} h apart` : ''}` : at.length ? ` at ${at.map((t) => t.slice(0, 5)).join(', ')}` : ''}`,
    ...(at.length && !prn ? { timing: { repeat: { timeOfDay: at } } } : {}),
    asNeededBoolean: prn,
    route: { coding: [{ system: ROUTE_SYSTEM, code: r.route }], text: r.route },
    doseAndRate: [{ doseQuantity: { value: Number(r.dose), unit: r.unit } }],
  };
}

function toRequest(r: WithRestricted<MedicationOrder>): MedicationRequest {
  const meta = securityMeta(null, r.patient_restricted);
  return {
    resourceType: 'MedicationRequest',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: r.status === 'stopped' ? 'stopped' : 'active',
    intent: 'order',
    medicationCodeableConcept: medicationConcept(r.medication, r.product_code),
    subject: { reference: `Patient/${r.patient_id}` },
    authoredOn: r.starts_at,
    requester: { reference: `Practitioner/${r.prescriber_id}` },
    ...(r.stop_reason ? { statusReason: { text: r.stop_reason } } : {}),
    dosageInstruction: [dosage(r)],
    dispenseRequest: { validityPeriod: { start: r.starts_at, ...(r.ends_at ? { end: r.ends_at } : {}) } },
  };
}

export const medicationRequestMapping: ResourceMapping = {
  fhirType: 'MedicationRequest',
  authz: 'MedicationOrder',
  sorts: { authoredon: 'm.starts_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    status: statusParam('status', 'm.status', STATUS, 'active, stopped'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<WithRestricted<MedicationOrder>>).map(toRequest),
};
