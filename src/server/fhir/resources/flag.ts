/** Flag ← alerts: an open alert is an active flag, an acknowledged one inactive. */
import type { Flag } from '@medplum/fhirtypes';
import type { Alert } from '../../../domain/entities';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { dateParam, patientParam, statusParam } from '../commonParams';

export const ALERT_KIND_SYSTEM = 'urn:clinic-workstation:alert-kind';

const STATUS: Record<string, string> = { open: 'active', acknowledged: 'inactive' };

function toFlag(r: WithRestricted<Alert>): Flag {
  const meta = securityMeta(null, r.patient_restricted);
  return {
    resourceType: 'Flag',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: r.status === 'open' ? 'active' : 'inactive',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical' }] }],
    code: { coding: [{ system: ALERT_KIND_SYSTEM, code: r.kind }], text: r.message },
    subject: { reference: `Patient/${r.patient_id}` },
    period: { start: r.due_at, ...(r.acknowledged_at ? { end: r.acknowledged_at } : {}) },
  };
}

export const flagMapping: ResourceMapping = {
  fhirType: 'Flag',
  authz: 'Alert',
  sorts: { date: 'm.due_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    subject: patientParam('The patient, as `patient`'),
    date: dateParam('m.due_at', 'When it is due (period.start)'),
    status: statusParam('status', 'm.status', STATUS, 'active, inactive'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<WithRestricted<Alert>>).map(toFlag),
};
