/**
 * Stamps every row the server writes with its organization's next version, in the writing
 * transaction. The increment locks the organization's counter row until commit, so versions are
 * assigned in commit order and a pull never skips a change that commits later with a smaller number.
 */
import type { Db } from '../../store/db';
import { TABLES, type TableName } from '../../store/tables';
import type { Change, ChangeObserver, RowValues } from '../../store/writer';
import { rowKey } from '../../sync/protocol';
import { partOf } from './partitions';
import { SYNC_RULES } from './rules';

/** The organization of a row the server writes, as its rules entry says (rules.ts, `org`). */
export async function orgOfRow(db: Db, table: TableName, row: RowValues): Promise<string> {
  const how = SYNC_RULES[table].org;
  if (how === 'id' || how === 'org_id') {
    if (row[how]) return String(row[how]);
  } else {
    const found = await db.get<{ org_id: string }>(how.sql, [row[how.from] ?? null]);
    if (found) return found.org_id;
  }
  throw new Error(`Cannot tell the organization of a ${table} row`);
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
