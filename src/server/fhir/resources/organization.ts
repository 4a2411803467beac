/**
 * Organization ← organizations, read as SPEC §3 lets an organization be read (its own staff; root).
 * The references every Patient makes (`managingOrganization`) resolve for those. Root's own
 * organization (`_root`) is not served.
 */
import type { Organization } from '@medplum/fhirtypes';
import { or } from '../../../store/sql';
import type { ResourceMapping, Row } from '../mapping';
import { stringCondition } from '../params';

function toOrganization(r: { id: string; name: string }): Organization {
  return { resourceType: 'Organization', id: r.id, active: true, name: r.name };
}

export const organizationMapping: ResourceMapping = {
  fhirType: 'Organization',
  authz: 'Organization',
  columns: 'm.id, m.name',
  // The system's own organization (root's) is not a hospital, and its id is not a FHIR id.
  where: "m.id <> '_root'",
  ownerSql: 'SELECT id AS org_id FROM organizations WHERE id = ?',
  sorts: { name: 'm.name' },
  params: {
    name: {
      type: 'string',
      documentation: 'A word of the name starts with the value (case-insensitive); `:exact`, `:contains`',
      modifiers: ['exact', 'contains'],
      condition: (values, modifier) => or(...values.map((v) => stringCondition('m.name', v, modifier))),
    },
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Array<{ id: string; name: string }>).map(toOrganization),
};
