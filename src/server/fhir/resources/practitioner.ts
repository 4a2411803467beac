/**
 * Practitioner ← users who are staff (not patient accounts), so the references every other resource
 * makes (`Practitioner/{user id}`) resolve for those who may read the user (SPEC §3 User `read`: self,
 * staff of the organization). Only the name: a badge id is half of a sign-in and a username a login
 * handle, neither is for other systems.
 */
import type { Practitioner } from '@medplum/fhirtypes';
import type { User } from '../../../domain/entities';
import { or } from '../../../store/sql';
import type { ResourceMapping, Row } from '../mapping';
import { stringCondition } from '../params';

function toPractitioner(u: User): Practitioner {
  return { resourceType: 'Practitioner', id: u.id, active: true, name: [{ text: u.name }] };
}

export const practitionerMapping: ResourceMapping = {
  fhirType: 'Practitioner',
  authz: 'User',
  sorts: { name: 'm.name' },
  columns: 'm.id, m.org_id, m.name',
  where: 'm.patient_id IS NULL',
  params: {
    name: {
      type: 'string',
      documentation: 'A word of the name starts with the value (case-insensitive); `:exact`, `:contains`',
      modifiers: ['exact', 'contains'],
      condition: (values, modifier) => or(...values.map((v) => stringCondition('m.name', v, modifier))),
    },
  },
  toFhir: async (rows: Row[]) => (rows as unknown as User[]).map(toPractitioner),
};
