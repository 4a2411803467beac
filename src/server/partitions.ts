/**
 * Partitions of the synced data (docs/sync.md, protocol 2). A patient's rows form one partition
 * (`p:<patient id>`): a workstation holds a patient's partition, or part of it, or nothing of it, and
 * a change to any of its rows re-evaluates only that partition. A care team's members and specialties
 * (`t:<team id>`) change what its patients' partitions show. Everything else of the organization is
 * reference data (`o`).
 */
import type { SqlValue } from '../store/db';
import { TABLES, TABLE_ORDER, type TableName } from '../store/tables';

export const ORG_PART = 'o';
export const patientPart = (id: string): string => `p:${id}`;
export const teamPart = (id: string): string => `t:${id}`;
export const patientOfPart = (part: string): string => part.slice(2);

/** The column that names the patient of a row in a patient partition. */
const PATIENT_COLUMN: Partial<Record<TableName, string>> = {
  patients: 'id',
  appointments: 'patient_id',
  records: 'patient_id',
  observations: 'patient_id',
  alerts: 'patient_id',
  break_glass: 'patient_id',
  care_team_patients: 'patient_id',
  consent_restrictions: 'patient_id',
  // SPEC §3b: every row carries its patient (a dose its order's), so it lives in the patient's partition.
  allergies: 'patient_id',
  allergy_status_changes: 'patient_id',
  handover_notes: 'patient_id',
  medication_orders: 'patient_id',
  medication_administrations: 'patient_id',
};
const TEAM_COLUMN: Partial<Record<TableName, string>> = { care_team_members: 'team_id', care_team_specialties: 'team_id' };

/** Tables whose rows live in patient partitions (the patient first), in foreign-key order. */
export const PATIENT_TABLES: readonly TableName[] = TABLE_ORDER.filter((t) => t in PATIENT_COLUMN || patientColumnOf(t) !== null);
/** Reference data of the organization, in foreign-key order. */
export const ORG_TABLES: readonly TableName[] = TABLE_ORDER.filter((t) => !PATIENT_TABLES.includes(t));

export function patientColumnOf(table: TableName): string | null {
  if (PATIENT_COLUMN[table]) return PATIENT_COLUMN[table]!;
  // A table added later with a `patient_id` column belongs to its patient's partition.
  return (TABLES[table].columns as readonly string[]).includes('patient_id') && table !== 'users' ? 'patient_id' : null;
}

export function partOf(table: TableName, row: Record<string, SqlValue>): string {
  const p = patientColumnOf(table);
  if (p && row[p] !== null && row[p] !== undefined) return patientPart(String(row[p]));
  const t = TEAM_COLUMN[table];
  if (t && row[t] !== null && row[t] !== undefined) return teamPart(String(row[t]));
  return ORG_PART;
}

/**
 * Foreign keys from synced rows to reference data: a page that brings a row also brings what it
 * points to when the workstation does not hold it yet (a clinician created a moment ago).
 */
export const REFERENCES: Partial<Record<TableName, Array<[column: string, table: TableName]>>> = {
  patients: [
    ['room_id', 'rooms'],
    ['org_id', 'organizations'],
    ...((TABLES.patients.columns as readonly string[]).includes('facility_id')
      ? [['facility_id', 'facilities'] as [string, TableName]]
      : []),
  ],
  appointments: [['clinician_id', 'users']],
  records: [['author_id', 'users']],
  observations: [['recorded_by', 'users']],
  alerts: [['acknowledged_by', 'users']],
  break_glass: [['user_id', 'users']],
  care_team_patients: [['team_id', 'care_teams']],
  consent_restrictions: [
    ['user_id', 'users'],
    ['recorded_by', 'users'],
  ],
  allergies: [
    ['recorded_by', 'users'],
    ['status_changed_by', 'users'],
  ],
  allergy_status_changes: [['changed_by', 'users']],
  handover_notes: [['author_id', 'users']],
  medication_orders: [
    ['prescriber_id', 'users'],
    ['stopped_by', 'users'],
  ],
  medication_administrations: [
    ['administered_by', 'users'],
    ['witness_id', 'users'],
  ],
  rooms: [['ward_id', 'wards']],
  wards: [['facility_id', 'facilities']],
  facilities: [['org_id', 'organizations']],
  users: [['org_id', 'organizations']],
  care_teams: [['org_id', 'organizations']],
  groups: [['org_id', 'organizations']],
};

/** The text key as SQL over alias `m`. */
export function keySql(table: TableName, dialect: 'sqlite' | 'postgres', alias = 'm'): string {
  const pk = TABLES[table].pk;
  if (pk.length === 1) return `${alias}.${pk[0]}`;
  const sep = dialect === 'postgres' ? 'chr(31)' : 'char(31)';
  return pk.map((c) => `${alias}.${c}`).join(` || ${sep} || `);
}

/** A text key back into its primary-key columns. */
export function keyColumns(table: TableName, key: string): Record<string, string | null> {
  const values = key.split('\u001f');
  return Object.fromEntries(TABLES[table].pk.map((c, i) => [c, values[i] ?? null]));
}
