/**
 * Pruning deletion tombstones (docs/sync.md, "Tombstones"). A deleted row leaves a tombstone in
 * `row_versions` so workstations holding the row drop it. Once every workstation of the organization
 * that synced within the retention period has passed a tombstone's version, nobody needs it any more
 * and it is deleted. A workstation away for longer comes back behind `org_versions.pruned_to`: its
 * next cycle re-checks everything it holds against what is visible now (a full reconcile), which
 * removes deleted rows without their tombstones.
 */
import type { Db } from '../../store/db';
import { currentVersion } from './versions';

export const TOMBSTONE_RETENTION_DAYS = 30;

export interface PruneResult {
  org: string;
  pruned: number;
  horizon: number;
}

/** Prunes the organization's tombstones every active workstation has passed. */
export async function pruneTombstones(
  db: Db,
  orgId: string,
  now: string,
  retentionDays = TOMBSTONE_RETENTION_DAYS,
): Promise<PruneResult> {
  const since = new Date(Date.parse(now) - retentionDays * 86_400_000).toISOString();
  return db.transaction(async () => {
    const current = await currentVersion(db, orgId);
    // Workstations that hold something (a completed first page) and were seen within the period;
    // one mid-cycle keeps `acked_version` at the version its cycle started from.
    const held = await db.get<{ v: number | null }>(
      `SELECT MIN(s.acked_version) AS v FROM device_sync s JOIN devices d ON d.id = s.device_id
        WHERE d.org_id = ? AND d.revoked_at IS NULL AND s.acked_cursor IS NOT NULL AND d.last_seen_at >= ?`,
      [orgId, since],
    );
    const horizon = held?.v === null || held?.v === undefined ? current : Math.min(current, Number(held.v));
    const top = await db.get<{ v: number | null; n: number }>(
      'SELECT MAX(version) AS v, COUNT(*) AS n FROM row_versions WHERE org_id = ? AND deleted = 1 AND version <= ?',
      [orgId, horizon],
    );
    const pruned = Number(top?.n ?? 0);
    if (pruned === 0) return { org: orgId, pruned, horizon };
    await db.run('DELETE FROM row_versions WHERE org_id = ? AND deleted = 1 AND version <= ?', [orgId, horizon]);
    // Workstations behind the newest pruned tombstone may hold a row whose deletion they can no
    // longer learn from the log.
    await db.run('UPDATE org_versions SET pruned_to = ? WHERE org_id = ? AND pruned_to < ?', [
      Number(top!.v),
      orgId,
      Number(top!.v),
    ]);
    return { org: orgId, pruned, horizon };
  });
}

/** Prunes every organization's tombstones (the server does this hourly). */
export async function pruneAllTombstones(db: Db, now: string, retentionDays = TOMBSTONE_RETENTION_DAYS): Promise<PruneResult[]> {
  const orgs = await db.all<{ org_id: string }>('SELECT org_id FROM org_versions ORDER BY org_id');
  const out: PruneResult[] = [];
  for (const { org_id } of orgs) out.push(await pruneTombstones(db, org_id, now, retentionDays));
  return out;
}
