/**
 * AllergyIntolerance ← allergies (SPEC §3b). Never labelled (a hidden allergy is a safety risk); a
 * restricted patient's carry R. An allergy entered in error has no clinical status (FHIR ait-2).
 */
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import type { Allergy } from '../../../domain/entities';
import { PATIENT_COLUMNS, PATIENT_JOIN, type ResourceMapping, type Row, type WithRestricted } from '../mapping';
import { securityMeta } from '../security';
import { dateParam, patientParam, statusParam } from '../commonParams';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

const CLINICAL_STATUS: Record<string, string> = { active: 'active', inactive: 'inactive' };

/** SPEC §3b severities: the reaction's severity, and criticality high for severe and life-threatening. */
const REACTION_SEVERITY: Record<string, 'mild' | 'moderate' | 'severe'> = {
  mild: 'mild',
  moderate: 'moderate',
  severe: 'severe',
  life_threatening: 'severe',
};

function toAllergy(r: WithRestricted<Allergy>): AllergyIntolerance {
  const meta = securityMeta(null, r.patient_restricted);
  const inError = r.status === 'entered_in_error';
  return {
    resourceType: 'AllergyIntolerance',
    id: r.id,
    ...(meta ? { meta } : {}),
    ...(inError
      ? { verificationStatus: { coding: [{ system: VERIFICATION, code: 'entered-in-error' }] } }
      : { clinicalStatus: { coding: [{ system: CLINICAL, code: CLINICAL_STATUS[r.status] ?? 'active' }] } }),
    criticality: r.severity === 'severe' || r.severity === 'life_threatening' ? 'high' : 'low',
    code: { text: r.substance },
    patient: { reference: `Patient/${r.patient_id}` },
    recordedDate: r.recorded_at,
    ...(r.recorded_by ? { recorder: { reference: `Practitioner/${r.recorded_by}` } } : {}),
    ...(r.reaction
      ? {
          reaction: [
            {
              manifestation: [{ text: r.reaction }],
              severity: REACTION_SEVERITY[r.severity],
            },
          ],
        }
      : {}),
  };
}

export const allergyMapping: ResourceMapping = {
  fhirType: 'AllergyIntolerance',
  authz: 'Allergy',
  sorts: { date: 'm.recorded_at' },
  columns: PATIENT_COLUMNS,
  joins: PATIENT_JOIN,
  params: {
    patient: patientParam('The patient (`Patient/ID` or `ID`)'),
    'clinical-status': statusParam('clinical-status', 'm.status', CLINICAL_STATUS, 'active, inactive'),
    date: dateParam('m.recorded_at', 'When it was recorded (recordedDate)'),
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<WithRestricted<Allergy>>).map(toAllergy),
};
