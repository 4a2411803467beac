/**
 * Stamps every row the server writes with its organization's next version, in the writing
 * transaction. The increment locks the organization's counter row until commit, so versions are
 * assigned in commit order and a pull never skips a change that commits later with a smaller number.
 */
import type { Db } from '../store/db';
import { TABLES, type TableName } from '../store/tables';
import type { Change, ChangeObserver, RowValues } from '../store/writer';
import { rowKey } from '../sync/protocol';
import { partOf } from './partitions';

const ORG_OF: Partial<Record<TableName, string>> = {
  wards: 'SELECT org_id FROM facilities WHERE id = ?',
  rooms: 'SELECT f.org_id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE w.id = ?',
  group_members: 'SELECT org_id FROM groups WHERE id = ?',
  care_team_specialties: 'SELECT org_id FROM care_teams WHERE id = ?',
  care_team_patients: 'SELECT org_id FROM care_teams WHERE id = ?',
  care_team_members: 'SELECT org_id FROM care_teams WHERE id = ?',
  appointments: 'SELECT org_id FROM patients WHERE id = ?',
  records: 'SELECT org_id FROM patients WHERE id = ?',
  observations: 'SELECT org_id FROM patients WHERE id = ?',
  alerts: 'SELECT org_id FROM patients WHERE id = ?',
  break_glass: 'SELECT org_id FROM patients WHERE id = ?',
  allergies: 'SELECT org_id FROM patients WHERE id = ?',
  allergy_status_changes: 'SELECT org_id FROM patients WHERE id = ?',
  handover_notes: 'SELECT org_id FROM patients WHERE id = ?',
  medication_orders: 'SELECT org_id FROM patients WHERE id = ?',
  medication_administrations: 'SELECT org_id FROM patients WHERE id = ?',
  credentials: 'SELECT org_id FROM users WHERE id = ?',
};
const PARENT_COLUMN: Partial<Record<TableName, string>> = {
  wards: 'facility_id',
  rooms: 'ward_id',
  group_members: 'group_id',
  care_team_specialties: 'team_id',
  care_team_patients: 'team_id',
  care_team_members: 'team_id',
  appointments: 'patient_id',
  records: 'patient_id',
  observations: 'patient_id',
  alerts: 'patient_id',
  break_glass: 'patient_id',
  allergies: 'patient_id',
  allergy_status_changes: 'patient_id',
  handover_notes: 'patient_id',
  medication_orders: 'patient_id',
  medication_administrations: 'patient_id',
  credentials: 'user_id',
};

export async function orgOfRow(db: Db, table: TableName, row: RowValues): Promise<string> {
  if (table === 'organizations') return String(row.id);
  if ('org_id' in row && row.org_id) return String(row.org_id);
  const sql = ORG_OF[table];
  const parent = PARENT_COLUMN[table];
  const found = sql && parent ? await db.get<{ org_id: string }>(sql, [row[parent] ?? null]) : undefined;
  if (!found) throw new Error(`Cannot tell the organization of a ${table} row`);
  return found.org_id;
}

export async function nextVersion(db: Db, orgId: string): Promise<number> {
  const r = await db.get<{ version: number | string }>(
    `INSERT INTO org_versions (org_id, version) VALUES (?, 1)
     ON CONFLICT (org_id) DO UPDATE SET version = org_versions.version + 1 RETURNING version`,
    [orgId],
  );
  return Number(r!.version);
}

export async function currentVersion(db: Db, orgId: string): Promise<number> {
  return Number((await db.get<{ version: number }>('SELECT version FROM org_versions WHERE org_id = ?', [orgId]))?.version ?? 0);
}

export function versionStamper(db: Db): ChangeObserver {
  return async (change: Change) => {
    const row = change.after ?? change.before!;
    const org = await orgOfRow(db, change.table, row);
    const version = await nextVersion(db, org);
    const key = rowKey(TABLES[change.table].pk, row);
    // Rows never move between partitions (a patient's rows keep their patient, a team's members
    // their team). A deletion leaves a tombstone so workstations holding the row drop it.
    await db.run(
      `INSERT INTO row_versions (table_name, row_key, org_id, version, part, deleted) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (table_name, row_key) DO UPDATE SET version = excluded.version, org_id = excluded.org_id,
         part = excluded.part, deleted = excluded.deleted`,
      [change.table, key, org, version, partOf(change.table, row), change.after ? 0 : 1],
    );
  };
}
