/**
 * What the status bar asks of sync (the sync engine provides it), as the person at the screen may see
 * it (issue 18): the changes the server refused are told to their author only (never to the next user
 * at a shared ward screen, nor while locked), and the age of the data is given, with `stale` once it is
 * STALE_DATA_MINUTES old. Until enrolled, the workstation works locally only (never stale).
 */
import type { SyncStatus } from '../src/sync/engine';
import type { Clock } from '../src/domain/time';
import type { Db } from '../src/store/db';
import type { WorkstationSession } from '../src/services/session';
import { rejectedChangesOf, type RejectedChange } from '../src/services/outbox';

export type { SyncStatus };

export interface SyncStatusSource {
  status(): Promise<SyncStatus>;
  /** Ask for a sync now (no-op when local only). */
  syncNow(): Promise<SyncStatus>;
  onChange(listener: (s: SyncStatus) => void): () => void;
  stop?(): Promise<void>;
}

/**
 * Data older than this is flagged prominently. Sync runs every 30 s and on every change; a quarter of an
 * hour without it means results, notes and alerts written elsewhere may be missing (docs/ui.md).
 */
export const STALE_DATA_MINUTES = 15;

export interface SyncStatusView extends Omit<SyncStatus, 'rejected' | 'held'> {
  rejected: RejectedChange[];
  /** The signed-in user's own changes kept here until she confirms them by signing in with her password. */
  held: Array<{ id: string; summary: string; reason: string }>;
  /** Whole minutes since the last complete sync; null when it never synced. */
  data_age_minutes: number | null;
  /** Enrolled, and the data is STALE_DATA_MINUTES old or older (or never synced). */
  stale: boolean;
}

export async function syncStatusFor(
  ws: { db: Db; clock: Clock; session: WorkstationSession },
  status: SyncStatus,
): Promise<SyncStatusView> {
  const user = ws.session.status === 'active' ? ws.session.user : null;
  const age = status.last_sync_at
    ? Math.max(0, Math.floor((ws.clock.now().getTime() - Date.parse(status.last_sync_at)) / 60_000))
    : null;
  return {
    ...status,
    rejected: user ? await rejectedChangesOf(ws.db, user.id) : [],
    // Like refusals, changes waiting for their author are told to that author only.
    held: user
      ? (status.held ?? []).filter((h) => h.actor_id === user.id).map(({ id, summary, reason }) => ({ id, summary, reason }))
      : [],
    data_age_minutes: age,
    stale: status.mode !== 'local_only' && (age === null || age >= STALE_DATA_MINUTES),
  };
}
