/**
 * Pull, protocol 2 (docs/sync.md): pages of what changed for one workstation, driven by what changed
 * in the organization, not by what the workstation holds.
 *
 * A **cycle** brings the workstation from the version it holds to the organization's current one. It
 * is planned once, when it starts: if the workstation's users changed (one signed in, a shift began
 * or ended, a role was granted or revoked) their candidate patients are listed for a re-evaluation,
 * and so are the workstation's own partitions when someone's access may have shrunk; a break-glass
 * window that opened or closed marks its patient. Then the cycle walks, in pages:
 *   1. reference data whose visibility or masks may have changed (all of it only after structural
 *      changes, the policy changing, or the daily reconciliation);
 *   2. the listed partitions, a few dozen patients per step;
 *   3. the organization's change log since the held version, in version order: a patient partition
 *      that changed is re-evaluated; a reference row is re-sent, or removed when deleted.
 * A cycle with nothing to do costs a handful of indexed statements.
 *
 * **Stop-and-wait**: a page becomes held when the workstation asks for the next one with its cursor.
 * Asking again with the previous cursor rebuilds the page from what the workstation holds, so it
 * never carries data the workstation lost the right to in the meantime.
 */
import { randomBytes } from 'node:crypto';
import { type z } from 'zod';
import { UserResource } from '../authz/model';
import type { Actor } from '../authz/actor';
import { AppError } from '../domain/errors';
import type { SqlValue } from '../store/db';
import type { TableName } from '../store/tables';
import type { PullRequest, PullResponse } from '../sync/protocol';
import type { Device } from './auth';
import type { Server } from './context';
import { breakGlassCrossings, deviceUsers, nextBoundary } from './deviceUsers';
import { keyColumns, ORG_TABLES, patientOfPart, patientPart } from './partitions';
import { placeholders } from '../store/sql';
import { DeviceScope, materializeRows, type KeyedRow, type References, type VisibleRow } from './scope';

/** Where a running cycle is. Null between cycles. */
interface CycleState {
  /** The organization's version this cycle brings the workstation to. */
  upTo: number;
  /** The version it held when the cycle started: rows changed after it are re-sent. */
  from: number;
  org: 'none' | 'users' | 'all';
  orgTable: number;
  orgAfter: string | null;
  scan: boolean;
  scanAfter: string | null;
  winAfter: number;
  /** Rows per patient partition seen so far in this cycle (sizes the next step to fit the page). */
  perPatient?: number;
  /** This cycle listed partitions in `device_scan` (they are looked up, and cleared at its end). */
  scanWritten?: boolean;
}

/** Bookkeeping the cycle's plan decided, stored when the workstation acknowledges the first page. */
interface PlanMarks {
  users_key: string;
  policy_key: string;
  next_boundary: string | null;
  evaluated_at: string;
  full_at: string | null;
}

interface PendingPage {
  up: Array<[TableName, string, string, number]>;
  rm: Array<[TableName, string]>;
  /** The cycle after this page; null when the page completes it. */
  next: CycleState | null;
  version: number;
  marks?: PlanMarks;
  /** The last page of a cycle that listed partitions in `device_scan`. */
  scanned?: boolean;
}

interface SyncRow {
  acked_cursor: string | null;
  acked_version: number;
  pending_cursor: string | null;
  pending_page: string | null;
  acked_state: string | null;
  users_key: string | null;
  policy_key: string | null;
  next_boundary: string | null;
  evaluated_at: string | null;
  full_at: string | null;
  users_dirty: number;
}

interface UsersKey {
  gen: number;
  keys: Record<string, string>;
}

const newCursor = (): string => randomBytes(12).toString('base64url');
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const PATIENTS_PER_STEP = 40;
const WINDOW_STEP = 200;
const ORG_STEP = 1000;
/** A page stops growing after this much work, so no request holds the server for long. */
const PAGE_MS = 40;
const RECONCILE_MS = 24 * 3600_000;
const ACK_CHUNK = 200;

export async function pull(server: Server, device: Device, req: z.output<typeof PullRequest>): Promise<PullResponse> {
  const { db } = server;
  let row = await db.get<SyncRow>('SELECT * FROM device_sync WHERE device_id = ?', [device.id]);
  if (!row) {
    await db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0) ON CONFLICT (device_id) DO NOTHING', [
      device.id,
    ]);
    row = (await db.get<SyncRow>('SELECT * FROM device_sync WHERE device_id = ?', [device.id]))!;
  }
  let reset = false;
  if (req.cursor === null) {
    // First contact, or the workstation lost its data: it starts over from nothing.
    await db.transaction(async () => {
      await db.run('DELETE FROM device_rows WHERE device_id = ?', [device.id]);
      await db.run('DELETE FROM device_scan WHERE device_id = ?', [device.id]);
      await db.run(
        `UPDATE device_sync SET acked_cursor = NULL, acked_version = 0, acked_state = NULL, pending_cursor = NULL,
        pending_page = NULL, users_key = NULL WHERE device_id = ?`,
        [device.id],
      );
    });
    row = {
      ...row,
      acked_cursor: null,
      acked_version: 0,
      acked_state: null,
      pending_cursor: null,
      pending_page: null,
      users_key: null,
    };
    reset = true;
  } else if (req.cursor === row.pending_cursor && row.pending_page) {
    row = await acknowledge(server, device, row, JSON.parse(row.pending_page) as PendingPage);
  } else if (req.cursor !== row.acked_cursor) {
    throw new AppError(
      'conflict',
      "This workstation's sync position is unknown to the server; it must start over (cursor reset).",
    );
  }
  // Here the workstation holds exactly what `row` says (a re-sent request rebuilds its page).
  const page = await buildPage(server, device, row, reset, req.limit);
  const cursor = newCursor();
  const stored = await db.run(
    `UPDATE device_sync SET pending_cursor = ?, pending_page = ?, pending_version = ? WHERE device_id = ? AND acked_cursor ${row.acked_cursor === null ? 'IS NULL' : '= ?'}`,
    [cursor, JSON.stringify(page), page.version, device.id, ...(row.acked_cursor === null ? [] : [row.acked_cursor])],
  );
  if (stored.changes !== 1)
    throw new AppError('conflict', 'This workstation pulled twice at once; it must start over (cursor reset).');
  const upserts = await materializeRows(
    db,
    page.up.map(([table, key, part, mask]) => ({ table, key, part, mask })),
  );
  const removals = page.rm.map(([table, key]) => ({ table, key: keyColumns(table, key) }));
  return { cursor, complete: page.next === null, upserts, removals, reset, server_time: server.now() };
}

/** Records a page as held: its upserts join and its removals leave the workstation's rows. */
async function acknowledge(server: Server, device: Device, row: SyncRow, page: PendingPage): Promise<SyncRow> {
  const { db } = server;
  // An empty page (most cycles of a workstation in the steady state) is one statement, no transaction.
  const alone = page.up.length === 0 && page.rm.length === 0 && !(page.next === null && page.scanned);
  const ackedState = page.next ? JSON.stringify(page.next) : null;
  const record = async (): Promise<void> => {
    for (let i = 0; i < page.up.length; i += ACK_CHUNK) {
      const chunk = page.up.slice(i, i + ACK_CHUNK);
      await db.run(
        `INSERT INTO device_rows (device_id, table_name, row_key, part, mask) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (device_id, table_name, row_key) DO UPDATE SET part = excluded.part, mask = excluded.mask`,
        chunk.flatMap(([t, k, p, m]) => [device.id, t, k, p, m]),
      );
    }
    const byTable = new Map<TableName, string[]>();
    for (const [t, k] of page.rm) byTable.set(t, [...(byTable.get(t) ?? []), k]);
    for (const [table, keys] of byTable) {
      for (let i = 0; i < keys.length; i += ACK_CHUNK) {
        const chunk = keys.slice(i, i + ACK_CHUNK);
        await db.run(`DELETE FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(chunk)})`, [
          device.id,
          table,
          ...chunk,
        ]);
      }
    }
    if (page.next === null && page.scanned) await db.run('DELETE FROM device_scan WHERE device_id = ?', [device.id]);
    const m = page.marks;
    await db.run(
      `UPDATE device_sync SET acked_cursor = pending_cursor, acked_version = ?, acked_state = ?, pending_cursor = NULL, pending_page = NULL
       ${m ? ', users_key = ?, policy_key = ?, next_boundary = ?, evaluated_at = ?, full_at = ?' : ''} WHERE device_id = ?`,
      [
        page.version,
        ackedState,
        ...(m ? [m.users_key, m.policy_key, m.next_boundary, m.evaluated_at, m.full_at] : []),
        device.id,
      ],
    );
  };
  await (alone ? record() : db.transaction(record));
  return {
    ...row,
    acked_cursor: row.pending_cursor,
    acked_version: page.version,
    acked_state: ackedState,
    pending_cursor: null,
    pending_page: null,
    ...marksOf(page.marks),
  };
}

const marksOf = (m: PlanMarks | undefined): Partial<SyncRow> =>
  m
    ? {
        users_key: m.users_key,
        policy_key: m.policy_key,
        next_boundary: m.next_boundary,
        evaluated_at: m.evaluated_at,
        full_at: m.full_at,
      }
    : {};

/** Actors of a workstation whose policy-relevant facts are unchanged, reused across pulls. */
const actorCache = new Map<string, { key: string; actors: Actor[] }>();

function withNow(actors: Actor[], now: string): Actor[] {
  return actors.map((a) => new UserResource({ ...a, now }) as Actor);
}

async function currentActors(server: Server, device: Device, usersKey: string | null, now: string): Promise<Actor[]> {
  const cached = actorCache.get(device.id);
  if (cached && usersKey && cached.key === usersKey) return withNow(cached.actors, now);
  const { actors } = await deviceUsers(server.db, device, now);
  if (usersKey) actorCache.set(device.id, { key: usersKey, actors });
  if (actorCache.size > 5000) actorCache.delete(actorCache.keys().next().value!);
  return actors;
}

const ACTOR_TABLES = ['role_assignments', 'group_members', 'groups', 'users'];
const STRUCTURE_TABLES = ['facilities', 'wards', 'rooms'];

/** Which of `tables` the organization's change log names between two versions (one statement). */
async function windowTables(server: Server, org: string, from: number, upTo: number, tables: string[]): Promise<Set<string>> {
  if (upTo <= from) return new Set();
  return new Set(
    (
      await server.db.all<{ table_name: string }>(
        `SELECT DISTINCT table_name FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? AND table_name IN (${placeholders(tables)})`,
        [org, from, upTo, ...tables],
      )
    ).map((r) => r.table_name),
  );
}

async function heldParts(server: Server, device: Device): Promise<string[]> {
  return (
    await server.db.all<{ part: string }>("SELECT DISTINCT part FROM device_rows WHERE device_id = ? AND part LIKE 'p:%'", [
      device.id,
    ])
  ).map((r) => r.part);
}

async function writeScan(server: Server, device: Device, parts: Iterable<string>): Promise<number> {
  const { db } = server;
  const list = [...new Set(parts)];
  await db.run('DELETE FROM device_scan WHERE device_id = ?', [device.id]);
  for (let i = 0; i < list.length; i += 400) {
    const chunk = list.slice(i, i + 400);
    await db.run(
      `INSERT INTO device_scan (device_id, part) VALUES ${chunk.map(() => '(?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flatMap((p) => [device.id, p]),
    );
  }
  return list.length;
}

/** Decides what a new cycle must look at (see the module comment). */
async function planCycle(
  server: Server,
  device: Device,
  row: SyncRow,
  reset: boolean,
): Promise<{ state: CycleState; marks: PlanMarks | null; actors: Actor[] | null }> {
  const now = server.now();
  const versions = await server.db.get<{ version: number; pruned_to: number }>(
    'SELECT version, pruned_to FROM org_versions WHERE org_id = ?',
    [device.org_id],
  );
  const upTo = Number(versions?.version ?? 0);
  const from = Number(row.acked_version);
  // Tombstones this workstation has not seen were pruned (it was away longer than the retention):
  // what it holds is checked whole, which finds the deleted rows without them.
  const missedTombstones = from < Number(versions?.pruned_to ?? 0);
  const prev = row.users_key ? (JSON.parse(row.users_key) as UsersKey) : null;
  const policyKey = server.engine.policy.fingerprint;
  const policyChanged = row.policy_key !== null && row.policy_key !== policyKey;
  const reconcile = !row.full_at || Date.parse(now) - Date.parse(row.full_at) > RECONCILE_MS || missedTombstones;
  const boundaryPassed = row.next_boundary !== null && row.next_boundary <= now;
  const touched = await windowTables(server, device.org_id, from, upTo, [...STRUCTURE_TABLES, ...ACTOR_TABLES, 'break_glass']);
  const structural = !reset && (policyChanged || reconcile || STRUCTURE_TABLES.some((t) => touched.has(t)));
  const usersDue =
    reset ||
    !prev ||
    Number(row.users_dirty) !== prev.gen ||
    boundaryPassed ||
    structural ||
    ACTOR_TABLES.some((t) => touched.has(t));
  const state: CycleState = {
    upTo,
    from,
    org: 'none',
    orgTable: 0,
    orgAfter: null,
    scan: false,
    scanAfter: null,
    winAfter: from,
  };
  // A break-glass grant made or changed moves the next moment a window opens or closes.
  const breakGlassChanged = touched.has('break_glass');
  if (!usersDue && !breakGlassChanged) return { state, marks: null, actors: null };

  let actors: Actor[];
  let usersKey = row.users_key!;
  const parts = new Set<string>();
  if (usersDue) {
    const users = await deviceUsers(server.db, device, now);
    actors = users.actors;
    const keys = users.keys;
    const added = Object.keys(keys).filter((u) => !prev || !(u in prev.keys));
    const changed = prev ? Object.keys(keys).filter((u) => u in prev.keys && prev.keys[u] !== keys[u]) : [];
    const removed = prev ? Object.keys(prev.keys).filter((u) => !(u in keys)) : [];
    const scope = await DeviceScope.build(server, device, actors);
    const candidatesOf = async (ids: string[]): Promise<void> => {
      for (const p of await scope.candidates(
        server,
        actors.filter((a) => ids.includes(a.id)),
      ))
        parts.add(patientPart(p));
    };
    if (reset || structural) {
      await candidatesOf(Object.keys(keys));
      if (!reset) for (const p of await heldParts(server, device)) parts.add(p);
      state.org = 'all';
    } else if (added.length || changed.length || removed.length) {
      // New users only widen the scope; a changed or departed one may narrow it, so what the
      // workstation holds is checked again as well.
      await candidatesOf([...added, ...changed]);
      if (changed.length || removed.length) for (const p of await heldParts(server, device)) parts.add(p);
      state.org = 'users';
    }
    usersKey = JSON.stringify({ gen: Number(row.users_dirty), keys } satisfies UsersKey);
    actorCache.set(device.id, { key: usersKey, actors });
  } else {
    actors = await currentActors(server, device, usersKey, now);
  }
  if (!reset && row.evaluated_at)
    for (const p of await breakGlassCrossings(server.db, device, row.evaluated_at, now)) parts.add(patientPart(p));
  // A new or reset workstation gets everything as it is now; there is no change log to replay.
  if (reset) {
    state.from = upTo;
    state.winAfter = upTo;
  }
  state.scan = (await writeScan(server, device, parts)) > 0;
  if (state.scan) state.scanWritten = true;
  return {
    state,
    actors,
    marks: {
      users_key: usersKey,
      policy_key: policyKey,
      next_boundary: await nextBoundary(server.db, device, actors, now),
      evaluated_at: now,
      full_at: reset || structural ? now : row.full_at,
    },
  };
}

/** Accumulates a page: upserts and removals, each row once. */
class PageBuilder {
  readonly up = new Map<string, [TableName, string, string, number]>();
  readonly rm = new Map<string, [TableName, string]>();
  upsert(r: VisibleRow): void {
    const k = `${r.table}\u0000${r.key}`;
    this.rm.delete(k);
    this.up.set(k, [r.table, r.key, r.part, r.mask]);
  }
  remove(table: TableName, key: string): void {
    const k = `${table}\u0000${key}`;
    this.up.delete(k);
    this.rm.set(k, [table, key]);
  }
  get size(): number {
    return this.up.size + this.rm.size;
  }
  has(table: TableName, key: string): boolean {
    return this.up.has(`${table}\u0000${key}`);
  }
}

interface HeldRow {
  table_name: TableName;
  row_key: string;
  mask: number;
}

async function buildPage(server: Server, device: Device, row: SyncRow, reset: boolean, limit: number): Promise<PendingPage> {
  const { db } = server;
  const started = performance.now();
  let state: CycleState;
  let marks: PlanMarks | null = null;
  let actors: Actor[] | null = null;
  if (row.acked_state) {
    state = JSON.parse(row.acked_state) as CycleState;
  } else {
    const plan = await planCycle(server, device, row, reset);
    ({ state, marks, actors } = plan);
    if (!state.scan && state.org === 'none' && state.upTo <= state.from) {
      // Nothing changed for this workstation: an empty page that completes the cycle.
      return { up: [], rm: [], next: null, version: Math.max(state.upTo, state.from), ...(marks ? { marks } : {}) };
    }
  }
  const now = server.now();
  const usersKey = marks?.users_key ?? row.users_key;
  actors = actors ? withNow(actors, now) : await currentActors(server, device, usersKey, now);
  const scope = await DeviceScope.build(server, device, actors);
  const retained = actors.map((a) => a.id);
  const page = new PageBuilder();
  const refs: References = new Map();
  // Time ends a page only once it holds some progress: under load its setup alone may take longer
  // than PAGE_MS, and a page that stops before its first step sends the same position again forever.
  let progressed = false;
  const full = (): boolean => page.size >= limit || (progressed && performance.now() - started > PAGE_MS);
  const stepDone = (): Promise<void> => {
    progressed = true;
    return yieldNow();
  };
  const heldPatientSql = {
    sql: "m.patient_id IN (SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = 'patients')",
    params: [device.id] as SqlValue[],
  };

  const changedRows = async (parts: string[] | null, keys?: { table: TableName; keys: string[] }): Promise<Set<string>> => {
    const out = new Set<string>();
    const rows = keys
      ? await db.all<{ table_name: string; row_key: string }>(
          `SELECT table_name, row_key FROM row_versions WHERE table_name = ? AND row_key IN (${placeholders(keys.keys)}) AND version > ?`,
          [keys.table, ...keys.keys, state.from],
        )
      : await db.all<{ table_name: string; row_key: string }>(
          `SELECT table_name, row_key FROM row_versions WHERE part IN (${placeholders(parts!)}) AND version > ?`,
          [...parts!, state.from],
        );
    for (const r of rows) out.add(`${r.table_name}\u0000${r.row_key}`);
    return out;
  };

  /** Re-evaluates patient partitions: what is visible now against what the workstation holds. */
  // A step takes as many patients as are likely to fill what is left of the page (the rows per
  // patient seen so far), between one and a few dozen.
  const step = (): number =>
    Math.max(1, Math.min(PATIENTS_PER_STEP, Math.floor(Math.max(0, limit - page.size) / (state.perPatient ?? 100)) || 1));
  const evaluatePatients = async (patientIds: string[]): Promise<void> => {
    for (let i = 0; i < patientIds.length;) {
      const ids = patientIds.slice(i, i + step());
      i += ids.length;
      const parts = ids.map(patientPart);
      const visible = await scope.evaluatePatients(ids, refs);
      const held = await db.all<HeldRow>(
        `SELECT table_name, row_key, mask FROM device_rows WHERE device_id = ? AND part IN (${placeholders(parts)})`,
        [device.id, ...parts],
      );
      const changed = await changedRows(parts);
      diff(page, visible, held, changed);
      state.perPatient = Math.max(1, ((state.perPatient ?? 100) + visible.length / ids.length) / 2);
      // Users who are these patients: their link to the patient row travels only with the patient.
      const visiblePatients = visible.filter((v) => v.table === 'patients').map((v) => v.key);
      const linked = (await db.all<{ id: string }>(`SELECT id FROM users WHERE patient_id IN (${placeholders(ids)})`, ids)).map(
        (r) => r.id,
      );
      if (linked.length) {
        const link = visiblePatients.length
          ? { sql: `m.patient_id IN (${placeholders(visiblePatients)})`, params: visiblePatients }
          : { sql: '1=0', params: [] };
        const rows = await scope.orgRows('users', retained, link, { keys: linked });
        const heldUsers = await db.all<HeldRow>(
          `SELECT table_name, row_key, mask FROM device_rows WHERE device_id = ? AND table_name = 'users' AND row_key IN (${placeholders(linked)})`,
          [device.id, ...linked],
        );
        const mask = new Map(heldUsers.map((h) => [h.row_key, Number(h.mask)]));
        for (const r of rows) if (mask.get(r.key) !== r.mask) page.upsert(r);
      }
      await yieldNow();
    }
  };

  // 1. Reference data.
  if (state.org !== 'none') {
    const tables = state.org === 'all' ? ORG_TABLES : (['users', 'credentials'] as TableName[]);
    while (state.orgTable < tables.length) {
      if (full()) return finish();
      const table = tables[state.orgTable]!;
      const chunk = Math.max(50, Math.min(ORG_STEP, limit - page.size));
      const visible = await scope.orgRows(table, retained, heldPatientSql, { after: state.orgAfter, limit: chunk, refs });
      const last = visible.length === chunk ? visible.at(-1)!.key : null;
      const held = await db.all<HeldRow>(
        `SELECT table_name, row_key, mask FROM device_rows WHERE device_id = ? AND table_name = ?${state.orgAfter !== null ? ' AND row_key > ?' : ''}${last !== null ? ' AND row_key <= ?' : ''}`,
        [device.id, table, ...(state.orgAfter !== null ? [state.orgAfter] : []), ...(last !== null ? [last] : [])],
      );
      const changed = visible.length ? await changedRows(null, { table, keys: visible.map((v) => v.key) }) : new Set<string>();
      diff(page, visible, held, changed);
      if (last === null) {
        state.orgTable++;
        state.orgAfter = null;
      } else state.orgAfter = last;
      await stepDone();
    }
    state.org = 'none';
  }
  // 2. Partitions listed when the cycle started.
  if (state.scan) {
    for (;;) {
      if (full()) return finish();
      const n = step();
      const parts = (
        await db.all<{ part: string }>(
          `SELECT part FROM device_scan WHERE device_id = ?${state.scanAfter !== null ? ' AND part > ?' : ''} ORDER BY part LIMIT ?`,
          [device.id, ...(state.scanAfter !== null ? [state.scanAfter] : []), n],
        )
      ).map((r) => r.part);
      if (parts.length === 0) break;
      await evaluatePatients(parts.map(patientOfPart));
      state.scanAfter = parts.at(-1)!;
      progressed = true;
      if (parts.length < n) break;
    }
    state.scan = false;
  }
  // 3. The change log since the held version.
  while (state.winAfter < state.upTo) {
    if (full()) return finish();
    const entries = await db.all<{ table_name: TableName; row_key: string; part: string; deleted: number; version: number }>(
      'SELECT table_name, row_key, part, deleted, version FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? ORDER BY version LIMIT ?',
      [device.org_id, state.winAfter, state.upTo, Math.max(1, Math.min(WINDOW_STEP, limit))],
    );
    if (entries.length === 0) {
      state.winAfter = state.upTo;
      break;
    }
    const patientParts = new Set<string>();
    const partRows = new Map<string, Array<{ table: TableName; key: string }>>();
    const teams = new Set<string>();
    const orgRows = new Map<TableName, Array<{ key: string; deleted: boolean }>>();
    for (const e of entries) {
      if (e.part.startsWith('p:')) {
        patientParts.add(e.part);
        partRows.set(e.part, [...(partRows.get(e.part) ?? []), { table: e.table_name, key: e.row_key }]);
      } else {
        if (e.part.startsWith('t:')) teams.add(e.part.slice(2));
        orgRows.set(e.table_name, [...(orgRows.get(e.table_name) ?? []), { key: e.row_key, deleted: Number(e.deleted) === 1 }]);
      }
    }
    const whole = new Set<string>();
    for (const team of teams) {
      for (const r of await db.all<{ patient_id: string }>('SELECT patient_id FROM care_team_patients WHERE team_id = ?', [
        team,
      ])) {
        patientParts.add(patientPart(r.patient_id));
        whole.add(patientPart(r.patient_id));
      }
    }
    // Partitions the scan of this cycle already brought up to date are not evaluated again.
    const list = [...patientParts];
    const scanned = new Set<string>();
    for (let i = 0; state.scanWritten && i < list.length; i += 400) {
      const chunk = list.slice(i, i + 400);
      for (const r of await db.all<{ part: string }>(
        `SELECT part FROM device_scan WHERE device_id = ? AND part IN (${placeholders(chunk)})`,
        [device.id, ...chunk],
      ))
        scanned.add(r.part);
    }
    for (const [table, rows] of orgRows) {
      const keys = rows.map((r) => r.key);
      const visible = rows.some((r) => !r.deleted)
        ? await scope.orgRows(table, retained, heldPatientSql, { keys: rows.filter((r) => !r.deleted).map((r) => r.key), refs })
        : [];
      const held = await db.all<HeldRow>(
        `SELECT table_name, row_key, mask FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(keys)})`,
        [device.id, table, ...keys],
      );
      diff(page, visible, held, new Set(keys.map((k) => `${table}\u0000${k}`)));
    }
    const todo = list.filter((p) => !scanned.has(p));
    // A partition whose changes are all leaf rows (a vitals entry, a note) is decided row by row;
    // one with a change that can move other rows (the patient, an appointment, a consent
    // restriction, a care team) is re-evaluated whole.
    const leafRows = new Map<TableName, string[]>();
    for (const part of todo) {
      const rows = partRows.get(part) ?? [];
      if (whole.has(part) || rows.length === 0 || rows.some((r) => !scope.isLeaf(r.table))) whole.add(part);
      else for (const r of rows) leafRows.set(r.table, [...(leafRows.get(r.table) ?? []), r.key]);
    }
    for (const part of await settleLeafRows(server, device, scope, leafRows, page, refs)) whole.add(part);
    await evaluatePatients(todo.filter((p) => whole.has(p)).map(patientOfPart));
    state.winAfter = Number(entries.at(-1)!.version);
    await stepDone();
  }
  return finish(true);

  async function finish(done = false): Promise<PendingPage> {
    await closeReferences(server, device, scope, retained, page, refs);
    const next = done ? null : state;
    return {
      up: [...page.up.values()],
      rm: [...page.rm.values()],
      next,
      version: done ? Math.max(state.upTo, state.from) : Number(row.acked_version),
      ...(marks ? { marks } : {}),
      ...(done && state.scanWritten ? { scanned: true } : {}),
    };
  }
}

/**
 * Decides changed leaf rows one by one (`DeviceScope.isLeaf`): upserts those visible in partitions
 * the workstation holds. Returns the partitions that must be re-evaluated whole instead: a row that
 * became visible in a partition not held (the patient moves in), one that points to an appointment
 * or record not held, and a held row no longer visible (its partition may have been held for it).
 * A change in a partition neither held nor newly visible costs one indexed statement per table.
 */
async function settleLeafRows(
  server: Server,
  device: Device,
  scope: DeviceScope,
  changed: Map<TableName, string[]>,
  page: PageBuilder,
  refs: References,
): Promise<Set<string>> {
  const { db } = server;
  const whole = new Set<string>();
  const found: Array<{ visible: KeyedRow[]; held: Array<HeldRow & { part: string }>; keys: string[]; table: TableName }> = [];
  const parts = new Set<string>();
  const parents = new Map<TableName, Set<string>>();
  for (const [table, all] of changed) {
    for (let i = 0; i < all.length; i += 400) {
      const keys = all.slice(i, i + 400);
      const local: References = new Map();
      const visible = await scope.evaluateRows(table, keys, local);
      const held = await db.all<HeldRow & { part: string }>(
        `SELECT table_name, row_key, mask, part FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(keys)})`,
        [device.id, table, ...keys],
      );
      const seen = new Set(visible.map((v) => v.key));
      for (const h of held) if (!seen.has(h.row_key)) whole.add(h.part);
      for (const v of visible) {
        parts.add(v.part);
        if (v.appointment) parents.set('appointments', (parents.get('appointments') ?? new Set()).add(v.appointment));
        if (v.amends) whole.add(v.part);
      }
      for (const [t, set] of local) for (const k of set) refs.set(t, (refs.get(t) ?? new Set()).add(k));
      found.push({ visible, held, keys, table });
    }
  }
  if (parts.size > 0) {
    const list = [...parts];
    const heldParts = new Set(
      (
        await db.all<{ part: string }>(
          `SELECT DISTINCT part FROM device_rows WHERE device_id = ? AND part IN (${placeholders(list)})`,
          [device.id, ...list],
        )
      ).map((r) => r.part),
    );
    for (const p of list) if (!heldParts.has(p)) whole.add(p);
  }
  for (const [table, set] of parents) {
    const keys = [...set];
    const held = new Set(
      (
        await db.all<{ row_key: string }>(
          `SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(keys)})`,
          [device.id, table, ...keys],
        )
      ).map((r) => r.row_key),
    );
    for (const { visible } of found)
      for (const v of visible)
        if (v.appointment && !held.has(v.appointment) && !page.has(table, v.appointment)) whole.add(v.part);
  }
  for (const { visible, held, keys, table } of found) {
    diff(
      page,
      visible.filter((v) => !whole.has(v.part)),
      held.filter((h) => !whole.has(h.part)),
      new Set(keys.map((k) => `${table}\u0000${k}`)),
    );
  }
  return whole;
}

/** Upserts what is visible and new, re-masked or changed; removes what is held and no longer visible. */
function diff(page: PageBuilder, visible: VisibleRow[], held: HeldRow[], changed: Set<string>): void {
  const heldMask = new Map(held.map((h) => [`${h.table_name}\u0000${h.row_key}`, Number(h.mask)]));
  const seen = new Set<string>();
  for (const v of visible) {
    const k = `${v.table}\u0000${v.key}`;
    seen.add(k);
    const m = heldMask.get(k);
    if (m === undefined || m !== v.mask || changed.has(k)) page.upsert(v);
  }
  for (const h of held) if (!seen.has(`${h.table_name}\u0000${h.row_key}`)) page.remove(h.table_name, h.row_key);
}

/**
 * Foreign-key closure: reference rows the page's rows point to and the workstation does not hold
 * (a clinician created after the workstation's last pull) travel in the same page.
 */
async function closeReferences(
  server: Server,
  device: Device,
  scope: DeviceScope,
  retained: string[],
  page: PageBuilder,
  refs: References,
): Promise<void> {
  const { db } = server;
  const heldPatientSql = {
    sql: "m.patient_id IN (SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = 'patients')",
    params: [device.id],
  };
  let wanted = refs;
  for (let round = 0; round < 5 && wanted.size > 0; round++) {
    const next: References = new Map();
    for (const [target, set] of wanted) {
      const keys = [...set].filter((k) => !page.has(target, k));
      for (let i = 0; i < keys.length; i += 400) {
        const chunk = keys.slice(i, i + 400);
        const held = new Set(
          (
            await db.all<{ row_key: string }>(
              `SELECT row_key FROM device_rows WHERE device_id = ? AND table_name = ? AND row_key IN (${placeholders(chunk)})`,
              [device.id, target, ...chunk],
            )
          ).map((r) => r.row_key),
        );
        const missing = chunk.filter((k) => !held.has(k));
        if (missing.length === 0) continue;
        for (const r of await scope.orgRows(target, retained, heldPatientSql, { keys: missing, refs: next })) page.upsert(r);
      }
    }
    wanted = next;
  }
}
/**
 * Where a waiting workstation stands: the organization version it holds once it has applied its
 * last page, and whether it should pull right away (an unfinished cycle, its users changed, or a
 * shift or break-glass boundary passed). Newer versions are left to the wait's relevance check.
 */
export async function waitVersion(
  server: Server,
  device: Device,
  cursor: string | null,
): Promise<{ pullNow: boolean; version: number; boundary: string | null; untilBoundaryMs: number }> {
  const row = await server.db.get<SyncRow>('SELECT * FROM device_sync WHERE device_id = ?', [device.id]);
  const never = { pullNow: true, version: 0, boundary: null, untilBoundaryMs: 0 };
  if (!row || cursor === null) return never;
  let version: number;
  if (cursor === row.pending_cursor && row.pending_page) {
    const page = JSON.parse(row.pending_page) as PendingPage;
    if (page.next !== null) return never;
    version = page.version;
  } else if (cursor === row.acked_cursor && !row.acked_state && !row.pending_page) {
    version = Number(row.acked_version);
  } else {
    return never;
  }
  const prev = row.users_key ? (JSON.parse(row.users_key) as UsersKey) : null;
  if (!prev || Number(row.users_dirty) !== prev.gen) return never;
  const now = server.now();
  if (row.next_boundary !== null && row.next_boundary <= now) return never;
  // Changes committed since `version` are not a reason to pull at once: the wait decides whether they
  // concern this workstation, as for changes that come later (under load, a write lands during most
  // cycles, and pulling again for each would cycle every workstation on every write).
  const untilBoundaryMs = row.next_boundary ? Date.parse(row.next_boundary) - Date.parse(now) : Number.MAX_SAFE_INTEGER;
  return { pullNow: false, version, boundary: row.next_boundary, untilBoundaryMs };
}

/**
 * Whether changes between two versions may concern a workstation: reference data of its
 * organization, a partition it holds, or a patient one of its users may now read. (A row that
 * becomes visible only through the foreign-key closure waits for the next interval cycle.)
 */
export async function concernsDevice(server: Server, device: Device, from: number, to: number): Promise<boolean> {
  const { db } = server;
  // Every waiter of the organization asks about the same window when a write lands: its entries are
  // read once (a committed window never changes), and at most a few checks run at a time so pulls
  // are not queued behind them.
  const entries = await windowEntries(server, device.org_id, from, to);
  if (entries.length > 200 || entries.some((e) => !e.part.startsWith('p:'))) return true;
  if (entries.length === 0) return false;
  return relevanceSlots.run(async () => {
    const parts = [...new Set(entries.map((e) => e.part))];
    if (
      await db.get(`SELECT 1 FROM device_rows WHERE device_id = ? AND part IN (${placeholders(parts)}) LIMIT 1`, [
        device.id,
        ...parts,
      ])
    )
      return true;
    const scope = await relevanceScope(server, device);
    // Leaf rows (a vitals entry elsewhere) are decided on their own; any other change, by whether a
    // user here may now read its patient.
    const leaf = new Map<TableName, string[]>();
    const other = new Set<string>();
    for (const e of entries) {
      if (scope.isLeaf(e.table_name)) leaf.set(e.table_name, [...(leaf.get(e.table_name) ?? []), e.row_key]);
      else other.add(patientOfPart(e.part));
    }
    for (const [table, keys] of leaf) if ((await scope.evaluateRows(table, keys)).length > 0) return true;
    return other.size > 0 && (await scope.readablePatients([...other])).length > 0;
  });
}

type WindowEntry = { table_name: TableName; row_key: string; part: string };
const windows = new Map<string, { at: number; entries: Promise<WindowEntry[]> }>();
function windowEntries(server: Server, org: string, from: number, to: number): Promise<WindowEntry[]> {
  const key = `${org}|${from}|${to}`;
  const now = Date.now();
  let w = windows.get(key);
  if (!w) {
    for (const [k, old] of windows) if (now - old.at > 5_000) windows.delete(k);
    w = {
      at: now,
      entries: server.db.all<WindowEntry>(
        'SELECT table_name, row_key, part FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? LIMIT 201',
        [org, from, to],
      ),
    };
    w.entries.catch(() => windows.delete(key));
    windows.set(key, w);
  }
  return w.entries;
}

/**
 * The scope a relevance check uses, kept a few seconds per workstation: a wake-up decided on a
 * scope a moment old is at worst one interval late, never wrong data (the pull decides afresh).
 */
const relevanceScopes = new Map<string, { at: number; scope: Promise<DeviceScope> }>();
function relevanceScope(server: Server, device: Device): Promise<DeviceScope> {
  const now = Date.now();
  const hit = relevanceScopes.get(device.id);
  if (hit && now - hit.at < 3_000) return hit.scope;
  const scope = (async () => {
    const row = await server.db.get<SyncRow>('SELECT users_key FROM device_sync WHERE device_id = ?', [device.id]);
    const actors = await currentActors(server, device, row?.users_key ?? null, server.now());
    return DeviceScope.build(server, device, actors);
  })();
  scope.catch(() => relevanceScopes.delete(device.id));
  relevanceScopes.set(device.id, { at: now, scope });
  if (relevanceScopes.size > 5000) relevanceScopes.delete(relevanceScopes.keys().next().value!);
  return scope;
}

/** A few relevance checks at a time (they come in bursts: every waiter on every write). */
class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(n: number) {
    this.#free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
const relevanceSlots = new Slots(4);
