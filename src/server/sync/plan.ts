/**
 * Planning a cycle (docs/sync.md, "Change-driven scope"): when a cycle starts, decide what it must
 * look at beyond the change log.
 *  - The workstation's users changed (one signed in, a shift began or ended, a role was granted or
 *    revoked, a group changed): the candidate patients of the users who joined or changed are listed
 *    for re-evaluation, and what it holds too when someone's access may have narrowed; the tables
 *    that depend on the users are re-checked.
 *  - A break-glass window that opened or closed marks its patient.
 *  - Rooms, wards or facilities changed, the policy changed, a day passed since the last full check,
 *    or tombstones it never saw were pruned: everything it holds and could hold is re-evaluated.
 * The listed partitions go to the device-state store (`writeScan`); the plan's bookkeeping (`marks`)
 * is stored when the workstation acknowledges the cycle's first page.
 */
import type { Actor } from '../../authz/actor';
import type { Device } from '../auth';
import type { Server } from '../context';
import { deviceActors, rememberActors, type DeviceActors } from './actors';
import { orgVersions, tablesChanged } from './changeLog';
import type { CycleState, PlanMarks, UsersKey } from './cycle';
import type { DeviceSyncState } from './deviceState';
import { breakGlassCrossings, deviceUsers, nextBoundary } from './deviceUsers';
import { patientPart, tablesWhereChangeMeans } from './partitions';
import { brought, candidates, patientsNaming } from './patientRows';
import { DeviceScope } from './scope';

/** A full check of everything a workstation holds at least this often (a safety net). */
const RECONCILE_MS = 24 * 3600_000;

const USER_TABLES = tablesWhereChangeMeans('users');
const STRUCTURE_TABLES = tablesWhereChangeMeans('structure');
const WINDOW_TABLES = tablesWhereChangeMeans('window');

export interface CyclePlan {
  /** Where the new cycle starts. */
  state: CycleState;
  /** Bookkeeping to store with the first page; null when nothing about the users or windows changed. */
  marks: PlanMarks | null;
  /** The workstation's users as the plan saw them (null when it did not need them). */
  users: DeviceActors | null;
}

/** How the workstation's users differ from those its scope was last computed for. */
export interface UsersChange {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Users who joined, whose policy-relevant key changed, and who left (a pure comparison of keys). */
export function usersChange(prev: UsersKey | null, keys: Record<string, string>): UsersChange {
  return {
    added: Object.keys(keys).filter((u) => !prev || !(u in prev.keys)),
    changed: prev ? Object.keys(keys).filter((u) => u in prev.keys && prev.keys[u] !== keys[u]) : [],
    removed: prev ? Object.keys(prev.keys).filter((u) => !(u in keys)) : [],
  };
}

/** A cycle with nothing to do beyond acknowledging the current version. */
export const idle = (state: CycleState): boolean => !state.scan && state.org === 'none' && state.upTo <= state.from;

/** Decides what a new cycle must look at (see the module comment). */
export async function planCycle(server: Server, device: Device, row: DeviceSyncState, reset: boolean): Promise<CyclePlan> {
  const { store } = server.sync;
  const now = server.now();
  const versions = await orgVersions(server.db, device.org_id);
  const upTo = versions.version;
  const from = Number(row.acked_version);
  // Tombstones this workstation has not seen were pruned (it was away longer than the retention):
  // what it holds is checked whole, which finds the deleted rows without them.
  const missedTombstones = from < versions.prunedTo;
  const prev = row.users_key ? (JSON.parse(row.users_key) as UsersKey) : null;
  const policyKey = server.engine.policy.fingerprint;
  const policyChanged = row.policy_key !== null && row.policy_key !== policyKey;
  const reconcile = !row.full_at || Date.parse(now) - Date.parse(row.full_at) > RECONCILE_MS || missedTombstones;
  const boundaryPassed = row.next_boundary !== null && row.next_boundary <= now;
  const touched = await tablesChanged(server.db, device.org_id, from, upTo, [
    ...STRUCTURE_TABLES,
    ...USER_TABLES,
    ...WINDOW_TABLES,
  ]);
  const structural = !reset && (policyChanged || reconcile || STRUCTURE_TABLES.some((t) => touched.has(t)));
  const usersDue =
    reset ||
    !prev ||
    Number(row.users_dirty) !== prev.gen ||
    boundaryPassed ||
    structural ||
    USER_TABLES.some((t) => touched.has(t));
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
  const windowChanged = WINDOW_TABLES.some((t) => touched.has(t));
  if (!usersDue && !windowChanged) return { state, marks: null, users: null };

  let actors: Actor[];
  let keys: Record<string, string>;
  let usersKey = row.users_key!;
  const parts = new Set<string>();
  if (usersDue) {
    const users = await deviceUsers(server.db, device, now);
    ({ actors, keys } = users);
    const change = usersChange(prev, keys);
    const scope = await DeviceScope.build(server, device, actors);
    const candidatesOf = async (ids: string[]): Promise<void> => {
      for (const p of await candidates(
        server,
        scope,
        actors.filter((a) => ids.includes(a.id)),
      ))
        parts.add(patientPart(p));
    };
    if (reset || structural) {
      await candidatesOf(Object.keys(keys));
      if (!reset) for (const p of await store.heldPatientParts(device.id)) parts.add(p);
      state.org = 'all';
    } else if (change.changed.length || change.removed.length) {
      // A changed or departed user may narrow the scope: what the workstation holds is checked
      // again, with what the changed ones may read now.
      await candidatesOf([...change.added, ...change.changed]);
      for (const p of await patientsNaming(server.db, change.added)) parts.add(patientPart(p));
      for (const p of await store.heldPatientParts(device.id)) parts.add(p);
      state.org = 'users';
    } else if (change.added.length) {
      // Users who join only widen the scope: only what they bring beyond what is held is listed.
      for (const p of await brought(
        server,
        scope,
        actors.filter((a) => change.added.includes(a.id)),
      ))
        parts.add(patientPart(p));
      state.org = 'users';
    }
    usersKey = JSON.stringify({ gen: Number(row.users_dirty), keys } satisfies UsersKey);
    rememberActors(server, device, Number(row.users_dirty), upTo, { actors, keys }, now);
  } else {
    ({ actors, keys } = await deviceActors(server, device, Number(row.users_dirty), now));
  }
  if (!reset && row.evaluated_at)
    for (const p of await breakGlassCrossings(server.db, device, row.evaluated_at, now)) parts.add(patientPart(p));
  // A new or reset workstation gets everything as it is now; there is no change log to replay.
  if (reset) {
    state.from = upTo;
    state.winAfter = upTo;
  }
  state.scan = (await store.writeScan(device.id, parts)) > 0;
  if (state.scan) state.scanWritten = true;
  return {
    state,
    users: { actors, keys },
    marks: {
      users_key: usersKey,
      policy_key: policyKey,
      next_boundary: await nextBoundary(server.db, device, actors, now),
      evaluated_at: now,
      full_at: reset || structural ? now : row.full_at,
    },
  };
}
