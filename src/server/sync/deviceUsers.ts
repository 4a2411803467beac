/**
 * The users whose data a workstation holds: those who signed in through it, for as long as their
 * access there lasts (docs/sync.md). What the scope depends on for each of them is the policy-relevant
 * part of the actor (identity, groups, assignments active now: `actorFilterKey`), so the scope is
 * recomputed only when one of those keys changes, when a user joins or leaves, or when a shift or a
 * break-glass window starts or ends (the next such moment is kept).
 */
import { actorFilterKey, loadActor, type Actor } from '../../authz/actor';
import { ROOT_ORG_ID } from '../../domain/roles';
import type { Db } from '../../store/db';
import type { Device } from '../auth';
import { nextDeparture, recentUsers } from '../signInWindow';

export interface DeviceUsers {
  actors: Actor[];
  /** user id → policy-relevant key of that user now. */
  keys: Record<string, string>;
  /** Users removed from the workstation because their access there ended. */
  pruned: string[];
}

/**
 * A user keeps their place on a workstation while they still have a reason to sign in there: an
 * assignment in its organization (and facility, when it is limited to one) that is active or starts
 * later, directly or through a group; a care team of the organization; an open appointment as the
 * clinician; or being a patient of the organization. `_root` accounts stay known (their pushed
 * changes are accepted while their session lasts) but their credentials never travel.
 */
async function stillHasAccess(db: Db, device: Device, userId: string, now: string): Promise<boolean> {
  const user = await db.get<{ org_id: string; patient_id: string | null }>('SELECT org_id, patient_id FROM users WHERE id = ?', [
    userId,
  ]);
  if (!user) return false;
  if (user.org_id === ROOT_ORG_ID) return true;
  if (user.org_id !== device.org_id) return false;
  if (user.patient_id) return true;
  const f = device.facility_id;
  const inScope = f
    ? `(ra.scope_type = 'Organization' OR (ra.scope_type = 'Facility' AND ra.scope_id = ?)
        OR (ra.scope_type = 'Ward' AND ra.scope_id IN (SELECT id FROM wards WHERE facility_id = ?))
        OR (ra.scope_type = 'Room' AND ra.scope_id IN (SELECT id FROM room_scope WHERE facility_id = ?)))`
    : '1=1';
  const scopeParams = f ? [f, f, f] : [];
  const assignment = await db.get(
    `SELECT 1 FROM role_assignments ra WHERE ra.org_id = ? AND (ra.valid_until IS NULL OR ra.valid_until > ?) AND ${inScope}
       AND (ra.user_id = ? OR ra.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)) LIMIT 1`,
    [device.org_id, now, ...scopeParams, userId, userId],
  );
  if (assignment) return true;
  const team = await db.get(
    `SELECT 1 FROM care_team_members m JOIN care_teams t ON t.id = m.team_id WHERE t.org_id = ?
       AND (m.user_id = ? OR m.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)) LIMIT 1`,
    [device.org_id, userId, userId],
  );
  if (team) return true;
  return (
    (await db.get("SELECT 1 FROM appointments WHERE clinician_id = ? AND status IN ('scheduled', 'in_progress') LIMIT 1", [
      userId,
    ])) !== undefined
  );
}

/** Loads the workstation's users as actors at `now`, removing those whose access there ended. */
export async function deviceUsers(db: Db, device: Device, now: string): Promise<DeviceUsers> {
  // Only those who signed in there lately, never root (issue 20: src/server/signInWindow.ts).
  const ids = await recentUsers(db, device.id, now);
  const actors: Actor[] = [];
  const pruned: string[] = [];
  for (const id of ids) {
    const actor = (await stillHasAccess(db, device, id, now)) ? await loadActor(db, id, now) : null;
    if (actor) actors.push(actor);
    else pruned.push(id);
  }
  for (const id of pruned) await db.run('DELETE FROM device_users WHERE device_id = ? AND user_id = ?', [device.id, id]);
  return { actors, keys: Object.fromEntries(actors.map((a) => [a.id, actorFilterKey(a)])), pruned };
}

/** The next moment after `now` at which these users' assignments or the organization's break-glass windows start or end. */
export async function nextBoundary(db: Db, device: Device, actors: readonly Actor[], now: string): Promise<string | null> {
  const times: string[] = [];
  for (const a of actors) {
    for (const g of a.assignments) {
      if (g.valid_from && g.valid_from > now) times.push(g.valid_from);
      if (g.valid_until && g.valid_until > now) times.push(g.valid_until);
    }
  }
  const bg = await db.get<{ s: string | null; e: string | null }>(
    `SELECT MIN(CASE WHEN bg.started_at > ? THEN bg.started_at END) AS s, MIN(CASE WHEN bg.expires_at > ? THEN bg.expires_at END) AS e
     FROM break_glass bg JOIN patients p ON p.id = bg.patient_id WHERE p.org_id = ? AND bg.expires_at > ?`,
    [now, now, device.org_id, now],
  );
  if (bg?.s) times.push(bg.s);
  if (bg?.e) times.push(bg.e);
  const leaves = await nextDeparture(db, device.id, now);
  if (leaves) times.push(leaves);
  return times.length ? times.sort()[0]! : null;
}

/** Patients whose break-glass window started or ended in (since, now]: their partitions change. */
export async function breakGlassCrossings(db: Db, device: Device, since: string, now: string): Promise<string[]> {
  const rows = await db.all<{ p: string }>(
    `SELECT DISTINCT bg.patient_id AS p FROM break_glass bg JOIN patients p ON p.id = bg.patient_id WHERE p.org_id = ?
       AND ((bg.started_at > ? AND bg.started_at <= ?) OR (bg.expires_at > ? AND bg.expires_at <= ?))`,
    [device.org_id, since, now, since, now],
  );
  return rows.map((r) => r.p);
}
