/**
 * Location ← facilities, wards and rooms (one table of places, SPEC §2: Organization ⊃ Facility ⊃
 * Ward ⊃ Room). A place is read by whoever may read its organization (the policy's Organization `read`:
 * its own staff, root): the joined places are the decided organization's, in the same statement.
 */
import type { Location } from '@medplum/fhirtypes';
import { inList, or } from '../../../store/sql';
import type { ResourceMapping, Row } from '../mapping';
import { bad, stringCondition } from '../params';

const PHYSICAL = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

type Kind = 'facility' | 'ward' | 'room';
interface Place {
  id: string;
  kind: Kind;
  name: string;
  part_of: string | null;
  org_id: string;
}

/** Every place with its kind, its parent and its organization. */
export const PLACES = `(
  SELECT f.id, 'facility' AS kind, f.name, CAST(NULL AS TEXT) AS part_of, f.org_id FROM facilities f
  UNION ALL SELECT w.id, 'ward', w.name, w.facility_id, wf.org_id FROM wards w JOIN facilities wf ON wf.id = w.facility_id
  UNION ALL SELECT r.id, 'room', r.name, r.ward_id, rf.org_id FROM rooms r JOIN wards rw ON rw.id = r.ward_id JOIN facilities rf ON rf.id = rw.facility_id
)`;

const TYPE: Record<Kind, { code: string; display: string }> = {
  facility: { code: 'si', display: 'Site' },
  ward: { code: 'wa', display: 'Ward' },
  room: { code: 'ro', display: 'Room' },
};

function toLocation(r: Place): Location {
  return {
    resourceType: 'Location',
    id: r.id,
    status: 'active',
    name: r.name,
    mode: 'instance',
    physicalType: { coding: [{ system: PHYSICAL, ...TYPE[r.kind] }] },
    managingOrganization: { reference: `Organization/${r.org_id}` },
    ...(r.part_of ? { partOf: { reference: `Location/${r.part_of}` } } : {}),
  };
}

const KINDS: Record<string, Kind> = { si: 'facility', wa: 'ward', ro: 'room' };

export const locationMapping: ResourceMapping = {
  fhirType: 'Location',
  authz: 'Organization',
  key: 'l.id',
  auditType: 'Location',
  columns: 'l.*',
  joins: `JOIN ${PLACES} l ON l.org_id = m.id`,
  ownerSql: `SELECT l.org_id FROM ${PLACES} l WHERE l.id = ?`,
  sorts: { name: 'l.name' },
  params: {
    name: {
      type: 'string',
      documentation: 'A word of the name starts with the value (case-insensitive); `:exact`, `:contains`',
      modifiers: ['exact', 'contains'],
      condition: (values, modifier) => or(...values.map((v) => stringCondition('l.name', v, modifier))),
    },
    partof: {
      type: 'reference',
      documentation: 'The place it is part of (`Location/ID`): the wards of a facility, the rooms of a ward',
      condition: (values) =>
        inList(
          'l.part_of',
          values.map((v) => (v.startsWith('Location/') ? v.slice('Location/'.length) : v)),
        ),
    },
    type: {
      type: 'token',
      documentation: 'si (facility), wa (ward), ro (room) of location-physical-type',
      condition: (values) =>
        inList(
          'l.kind',
          values.map((v) => {
            const kind = KINDS[v.slice(v.indexOf('|') + 1)];
            if (!kind) throw bad(`The search parameter "type" takes si, wa or ro; "${v.slice(0, 80)}" is not one.`);
            return kind;
          }),
        ),
    },
  },
  toFhir: async (rows: Row[]) => (rows as unknown as Place[]).map(toLocation),
};
