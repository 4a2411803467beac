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
import { actorFilterKey, loadActor, type Actor } from '../../authz/actor';
import type { Device } from '../auth';
import type { Server } from '../context';
import { deviceActors, rememberActors, type DeviceActors } from './actors';
import { orgVersions, tablesChanged } from './changeLog';
import type { CycleState, PlanMarks, UsersKey } from './cycle';
import type { DeviceSyncState } from './deviceState';
import { breakGlassCrossings, deviceUsers, nextBoundary } from './deviceUsers';
import { patientPart, tablesWhereChangeMeans } from './partitions';
import { brought, candidates, reachedBefore } from './patientRows';
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

/**
 * Whether a user's new policy-relevant key only adds to the old one (`actorFilterKey`: id,
 * organization, patient link, groups, active assignments): the same identity with a superset of
 * groups and assignments. The policy grants by any assignment or group (an OR; clearances are per
 * assignment), so such a change only widens what the user may read.
 */
export function widens(before: string, after: string): boolean {
  const [id0, org0, pat0, groups0, active0] = before.split('|');
  const [id1, org1, pat1, groups1, active1] = after.split('|');
  if (id0 !== id1 || org0 !== org1 || pat0 !== pat1 || before.split('|').length !== after.split('|').length) return false;
  const has = (all: string | undefined, sep: string): Set<string> => new Set((all ?? '').split(sep).filter(Boolean));
  const superset = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x));
  return superset(has(groups0, ','), has(groups1, ',')) && superset(has(active0, ';'), has(active1, ';'));
}

/**
 * These users as they were when the scope was last computed (`at`): loaded for that moment, and
 * only if that reproduces their remembered key exactly (a shift that ended, a user whose week there
 * ran out); null otherwise (an assignment row was changed or deleted since).
 */
async function usersAsBefore(server: Server, prev: UsersKey, at: string | null, users: string[]): Promise<Actor[] | null> {
  if (!at) return null;
  const out: Actor[] = [];
  for (const u of users) {
    const a = await loadActor(server.db, u, at);
    if (!a || actorFilterKey(a) !== prev.keys[u]) return null;
    out.push(a);
  }
  return out;
}

/** What the plan decided before listing candidates for the workstation's users. */
interface UsersDue {
  reset: boolean;
  structural: boolean;
  upTo: number;
  now: string;
  prev: UsersKey | null;
}

/**
 * The partitions to re-evaluate because the workstation's users changed (see the module comment),
 * added to `parts`; sets which reference data the cycle re-checks (`state.org`). The users as now.
 */
async function listUsersChange(
  server: Server,
  device: Device,
  row: DeviceSyncState,
  { reset, structural, upTo, now, prev }: UsersDue,
  parts: Set<string>,
  state: CycleState,
): Promise<DeviceActors & { usersKey: string }> {
  const { store } = server.sync;
  const { actors, keys } = await deviceUsers(server.db, device, now);
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
  } else if (change.added.length || change.changed.length || change.removed.length) {
    // Users who join, or whose access only grew (a role granted), only widen the scope: what they
    // bring beyond what is held is listed. One who left or whose access narrowed (a shift ended, a
    // role revoked) takes away at most what they reached before: the held partitions they could
    // read something of, found with them as they were when the scope was last computed — or, when
    // that cannot be reproduced exactly (their assignment rows changed), everything held.
    const widened = change.changed.filter((u) => widens(prev!.keys[u]!, keys[u]!));
    const narrowed = [...change.changed.filter((u) => !widened.includes(u)), ...change.removed];
    // A changed user may gain as well as lose (one assignment for another): what she brings is listed too.
    const grown = [...change.added, ...change.changed];
    for (const p of await brought(
      server,
      scope,
      actors.filter((a) => grown.includes(a.id)),
    ))
      parts.add(patientPart(p));
    if (narrowed.length) {
      const before = await usersAsBefore(server, prev!, row.evaluated_at, narrowed);
      if (before) for (const p of await reachedBefore(server, scope, before)) parts.add(patientPart(p));
      else for (const p of await store.heldPatientParts(device.id)) parts.add(p);
    }
    state.org = 'users';
  }
  rememberActors(server, device, Number(row.users_dirty), upTo, { actors, keys }, now);
  return { actors, keys, usersKey: JSON.stringify({ gen: Number(row.users_dirty), keys } satisfies UsersKey) };
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
    // Listing candidates is the costly part of a plan (filters compiled for new users, a statement
    // per table): a few plans at a time, so that in a shift change the first workstations are answered
    // after their own plan rather than after everyone's. What decided above is cheap and needs no slot
    // (an idle workstation is answered at once); a waiting pull holds no statement or transaction.
    ({ actors, keys, usersKey } = await server.sync.plans.run(() =>
      listUsersChange(server, device, row, { reset, structural, upTo, now, prev }, parts, state),
    ));
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
