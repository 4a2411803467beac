/**
 * Applying what the server sends, and undoing what it refused. Each pulled page and its cursor
 * commit in one transaction (a crash leaves either the old state and cursor, or the new ones).
 */
import { ROOT_ORG_ID } from '../domain/roles';
import type { Db, SqlValue } from '../store/db';
import { TABLE_ORDER, TABLES, type TableName } from '../store/tables';
import { deleteRow, upsertRow, type Change, type RowValues } from '../store/writer';
import type { PullResponse } from './protocol';

export const CURSOR_KEY = 'sync.cursor';
/** A page received and not applied yet, kept by a pipelined pull (keptPage.ts). */
export const KEPT_PAGE_KEY = 'sync.kept_page';
/** This workstation's id once enrolled (the sync engine writes it). */
export const DEVICE_ID_KEY = 'sync.device_id';

export async function getSetting(db: Db, key: string): Promise<string | null> {
  return (await db.get<{ value: string }>('SELECT value FROM local_settings WHERE key = ?', [key]))?.value ?? null;
}

export async function setSetting(db: Db, key: string, value: string | null): Promise<void> {
  if (value === null) await db.run('DELETE FROM local_settings WHERE key = ?', [key]);
  else
    await db.run('INSERT INTO local_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
}

/** Cached domain data, children first (what a reset replaces; outbox and audit stay). */
const WIPE_ORDER: readonly TableName[] = [...TABLE_ORDER].reverse();

/**
 * A reset pull arrives in many pages, and between two of them the workstation is in use: emptying it
 * with the first page left the signed-in user without her own account and roles for the rest of the
 * reset ("Your sign-in is no longer valid", an administrator told she may not manage workstations).
 * So a reset replaces the data only when its last page arrives: the rows held before it are listed
 * (`sync_reset_rows`), each crossed off when the server sends it again, and the rest removed at the end.
 */
const keyOf = (table: TableName): string => `json_array(${TABLES[table].pk.join(', ')})`;

async function beginReset(db: Db): Promise<void> {
  await db.run('DELETE FROM sync_reset_rows');
  for (const t of TABLE_ORDER) {
    await db.run(`INSERT INTO sync_reset_rows (table_name, row_key) SELECT ?, ${keyOf(t)} FROM ${t}`, [t]);
    await nextTurn();
  }
}

async function crossOff(db: Db, table: TableName, row: RowValues): Promise<void> {
  const { pk } = TABLES[table];
  await db.run(
    `DELETE FROM sync_reset_rows WHERE table_name = ? AND row_key = (SELECT ${keyOf(table)} FROM ${table} WHERE ${pk.map((k) => `${k} = ?`).join(' AND ')})`,
    [table, ...pk.map((k) => row[k] ?? null)],
  );
}

/** The reset is complete: what the server did not send again is no longer the workstation's. */
async function finishReset(db: Db): Promise<number> {
  let removed = 0;
  for (const t of WIPE_ORDER) {
    removed += (
      await db.run(`DELETE FROM ${t} WHERE ${keyOf(t)} IN (SELECT row_key FROM sync_reset_rows WHERE table_name = ?)`, [t])
    ).changes;
    await nextTurn();
  }
  await db.run('DELETE FROM sync_reset_rows');
  return removed;
}

/** Statements between two yields to the event loop while a page is applied. */
const SLICE = 150;
/** Lets the event loop run (input, IPC, timers) before going on: between slices of a page checked, kept or applied. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Applies one pulled page in one transaction, in slices: between slices the main process's event
 * loop runs (input, IPC, timers), so a large page never freezes the workstation. Other database work
 * waits for the transaction as before.
 */
export async function applyPage(db: Db, page: PullResponse): Promise<{ upserts: number; removals: number }> {
  return db.transaction(
    async () => {
      if (db.dialect === 'sqlite') await db.exec('PRAGMA defer_foreign_keys = ON');
      if (page.reset) await beginReset(db);
      // Rows held from before a reset still under way (none after a fresh enrollment: nothing to cross off).
      const resetting = (await db.get('SELECT 1 FROM sync_reset_rows LIMIT 1')) !== undefined;
      let removals = 0;
      let n = 0;
      const slice = async (): Promise<void> => {
        if (++n % SLICE === 0) await nextTurn();
      };
      const byOrder = (a: { table: TableName }, b: { table: TableName }) =>
        TABLE_ORDER.indexOf(a.table) - TABLE_ORDER.indexOf(b.table);
      for (const r of [...page.removals].sort(byOrder).reverse()) {
        removals += await removeWithDependents(db, r.table, r.key);
        await slice();
      }
      for (const u of [...page.upserts].sort(byOrder)) {
        await upsertRow(db, u.table, u.row);
        if (resetting) await crossOff(db, u.table, u.row);
        await slice();
      }
      if (resetting && page.complete) removals += await finishReset(db);
      // A `_root` account's credentials are never kept on a clinical workstation (an older version
      // cached them): they are decided online only.
      await db.run('DELETE FROM credentials WHERE user_id IN (SELECT id FROM users WHERE org_id = ?)', [ROOT_ORG_ID]);
      await setSetting(db, CURSOR_KEY, page.cursor);
      // Applied: no longer kept for a pipelined pull (keptPage.ts).
      await setSetting(db, KEPT_PAGE_KEY, null);
      return { upserts: page.upserts.length, removals };
      // A page lost to a power cut is pulled again (its cursor is lost with it, atomically): no fsync.
    },
    { relaxed: true },
  );
}

/** Rows that hang off a removed patient, appointment, order or allergy go with it (they left scope with it). */
async function removeWithDependents(db: Db, table: TableName, key: Record<string, SqlValue>): Promise<number> {
  if (table === 'patients') {
    for (const t of [
      'medication_administrations',
      'medication_orders',
      'allergy_status_changes',
      'allergies',
      'handover_notes',
      'break_glass',
      'alerts',
      'observations',
      'records',
      'appointments',
      'care_team_patients',
    ]) {
      await db.run(`DELETE FROM ${t} WHERE patient_id = ?`, [key.id ?? null]);
    }
    await db.run('UPDATE users SET patient_id = NULL WHERE patient_id = ?', [key.id ?? null]);
  }
  if (table === 'medication_orders') await db.run('DELETE FROM medication_administrations WHERE order_id = ?', [key.id ?? null]);
  if (table === 'allergies') await db.run('DELETE FROM allergy_status_changes WHERE allergy_id = ?', [key.id ?? null]);
  if (table === 'appointments') {
    await db.run('DELETE FROM records WHERE appointment_id = ?', [key.id ?? null]);
    await db.run('UPDATE observations SET appointment_id = NULL WHERE appointment_id = ?', [key.id ?? null]);
  }
  return deleteRow(db, table, key);
}

/**
 * Reverts one local mutation from its before-images (newest change first), but only where the row
 * still holds what the mutation wrote: a newer value pulled from the server meanwhile is the truth
 * and is never overwritten with an older one.
 */
export async function revertChanges(db: Db, changes: Change[]): Promise<void> {
  if (db.dialect === 'sqlite') await db.exec('PRAGMA defer_foreign_keys = ON');
  for (const c of [...changes].reverse()) {
    const current = await currentRow(db, c.table, c.key);
    if (c.after === null) {
      if (!current && c.before) await upsertRow(db, c.table, c.before);
    } else if (current && sameRow(c.table, current, c.after)) {
      if (c.before === null) await removeWithDependents(db, c.table, c.key);
      else await upsertRow(db, c.table, c.before);
    }
  }
}

async function currentRow(db: Db, table: TableName, key: RowValues): Promise<RowValues | undefined> {
  const { pk } = TABLES[table];
  return db.get<RowValues>(
    `SELECT * FROM ${table} WHERE ${pk.map((k) => `${k} = ?`).join(' AND ')}`,
    pk.map((k) => key[k] ?? null),
  );
}

const norm = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function sameRow(table: TableName, a: RowValues, b: RowValues): boolean {
  return TABLES[table].columns.every((c) => norm(a[c]) === norm(b[c]));
}

/**
 * Consent restrictions the server's sign-in answer names for the user (protocol.ts, `restrictions`):
 * stored before the sign-in completes, for patients held here. The next cycle sends them as the
 * sync rules say.
 */
export async function applySignInRestrictions(db: Db, rows: ReadonlyArray<Record<string, SqlValue>>): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction(async () => {
    for (const r of rows)
      if (await db.get('SELECT 1 FROM patients WHERE id = ?', [r.patient_id ?? null]))
        await upsertRow(db, 'consent_restrictions', r);
  });
}
