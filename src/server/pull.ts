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

/**
 * A pull cycle runs from the first page after a complete one to the next complete page: removals
 * (every held row re-checked against the scope once), then additions in key order, then changes in
 * version order. The state says which phases are behind it, so a page never rescans what an earlier
 * page of the same cycle already covered; a row leaving or entering the scope mid-cycle is handled
 * by the next cycle, a sync interval later.
 */
interface Cycle { removalsDone: boolean; additionsDone: boolean; addFrom: [TableName, string] | null }
const FRESH: Cycle = { removalsDone: false, additionsDone: false, addFrom: null };

/** A page as sent, and the cycle state the workstation is in once it acknowledges it (kept with the page). */
interface PendingPage { upserts: Array<[TableName, string]>; removals: Array<[TableName, string]>; version: number; complete: boolean; cycle?: Cycle }

interface SyncState { acked_cursor: string | null; acked_version: number; pending_cursor: string | null; pending_page: string | null }

const newCursor = (): string => randomBytes(12).toString('base64url');
const ACK_CHUNK = 300;

export async function pull(server: Server, device: Device, req: z.output<typeof PullRequest>): Promise<PullResponse> {
  const { db } = server;
  return db.transaction(async () => {
    let state = await db.get<SyncState>('SELECT * FROM device_sync WHERE device_id = ?', [device.id]);
    if (!state) {
      await db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0)', [device.id]);
      state = { acked_cursor: null, acked_version: 0, pending_cursor: null, pending_page: null };
    }
    let reset = false;
    let cycle: Cycle = FRESH;
    if (req.cursor === null) {
      // First contact, or the workstation lost its data: start over from nothing (nothing to remove).
      await db.run('DELETE FROM device_rows WHERE device_id = ?', [device.id]);
      state = { acked_cursor: null, acked_version: 0, pending_cursor: null, pending_page: null };
      cycle = { ...FRESH, removalsDone: true };
      reset = true;
    } else if (req.cursor === state.pending_cursor && state.pending_page) {
      const acked = JSON.parse(state.pending_page) as PendingPage;
      await acknowledge(server, device, acked);
      state = { acked_cursor: state.pending_cursor, acked_version: acked.version, pending_cursor: null, pending_page: null };
      cycle = acked.cycle ?? FRESH;
    } else if (req.cursor === state.acked_cursor && state.pending_page && state.pending_cursor) {
      // The previous response was lost: send the very same page again.
      const page = JSON.parse(state.pending_page) as PendingPage;
      const scope = await deviceScope(server, device);
      return { ...(await materialize(server, scope, page)), cursor: state.pending_cursor, complete: page.complete, reset: false, server_time: server.now() };
    } else if (req.cursor !== state.acked_cursor) {
      throw new AppError('conflict', 'This workstation\'s sync position is unknown to the server; it must start over (cursor reset).');
    }
    const scope = await deviceScope(server, device);
    const page = await buildPage(server, device, scope, Number(state.acked_version), cycle, req.limit);
    const cursor = newCursor();
    await db.run('UPDATE device_sync SET acked_cursor = ?, acked_version = ?, pending_cursor = ?, pending_page = ?, pending_version = ? WHERE device_id = ?',
      [state.acked_cursor, state.acked_version, cursor, JSON.stringify(page), page.version, device.id]);
    return { ...(await materialize(server, scope, page)), cursor, complete: page.complete, reset, server_time: server.now() };
  });
}

/** Records a page as held: its upserts join and its removals leave the workstation's rows. */
async function acknowledge(server: Server, device: Device, page: PendingPage): Promise<void> {
  const { db } = server;
  for (let i = 0; i < page.upserts.length; i += ACK_CHUNK) {
    const chunk = page.upserts.slice(i, i + ACK_CHUNK);
    await db.run(`INSERT INTO device_rows (device_id, table_name, row_key) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flatMap(([table, key]) => [device.id, table, key]));
  }
  for (const table of SYNC_TABLES) {
    const keys = page.removals.filter(([t]) => t === table).map(([, k]) => k);
    for (let i = 0; i < keys.length; i += ACK_CHUNK) {
      const chunk = keys.slice(i, i + ACK_CHUNK);
      await db.run(`DELETE FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${chunk.map(() => '?').join(', ')})`, [device.id, table, ...chunk]);
    }
  }
}

async function buildPage(server: Server, device: Device, scope: DeviceScope, ackedVersion: number, cycle: Cycle, limit: number): Promise<PendingPage> {
  const { db } = server;
  const page: PendingPage = { upserts: [], removals: [], version: ackedVersion, complete: false, cycle: { ...cycle } };
  const next = page.cycle!;
  let budget = limit;

  // Removals, children before parents. Cut short by the budget, the next page checks again.
  if (!cycle.removalsDone) {
    for (const table of [...SYNC_TABLES].reverse()) {
      const w = scope.where[table];
      // A single-column key probes the table's primary key per held row; a composite key (small link
      // tables) cannot use an index through the concatenation, so its visible set is computed once.
      const stillVisible = TABLES[table].pk.length === 1
        ? `NOT EXISTS (SELECT 1 FROM ${table} m WHERE ${keyExpr(table, db.dialect)} = d.row_key AND (${w.sql}))`
        : `d.row_key NOT IN (SELECT ${keyExpr(table, db.dialect)} FROM ${table} m WHERE (${w.sql}))`;
      const rows = await db.all<{ row_key: string }>(
        `SELECT d.row_key FROM device_rows d WHERE d.device_id = ? AND d.table_name = ? AND ${stillVisible}
         ORDER BY d.row_key LIMIT ?`, [device.id, table, ...w.params, budget + 1]);
      page.removals.push(...rows.slice(0, budget).map((r): [TableName, string] => [table, r.row_key]));
      if (rows.length > budget) return page;
      budget -= rows.length;
    }
    next.removalsDone = true;
  }
  // Additions (rows the workstation does not hold yet), parents before children, each table in key
  // order from where the previous page of this cycle stopped.
  if (!cycle.additionsDone) {
    const from = cycle.addFrom;
    for (const table of SYNC_TABLES.slice(from ? SYNC_TABLES.indexOf(from[0]) : 0)) {
      if (budget <= 0) return page;
      const w = scope.where[table];
      const key = keyExpr(table, db.dialect);
      const after = from && from[0] === table ? { sql: ` AND ${key} > ?`, params: [from[1]] } : { sql: '', params: [] };
      const rows = await db.all<{ k: string }>(
        `SELECT ${key} AS k FROM ${table} m WHERE (${w.sql})${after.sql}
         AND NOT EXISTS (SELECT 1 FROM device_rows d WHERE d.device_id = ? AND d.table_name = ? AND d.row_key = ${key})
         ORDER BY 1 LIMIT ?`, [...w.params, ...after.params, device.id, table, budget + 1]);
      const taken = rows.slice(0, budget);
      page.upserts.push(...taken.map((r): [TableName, string] => [table, r.k]));
      if (taken.length > 0) next.addFrom = [table, taken.at(-1)!.k];
      if (rows.length > budget) return page;
      budget -= rows.length;
    }
    next.additionsDone = true;
    next.addFrom = null;
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
  // A complete page ends the cycle: the next pull re-checks removals and additions from the start.
  if (page.complete) page.cycle = { ...FRESH };
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
async function materialize(server: Server, scope: DeviceScope, page: PendingPage): Promise<Pick<PullResponse, 'upserts' | 'removals'>> {
  const { db } = server;
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
