/**
 * PractitionerRole ← role_assignments of a user (SPEC §3: a role held at the organization, a facility,
 * a ward or a room, for a period). Read by whoever may read the user (the policy's User `read`: self,
 * staff of the organization, root), in the same statement. Clearances are not told: they say what
 * protected data a person may see, which is for this server to enforce, not for other systems to learn.
 */
import type { PractitionerRole } from '@medplum/fhirtypes';
import type { RoleAssignment } from '../../../domain/entities';
import { inList } from '../../../store/sql';
import type { MapContext, ResourceMapping, Row } from '../mapping';

export const ROLE_SYSTEM = 'urn:clinic-workstation:role';
const PLACE_SCOPES = new Set(['Facility', 'Ward', 'Room']);

function toRole(r: RoleAssignment, now: string): PractitionerRole {
  const started = !r.valid_from || r.valid_from <= now;
  const ended = !!r.valid_until && r.valid_until <= now;
  return {
    resourceType: 'PractitionerRole',
    id: r.id,
    active: started && !ended,
    ...(r.valid_from || r.valid_until
      ? { period: { ...(r.valid_from ? { start: r.valid_from } : {}), ...(r.valid_until ? { end: r.valid_until } : {}) } }
      : {}),
    practitioner: { reference: `Practitioner/${r.user_id}` },
    organization: { reference: `Organization/${r.org_id}` },
    code: [{ coding: [{ system: ROLE_SYSTEM, code: r.role }], text: r.role }],
    ...(PLACE_SCOPES.has(r.scope_type) ? { location: [{ reference: `Location/${r.scope_id}` }] } : {}),
  };
}

const ref = (prefix: string, v: string): string => (v.startsWith(`${prefix}/`) ? v.slice(prefix.length + 1) : v);

export const practitionerRoleMapping: ResourceMapping = {
  fhirType: 'PractitionerRole',
  authz: 'User',
  key: 'ra.id',
  auditType: 'RoleAssignment',
  columns: 'ra.*',
  joins: 'JOIN role_assignments ra ON ra.user_id = m.id',
  where: 'm.patient_id IS NULL',
  ownerSql: 'SELECT org_id FROM role_assignments WHERE id = ?',
  params: {
    practitioner: {
      type: 'reference',
      documentation: 'The user (`Practitioner/ID`)',
      condition: (values) =>
        inList(
          'ra.user_id',
          values.map((v) => ref('Practitioner', v)),
        ),
    },
    role: {
      type: 'token',
      documentation: `The role (${ROLE_SYSTEM}): admin, physician, nurse, registration_clerk, lab_technician, auditor`,
      condition: (values) =>
        inList(
          'ra.role',
          values.map((v) => v.slice(v.indexOf('|') + 1)),
        ),
    },
    location: {
      type: 'reference',
      documentation: 'The facility, ward or room the role is held at (`Location/ID`)',
      condition: (values) =>
        inList(
          'ra.scope_id',
          values.map((v) => ref('Location', v)),
        ),
    },
  },
  toFhir: async (rows: Row[], ctx: MapContext) => (rows as unknown as RoleAssignment[]).map((r) => toRole(r, ctx.actor.now)),
};
