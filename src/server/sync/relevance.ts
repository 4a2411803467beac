/**
 * What a live wait (live.ts) asks about a workstation: where it stands when it starts waiting, and
 * whether a change that lands meanwhile may concern it — reference data of its organization, a
 * partition it holds (a leaf row only when one of its users may read it or it holds it), a patient one
 * of its users may now read.
 * (A row that becomes visible only through the foreign-key closure waits for the next interval cycle.)
 */
import type { TableName } from '../../store/tables';
import type { Device } from '../auth';
import type { Server } from '../context';
import { deviceActors } from './actors';
import { windowEntries } from './changeLog';
import type { PendingPage, UsersKey } from './cycle';
import { addTo } from './grouped';
import { isPatientPart, patientOfPart } from './partitions';
import { evaluateRows, readablePatients } from './patientRows';
import { DeviceScope } from './scope';

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
  const row = await server.sync.store.find(device.id);
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

/** Whether changes between two versions may concern a workstation (see the module comment). */
export async function concernsDevice(server: Server, device: Device, from: number, to: number): Promise<boolean> {
  const { sync } = server;
  // Every waiter of the organization asks about the same window when a write lands: its entries are
  // read once (a committed window never changes), and at most a few checks run at a time so pulls
  // are not queued behind them.
  const entries = await windowEntries(server.db, sync, device.org_id, from, to);
  if (entries.length > 200 || entries.some((e) => !isPatientPart(e.part))) return true;
  if (entries.length === 0) return false;
  return sync.relevanceSlots.run(async () => {
    const row = await sync.store.find(device.id);
    // What the workstation holds: its acknowledged rows and the last page it was sent.
    const pending = row?.pending_page ? (JSON.parse(row.pending_page) as PendingPage).up : [];
    const pendingKeys = new Set(pending.map(([t, k]) => `${t}\u0000${k}`));
    const pendingParts = new Set(pending.map(([, , p]) => p));
    const scope = await relevanceScope(server, device, Number(row?.users_dirty ?? 0));
    // Leaf rows (a vitals entry, a note) are decided on their own, even for a patient the workstation
    // holds: a change it may not see (a labelled result) must not wake it, or the wake-up itself says
    // that something hidden changed (issue 21, finding 2). It concerns the workstation when its users
    // may read the row now, or when it holds the row (which may have to go).
    const leaf = new Map<TableName, string[]>();
    const other = new Set<string>();
    for (const e of entries) {
      if (scope.isLeaf(e.table_name)) addTo(leaf, e.table_name, e.row_key);
      else other.add(e.part);
    }
    // Any other change (the patient, an appointment, a restriction) in a partition it holds can move
    // what it holds; elsewhere, it concerns it when a user here may now read the patient.
    const others = [...other];
    if (others.some((p) => pendingParts.has(p)) || (others.length > 0 && (await sync.store.holdsAnyOf(device.id, others))))
      return true;
    for (const [table, keys] of leaf) {
      if (keys.some((k) => pendingKeys.has(`${table}\u0000${k}`))) return true;
      if ((await evaluateRows(scope, table, keys)).length > 0) return true;
      if ((await sync.store.heldByKeys(device.id, table, keys)).length > 0) return true;
    }
    return others.length > 0 && (await readablePatients(scope, others.map(patientOfPart))).length > 0;
  });
}

/**
 * The scope a relevance check uses, kept a few seconds per workstation: a wake-up decided on a
 * scope a moment old is at worst one interval late, never wrong data (the pull decides afresh).
 */
function relevanceScope(server: Server, device: Device, gen: number): Promise<DeviceScope> {
  const { sync } = server;
  const now = Date.now();
  const hit = sync.relevanceScopes.get(device.id);
  if (hit && now - hit.at < 3_000) return hit.scope;
  const scope = (async () => {
    const { actors } = await deviceActors(server, device, gen, server.now());
    return DeviceScope.build(server, device, actors);
  })();
  scope.catch(() => sync.relevanceScopes.delete(device.id));
  sync.relevanceScopes.set(device.id, { at: now, scope });
  return scope;
}
