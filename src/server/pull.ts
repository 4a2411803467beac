/**
 * Pull: pages of what changed for a workstation since its cursor, plus removals of rows that left
 * its scope. Stop-and-wait: a page is recorded as held only when the workstation asks for the next
 * one with the page's cursor; asking again with the previous cursor re-sends the same page, so a
 * lost response or a crash while applying loses nothing and duplicates nothing.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../domain/errors';
import type { SqlValue } from '../store/db';
import { TABLES, type TableName } from '../store/tables';
import type { PullRequest, PullResponse } from '../sync/protocol';
import type { Device } from './auth';
import type { Server } from './context';
import { deviceScope, keyExpr, SYNC_TABLES, type DeviceScope } from './scope';
import { currentVersion } from './versions';

interface PendingPage { upserts: Array<[TableName, string]>; removals: Array<[TableName, string]>; version: number; complete: boolean }

interface SyncState { acked_cursor: string | null; acked_version: number; pending_cursor: string | null; pending_page: string | null }

const newCursor = (): string => randomBytes(12).toString('base64url');

export async function pull(server: Server, device: Device, req: z.output<typeof PullRequest>): Promise<PullResponse> {
  const { db } = server;
  return db.transaction(async () => {
    let state = await db.get<SyncState>('SELECT * FROM device_sync WHERE device_id = ?', [device.id]);
    if (!state) {
      await db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0)', [device.id]);
      state = { acked_cursor: null, acked_version: 0, pending_cursor: null, pending_page: null };
    }
    let reset = false;
    if (req.cursor === null) {
      // First contact, or the workstation lost its data: start over from nothing.
      await db.run('DELETE FROM device_rows WHERE device_id = ?', [device.id]);
      state = { acked_cursor: null, acked_version: 0, pending_cursor: null, pending_page: null };
      reset = true;
    } else if (req.cursor === state.pending_cursor && state.pending_page) {
      await acknowledge(server, device, JSON.parse(state.pending_page) as PendingPage);
      state = { acked_cursor: state.pending_cursor, acked_version: (JSON.parse(state.pending_page) as PendingPage).version, pending_cursor: null, pending_page: null };
    } else if (req.cursor === state.acked_cursor && state.pending_page && state.pending_cursor) {
      // The previous response was lost: send the very same page again.
      const page = JSON.parse(state.pending_page) as PendingPage;
      return { ...(await materialize(server, device, page)), cursor: state.pending_cursor, complete: page.complete, reset: false, server_time: server.now() };
    } else if (req.cursor !== state.acked_cursor) {
      throw new AppError('conflict', 'This workstation\'s sync position is unknown to the server; it must start over (cursor reset).');
    }
    const page = await buildPage(server, device, Number(state.acked_version), req.limit);
    const cursor = newCursor();
    await db.run('UPDATE device_sync SET acked_cursor = ?, acked_version = ?, pending_cursor = ?, pending_page = ?, pending_version = ? WHERE device_id = ?',
      [state.acked_cursor, state.acked_version, cursor, JSON.stringify(page), page.version, device.id]);
    return { ...(await materialize(server, device, page)), cursor, complete: page.complete, reset, server_time: server.now() };
  });
}

async function acknowledge(server: Server, device: Device, page: PendingPage): Promise<void> {
  for (const [table, key] of page.upserts) {
    await server.db.run('INSERT INTO device_rows (device_id, table_name, row_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [device.id, table, key]);
  }
  for (const [table, key] of page.removals) {
    await server.db.run('DELETE FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key = ?', [device.id, table, key]);
  }
}

async function buildPage(server: Server, device: Device, ackedVersion: number, limit: number): Promise<PendingPage> {
  const { db } = server;
  const scope = await deviceScope(server, device);
  const page: PendingPage = { upserts: [], removals: [], version: ackedVersion, complete: true };
  let budget = limit;

  // Removals, children before parents.
  for (const table of [...SYNC_TABLES].reverse()) {
    if (budget <= 0) break;
    const w = scope.where[table];
    const rows = await db.all<{ row_key: string }>(
      `SELECT d.row_key FROM device_rows d WHERE d.device_id = ? AND d.table_name = ?
       AND NOT EXISTS (SELECT 1 FROM ${table} m WHERE ${keyExpr(table, db.dialect)} = d.row_key AND (${w.sql}))
       ORDER BY d.row_key LIMIT ?`, [device.id, table, ...w.params, budget + 1]);
    page.removals.push(...rows.slice(0, budget).map((r): [TableName, string] => [table, r.row_key]));
    if (rows.length > budget) { page.complete = false; return page; }
    budget -= rows.length;
  }
  // Additions (rows the workstation does not hold yet), parents before children.
  for (const table of SYNC_TABLES) {
    if (budget <= 0) { page.complete = false; return page; }
    const w = scope.where[table];
    const key = keyExpr(table, db.dialect);
    const rows = await db.all<{ k: string }>(
      `SELECT ${key} AS k FROM ${table} m WHERE (${w.sql})
       AND NOT EXISTS (SELECT 1 FROM device_rows d WHERE d.device_id = ? AND d.table_name = ? AND d.row_key = ${key})
       ORDER BY 1 LIMIT ?`, [...w.params, device.id, table, budget + 1]);
    page.upserts.push(...rows.slice(0, budget).map((r): [TableName, string] => [table, r.k]));
    if (rows.length > budget) { page.complete = false; return page; }
    budget -= rows.length;
  }
  // Changes to rows it holds, in version (commit) order, up to the version current now.
  const upTo = await currentVersion(db, device.org_id);
  const candidates = await db.all<{ table_name: TableName; row_key: string; version: number }>(
    'SELECT table_name, row_key, version FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? ORDER BY version LIMIT ?',
    [device.org_id, ackedVersion, upTo, budget + 1]);
  const take = candidates.slice(0, budget);
  const byTable = new Map<TableName, string[]>();
  for (const c of take) if ((SYNC_TABLES as readonly string[]).includes(c.table_name)) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.row_key]);
  const added = new Set(page.upserts.map(([t, k]) => `${t}\u0000${k}`));
  for (const table of SYNC_TABLES) {
    const keys = byTable.get(table);
    if (!keys) continue;
    const held = await heldAndVisible(server, device, scope, table, keys);
    for (const k of held) if (!added.has(`${table}\u0000${k}`)) page.upserts.push([table, k]);
  }
  page.version = candidates.length > budget ? Number(take.at(-1)?.version ?? ackedVersion) : Math.max(upTo, ackedVersion);
  page.complete = candidates.length <= budget;
  return page;
}

/** Of `keys`, those the workstation holds and may still hold. */
async function heldAndVisible(server: Server, device: Device, scope: DeviceScope, table: TableName, keys: string[]): Promise<string[]> {
  const { db } = server;
  const key = keyExpr(table, db.dialect);
  const out: string[] = [];
  for (let i = 0; i < keys.length; i += 400) {
    const chunk = keys.slice(i, i + 400);
    const w = scope.where[table];
    const rows = await db.all<{ k: string }>(
      `SELECT ${key} AS k FROM ${table} m WHERE ${key} IN (${chunk.map(() => '?').join(', ')}) AND (${w.sql})
       AND EXISTS (SELECT 1 FROM device_rows d WHERE d.device_id = ? AND d.table_name = ? AND d.row_key = ${key})`,
      [...chunk, ...w.params, device.id, table]);
    out.push(...rows.map((r) => r.k));
  }
  return out;
}

/** The rows of a page as they are now (a re-sent page carries the latest values). */
async function materialize(server: Server, device: Device, page: PendingPage): Promise<Pick<PullResponse, 'upserts' | 'removals'>> {
  const { db } = server;
  const scope = await deviceScope(server, device);
  const upserts: PullResponse['upserts'] = [];
  for (const table of SYNC_TABLES) {
    const keys = page.upserts.filter(([t]) => t === table).map(([, k]) => k);
    const key = keyExpr(table, db.dialect);
    const cols = scope.columns[table];
    for (let i = 0; i < keys.length; i += 400) {
      const chunk = keys.slice(i, i + 400);
      const rows = await db.all<Record<string, SqlValue>>(
        `SELECT ${cols.sql} FROM ${table} m WHERE ${key} IN (${chunk.map(() => '?').join(', ')})`, [...cols.params, ...chunk]);
      for (const row of rows) upserts.push({ table, row: row as Record<string, string | number | null> });
    }
  }
  const removals = page.removals.map(([table, k]) => {
    const values = k.split('\u001f');
    return { table, key: Object.fromEntries(TABLES[table].pk.map((c, i) => [c, values[i] ?? null])) };
  });
  return { upserts, removals };
}
