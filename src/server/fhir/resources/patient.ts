/**
 * Patient ← patients. The MRN is the identifier (type MR, a system per organization: MRNs are unique
 * within one); the name is kept as the one text the product stores; a restricted patient carries R.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Patient as PatientRow } from '../../../domain/entities';
import { normaliseMrn } from '../../../domain/mrn';
import { and, or, type Sql } from '../../../store/sql';
import { securityMeta } from '../security';
import type { ResourceMapping, Row } from '../mapping';
import { bad, dateCondition, parseToken, stringCondition } from '../params';

export const MRN_SYSTEM_PREFIX = 'urn:clinic-workstation:mrn:';

/** `active`: the patient's stay is not closed (final discharge closes it). */
const STATUS_ACTIVE = (status: string): boolean => status !== 'final_discharged';

function toPatient(r: PatientRow): Patient {
  const meta = securityMeta(null, r.restricted);
  return {
    resourceType: 'Patient',
    id: r.id,
    ...(meta ? { meta } : {}),
    identifier: [
      {
        use: 'usual',
        type: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }],
        },
        system: `${MRN_SYSTEM_PREFIX}${r.org_id}`,
        value: r.mrn,
      },
    ],
    active: STATUS_ACTIVE(r.status),
    name: [{ text: r.name }],
    ...(r.birth_date ? { birthDate: r.birth_date } : {}),
    managingOrganization: { reference: `Organization/${r.org_id}` },
  };
}

/**
 * A word of the name starts with the value: looked up in the server's table of name-word prefixes
 * (migrations server-sqlite and server-postgres 0031, kept by triggers) so an index finds the candidates, then tested exactly
 * as before. A value with a space spans words and is only tested.
 */
function nameCondition(v: string, modifier: string | undefined): Sql {
  const exact = stringCondition('m.name', v, modifier);
  if (modifier !== undefined || v.includes(' ')) return exact;
  const prefix = Array.from(v.toLowerCase()).slice(0, NAME_PREFIX_LENGTH).join('');
  return and({ sql: 'm.id IN (SELECT patient_id FROM patient_name_prefixes WHERE prefix = ?)', params: [prefix] }, exact);
}

/** The longest prefix the name-prefix table holds (the migrations' 12). */
const NAME_PREFIX_LENGTH = 12;

export const patientMapping: ResourceMapping = {
  fhirType: 'Patient',
  authz: 'Patient',
  sorts: { name: 'm.name', birthdate: 'm.birth_date' },
  params: {
    identifier: {
      type: 'token',
      documentation: 'The MRN, as `MRN` or `urn:clinic-workstation:mrn:ORG|MRN` (compared as registration compares MRNs)',
      condition: (values) =>
        or(
          ...values.map((v) => {
            const { system, code } = parseToken('identifier', v);
            const mrn = normaliseMrn(code);
            if (!mrn.ok) throw bad(`The search parameter "identifier": ${mrn.problem}`);
            if (system === undefined) return { sql: 'UPPER(m.mrn) = ?', params: [mrn.value] };
            if (system === null || !system.startsWith(MRN_SYSTEM_PREFIX)) return { sql: '1=0', params: [] };
            return { sql: 'm.org_id = ? AND UPPER(m.mrn) = ?', params: [system.slice(MRN_SYSTEM_PREFIX.length), mrn.value] };
          }),
        ),
    },
    name: {
      type: 'string',
      documentation: 'A word of the name starts with the value (case-insensitive); `:exact`, `:contains`',
      modifiers: ['exact', 'contains'],
      condition: (values, modifier) => or(...values.map((v) => nameCondition(v, modifier))),
    },
    birthdate: {
      type: 'date',
      documentation: 'Birth date, with eq, ne, gt, lt, ge, le',
      condition: (values) => or(...values.map((v) => dateCondition('m.birth_date', 'birthdate', v))),
    },
    active: {
      type: 'token',
      documentation: '`true`: the stay is not closed by a final discharge',
      condition: (values) =>
        or(
          ...values.map((v) => {
            if (v !== 'true' && v !== 'false') throw bad('The search parameter "active" takes true or false.');
            return { sql: v === 'true' ? "m.status <> 'final_discharged'" : "m.status = 'final_discharged'", params: [] };
          }),
        ),
    },
  },
  toFhir: async (rows: Row[]) => (rows as unknown as PatientRow[]).map(toPatient),
};
