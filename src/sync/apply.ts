/**
 * Applying what the server sends, and undoing what it refused. Each pulled page and its cursor
 * commit in one transaction (a crash leaves either the old state and cursor, or the new ones).
 */
import type { Db, SqlValue } from '../store/db';
import { TABLE_ORDER, type TableName } from '../store/tables';
import { deleteRow, upsertRow, type Change } from '../store/writer';
import type { PullResponse } from './protocol';

export const CURSOR_KEY = 'sync.cursor';

export async function getSetting(db: Db, key: string): Promise<string | null> {
  return (await db.get<{ value: string }>('SELECT value FROM local_settings WHERE key = ?', [key]))?.value ?? null;
}

export async function setSetting(db: Db, key: string, value: string | null): Promise<void> {
  if (value === null) await db.run('DELETE FROM local_settings WHERE key = ?', [key]);
  else await db.run('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

/** Cached domain data, children first (what a reset wipes; outbox and audit stay). */
const WIPE_ORDER: readonly TableName[] = [...TABLE_ORDER].reverse();

export async function applyPage(db: Db, page: PullResponse): Promise<{ upserts: number; removals: number }> {
  return db.transaction(async () => {
    if (db.dialect === 'sqlite') await db.exec('PRAGMA defer_foreign_keys = ON');
    if (page.reset) for (const t of WIPE_ORDER) await db.run(`DELETE FROM ${t}`);
    let removals = 0;
    const byOrder = (a: { table: TableName }, b: { table: TableName }) => TABLE_ORDER.indexOf(a.table) - TABLE_ORDER.indexOf(b.table);
    for (const r of [...page.removals].sort(byOrder).reverse()) removals += await removeWithDependents(db, r.table, r.key);
    for (const u of [...page.upserts].sort(byOrder)) await upsertRow(db, u.table, u.row);
    await setSetting(db, CURSOR_KEY, page.cursor);
    return { upserts: page.upserts.length, removals };
  });
}

/** Rows that hang off a removed patient or appointment go with it (they left scope with it). */
async function removeWithDependents(db: Db, table: TableName, key: Record<string, SqlValue>): Promise<number> {
  if (table === 'patients') {
    for (const t of ['break_glass', 'alerts', 'observations', 'records', 'appointments', 'care_team_patients']) {
      await db.run(`DELETE FROM ${t} WHERE patient_id = ?`, [key.id ?? null]);
    }
    await db.run('UPDATE users SET patient_id = NULL WHERE patient_id = ?', [key.id ?? null]);
  }
  if (table === 'appointments') {
    await db.run('DELETE FROM records WHERE appointment_id = ?', [key.id ?? null]);
    await db.run('UPDATE observations SET appointment_id = NULL WHERE appointment_id = ?', [key.id ?? null]);
  }
  return deleteRow(db, table, key);
}

/** Reverts one local mutation from its before-images (newest change first). */
export async function revertChanges(db: Db, changes: Change[]): Promise<void> {
  if (db.dialect === 'sqlite') await db.exec('PRAGMA defer_foreign_keys = ON');
  for (const c of [...changes].reverse()) {
    if (c.before === null) await removeWithDependents(db, c.table, c.key);
    else await upsertRow(db, c.table, c.before);
  }
}
