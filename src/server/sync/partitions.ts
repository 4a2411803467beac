/**
 * Partitions of the synced data (docs/sync.md), read from the rules (rules.ts). A patient's rows form
 * one partition (`p:<patient id>`): a workstation holds a patient's partition, or part of it, or
 * nothing of it, and a change to any of its rows re-evaluates only that partition. A care team's
 * members and specialties (`t:<team id>`) change what its patients' partitions show. Everything else
 * of the organization is reference data (`o`).
 */
import type { Db, SqlValue } from '../../store/db';
import { TABLES, TABLE_ORDER, type TableName } from '../../store/tables';
import { SYNC_RULES, type PatientRule, type ReferenceRule } from './rules';

export const ORG_PART = 'o';
export const patientPart = (id: string): string => `p:${id}`;
const teamPart = (id: string): string => `t:${id}`;
export const patientOfPart = (part: string): string => part.slice(2);
export const isPatientPart = (part: string): boolean => part.startsWith('p:');
export const teamOfPart = (part: string): string | null => (part.startsWith('t:') ? part.slice(2) : null);

/** The rules of a table whose rows live in patient partitions, or null. */
export function patientRule(table: TableName): PatientRule<TableName> | null {
  const rule = SYNC_RULES[table] as PatientRule<TableName> | ReferenceRule<TableName>;
  return typeof rule.partition === 'object' && 'patient' in rule.partition ? (rule as PatientRule<TableName>) : null;
}

export function referenceRule(table: TableName): ReferenceRule<TableName> | null {
  return patientRule(table) ? null : (SYNC_RULES[table] as ReferenceRule<TableName>);
}

/** Tables whose rows live in patient partitions (the patient first), in foreign-key order. */
export const PATIENT_TABLES: readonly TableName[] = TABLE_ORDER.filter((t) => patientRule(t) !== null);
/** Reference data of the organization, in foreign-key order. */
export const ORG_TABLES: readonly TableName[] = TABLE_ORDER.filter((t) => patientRule(t) === null);

/** The column that names the patient of a row in a patient partition. */
export function patientColumnOf(table: TableName): string {
  const rule = patientRule(table);
  if (!rule) throw new Error(`${table} rows do not belong to a patient`);
  return rule.partition.patient;
}

export function partOf(table: TableName, row: Record<string, SqlValue>): string {
  const partition = SYNC_RULES[table].partition;
  const column = typeof partition === 'object' ? ('patient' in partition ? partition.patient : partition.team) : null;
  const value = column === null ? null : row[column];
  if (value === null || value === undefined) return ORG_PART;
  return typeof partition === 'object' && 'patient' in partition ? patientPart(String(value)) : teamPart(String(value));
}

/** Patients whose partitions a change of a team's rows (`t:<team>`) changes: those in its care. */
export async function patientsOfTeam(db: Db, team: string): Promise<string[]> {
  return (await db.all<{ patient_id: string }>('SELECT patient_id FROM care_team_patients WHERE team_id = ?', [team])).map(
    (r) => r.patient_id,
  );
}

/** Tables whose changes mean `what` for a workstation's next cycle (rules.ts, `changeMeans`). */
export const tablesWhereChangeMeans = (what: 'users' | 'structure' | 'window'): TableName[] =>
  TABLE_ORDER.filter((t) => SYNC_RULES[t].changeMeans === what);

/** Foreign keys of a table to reference data, as [column, table] pairs (the page's closure follows them). */
export function referencesOf(table: TableName): Array<[column: string, table: TableName]> {
  return Object.entries(SYNC_RULES[table].references ?? {}) as Array<[string, TableName]>;
}

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
