/**
 * The device-state store in the server's database (`device_sync`, `device_rows`, `device_scan`;
 * migrations/server). The database is the only state a server process keeps, so any number of them
 * can serve the same workstations (docs/sync.md, "Scale-out").
 */
import type { Db } from '../../store/db';
import { placeholders, type Sql } from '../../store/sql';
import type { TableName } from '../../store/tables';
import type { PendingPage } from './cycle';
import type { DeviceStateStore, DeviceSyncState, HeldRow } from './deviceState';
import { addTo } from './grouped';

/** Rows per statement when recording an acknowledged page. */
const ACK_CHUNK = 200;
const HELD = 'SELECT table_name, row_key, mask, part FROM device_rows WHERE device_id = ?';

export class SqlDeviceState implements DeviceStateStore {
  constructor(private readonly db: Db) {}

  find(device: string): Promise<DeviceSyncState | undefined> {
    return this.db.get<DeviceSyncState>('SELECT * FROM device_sync WHERE device_id = ?', [device]);
  }

  async get(device: string): Promise<DeviceSyncState> {
    const found = await this.find(device);
    if (found) return found;
    await this.db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0) ON CONFLICT (device_id) DO NOTHING', [
      device,
    ]);
    return (await this.find(device))!;
  }

  async reset(device: string): Promise<void> {
    const { db } = this;
    await db.transaction(async () => {
      await db.run('DELETE FROM device_rows WHERE device_id = ?', [device]);
      await db.run('DELETE FROM device_scan WHERE device_id = ?', [device]);
      await db.run(
        `UPDATE device_sync SET acked_cursor = NULL, acked_version = 0, acked_state = NULL, pending_cursor = NULL,
        pending_page = NULL, users_key = NULL WHERE device_id = ?`,
        [device],
      );
    });
  }

  async storePending(device: string, ackedCursor: string | null, cursor: string, page: PendingPage): Promise<boolean> {
    const stored = await this.db.run(
      `UPDATE device_sync SET pending_cursor = ?, pending_page = ?, pending_version = ? WHERE device_id = ? AND acked_cursor ${ackedCursor === null ? 'IS NULL' : '= ?'}`,
      [cursor, JSON.stringify(page), page.version, device, ...(ackedCursor === null ? [] : [ackedCursor])],
    );
    return stored.changes === 1;
  }

  async acknowledge(device: string, page: PendingPage): Promise<void> {
    const { db } = this;
    // An empty page (most cycles of a workstation in the steady state) is one statement, no transaction.
    const alone = page.up.length === 0 && page.rm.length === 0 && !(page.next === null && page.scanned);
    const record = async (): Promise<void> => {
      for (let i = 0; i < page.up.length; i += ACK_CHUNK) {
        const chunk = page.up.slice(i, i + ACK_CHUNK);
        await db.run(
          `INSERT INTO device_rows (device_id, table_name, row_key, part, mask) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (device_id, table_name, row_key) DO UPDATE SET part = excluded.part, mask = excluded.mask`,
          chunk.flatMap(([t, k, p, m]) => [device, t, k, p, m]),
        );
      }
      const byTable = new Map<TableName, string[]>();
      for (const [t, k] of page.rm) addTo(byTable, t, k);
      for (const [table, keys] of byTable) {
        for (let i = 0; i < keys.length; i += ACK_CHUNK) {
          const chunk = keys.slice(i, i + ACK_CHUNK);
          await db.run(`DELETE FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(chunk)})`, [
            device,
            table,
            ...chunk,
          ]);
        }
      }
      if (page.next === null && page.scanned) await db.run('DELETE FROM device_scan WHERE device_id = ?', [device]);
      const m = page.marks;
      await db.run(
        `UPDATE device_sync SET acked_cursor = pending_cursor, acked_version = ?, acked_state = ?, pending_cursor = NULL, pending_page = NULL
       ${m ? ', users_key = ?, policy_key = ?, next_boundary = ?, evaluated_at = ?, full_at = ?' : ''} WHERE device_id = ?`,
        [
          page.version,
          page.next ? JSON.stringify(page.next) : null,
          ...(m ? [m.users_key, m.policy_key, m.next_boundary, m.evaluated_at, m.full_at] : []),
          device,
        ],
      );
    };
    await (alone ? record() : db.transaction(record));
  }

  heldInParts(device: string, parts: readonly string[]): Promise<HeldRow[]> {
    return this.db.all<HeldRow>(`${HELD} AND part IN (${placeholders(parts)})`, [device, ...parts]);
  }

  heldByKeys(device: string, table: TableName, keys: readonly string[]): Promise<HeldRow[]> {
    return this.db.all<HeldRow>(`${HELD} AND table_name = ? AND row_key IN (${placeholders(keys)})`, [device, table, ...keys]);
  }

  heldInRange(device: string, table: TableName, after: string | null, last: string | null): Promise<HeldRow[]> {
    return this.db.all<HeldRow>(
      `${HELD} AND table_name = ?${after !== null ? ' AND row_key > ?' : ''}${last !== null ? ' AND row_key <= ?' : ''}`,
      [device, table, ...(after !== null ? [after] : []), ...(last !== null ? [last] : [])],
    );
  }

  async heldParts(device: string, parts: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.all<{ part: string }>(
      `SELECT DISTINCT part FROM device_rows WHERE device_id = ? AND part IN (${placeholders(parts)})`,
      [device, ...parts],
    );
    return new Set(rows.map((r) => r.part));
  }

  async holdsAnyOf(device: string, parts: readonly string[]): Promise<boolean> {
    return (
      (await this.db.get(`SELECT 1 FROM device_rows WHERE device_id = ? AND part IN (${placeholders(parts)}) LIMIT 1`, [
        device,
        ...parts,
      ])) !== undefined
    );
  }

  async heldPatientParts(device: string): Promise<string[]> {
    const rows = await this.db.all<{ part: string }>(
      "SELECT DISTINCT part FROM device_rows WHERE device_id = ? AND part LIKE 'p:%'",
      [device],
    );
    return rows.map((r) => r.part);
  }

  heldRows(device: string, table: TableName, column: string, lacking?: number): Sql {
    // `lacking` is a bit from the sync rules (an integer constant), written into the text.
    const bit = lacking ? ` AND (mask & ${Math.trunc(lacking)}) = 0` : '';
    return {
      sql: `${column} IN (SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = ?${bit})`,
      params: [device, table],
    };
  }

  heldPatients(device: string, column: string): Sql {
    return {
      sql: `${column} IN (SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = 'patients')`,
      params: [device],
    };
  }

  async writeScan(device: string, parts: Iterable<string>): Promise<number> {
    const { db } = this;
    const list = [...new Set(parts)];
    await db.run('DELETE FROM device_scan WHERE device_id = ?', [device]);
    for (let i = 0; i < list.length; i += 400) {
      const chunk = list.slice(i, i + 400);
      await db.run(
        `INSERT INTO device_scan (device_id, part) VALUES ${chunk.map(() => '(?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
        chunk.flatMap((p) => [device, p]),
      );
    }
    return list.length;
  }

  async scanPage(device: string, after: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ part: string }>(
      `SELECT part FROM device_scan WHERE device_id = ?${after !== null ? ' AND part > ?' : ''} ORDER BY part LIMIT ?`,
      [device, ...(after !== null ? [after] : []), limit],
    );
    return rows.map((r) => r.part);
  }

  async scanned(device: string, parts: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < parts.length; i += 400) {
      const chunk = parts.slice(i, i + 400);
      for (const r of await this.db.all<{ part: string }>(
        `SELECT part FROM device_scan WHERE device_id = ? AND part IN (${placeholders(chunk)})`,
        [device, ...chunk],
      ))
        out.add(r.part);
    }
    return out;
  }
}
