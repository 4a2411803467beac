/**
 * Consent ← consent_restrictions (SPEC §3a: the patient does not want this user to see their data), a
 * deny provision naming the user. Decided as the chart shows them: to those who may `update` the
 * patient (who record and remove them), in the same statement; the reason is shown to them as the
 * chart shows it, and to no one else (no one else gets the resource). A restricted patient's carry R.
 */
import type { Consent } from '@medplum/fhirtypes';
import type { ConsentRestriction } from '../../../domain/entities';
import type { ResourceMapping, Row, WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { dateParam, patientParam } from '../commonParams';

function toConsent(r: WithRestricted<ConsentRestriction>): Consent {
  const meta = securityMeta(null, r.patient_restricted);
  return {
    resourceType: 'Consent',
    id: r.id,
    ...(meta ? { meta } : {}),
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${r.patient_id}` },
    dateTime: r.recorded_at,
    organization: [{ reference: `Organization/${r.org_id}` }],
    // FHIR ppc-1 wants a policy; the reason the patient gave is its text (R4 Consent has no note).
    policyRule: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT', display: 'opt-out' }],
      text: r.reason,
    },
    provision: {
      type: 'deny',
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
          reference: { reference: `Practitioner/${r.user_id}` },
        },
      ],
    },
  };
}

export const consentMapping: ResourceMapping = {
  fhirType: 'Consent',
  authz: 'Patient',
  action: 'update',
  key: 'c.id',
  auditType: 'ConsentRestriction',
  columns: 'c.*, m.restricted AS patient_restricted',
  joins: 'JOIN consent_restrictions c ON c.patient_id = m.id',
  ownerSql: 'SELECT org_id FROM consent_restrictions WHERE id = ?',
  sorts: { date: 'c.recorded_at' },
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)', 'c.patient_id'),
    date: dateParam('c.recorded_at', 'When it was recorded (dateTime)'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<WithRestricted<ConsentRestriction>>).map(toConsent),
};
