/**
 * How long a sign-in keeps a user's data on a workstation (docs/sync.md, "What a workstation holds";
 * docs/security.md, P4). What a workstation holds is computed from its users who signed in there
 * within the last SIGN_IN_KEEPS_DATA_DAYS days — online (the server checked their password), or
 * offline as proven by a sign-in event signed with their registered password key — and who still have
 * access there. Root never widens it. When a user's week passes, the next cycle removes what only they
 * could read, and their credentials leave (their password stops working there offline).
 */
import { ROOT_ORG_ID } from '../domain/roles';
import type { Db } from '../store/db';

export const SIGN_IN_KEEPS_DATA_DAYS = 7;
const KEEP_MS = SIGN_IN_KEEPS_DATA_DAYS * 86_400_000;

const keptSince = (now: string): string => new Date(Date.parse(now) - KEEP_MS).toISOString();

/** The workstation's users whose data it may hold now (access is checked by the caller). */
export async function recentUsers(db: Db, deviceId: string, now: string): Promise<string[]> {
  return (
    await db.all<{ user_id: string }>(
      `SELECT du.user_id FROM device_users du JOIN users u ON u.id = du.user_id
       WHERE du.device_id = ? AND du.last_seen > ? AND u.org_id <> ? ORDER BY du.user_id`,
      [deviceId, keptSince(now), ROOT_ORG_ID],
    )
  ).map((r) => r.user_id);
}

/** The moment the first of them drops out: the pull plans a cycle then. */
export async function nextDeparture(db: Db, deviceId: string, now: string): Promise<string | null> {
  const r = await db.get<{ t: string | null }>(
    `SELECT MIN(du.last_seen) AS t FROM device_users du JOIN users u ON u.id = du.user_id
     WHERE du.device_id = ? AND du.last_seen > ? AND u.org_id <> ?`,
    [deviceId, keptSince(now), ROOT_ORG_ID],
  );
  return r?.t ? new Date(Date.parse(r.t) + KEEP_MS).toISOString() : null;
}

/**
 * A proven offline sign-in keeps the user's data there a week longer. It never adds a user: only an
 * online sign-in (the server checking the password) does. One who had dropped out comes back on the
 * next cycle.
 */
export async function refreshSignIn(db: Db, deviceId: string, userId: string, at: string, now: string): Promise<void> {
  const when = at < now ? at : now;
  const row = await db.get<{ last_seen: string }>('SELECT last_seen FROM device_users WHERE device_id = ? AND user_id = ?', [
    deviceId,
    userId,
  ]);
  if (!row || row.last_seen >= when) return;
  await db.run('UPDATE device_users SET last_seen = ? WHERE device_id = ? AND user_id = ?', [when, deviceId, userId]);
  if (row.last_seen <= keptSince(now))
    await db.run('UPDATE device_sync SET users_dirty = users_dirty + 1 WHERE device_id = ?', [deviceId]);
}
