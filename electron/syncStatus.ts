/** What the status bar shows about sync. Until enrolled, the workstation works locally only. */
import type { Db } from '../src/store/db';

export interface SyncStatus {
  mode: 'local_only' | 'online' | 'offline' | 'syncing';
  pending: number;
  last_sync_at: string | null;
  last_error: string | null;
  rejected: Array<{ id: string; summary: string; reason: string; at: string | null }>;
}

export interface SyncStatusSource {
  status(): Promise<SyncStatus>;
  /** Ask for a sync now (no-op when local only). */
  syncNow(): Promise<SyncStatus>;
  onChange(listener: (s: SyncStatus) => void): () => void;
  stop?(): Promise<void>;
}

export async function outboxCounts(db: Db): Promise<Pick<SyncStatus, 'pending' | 'rejected'>> {
  const pending = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
  const rejected = await db.all<{ id: string; summary: string; result: string | null; resolved_at: string | null }>(
    "SELECT id, summary, result, resolved_at FROM outbox WHERE status IN ('rejected', 'conflict') ORDER BY seq DESC LIMIT 50");
  return {
    pending: Number(pending?.n ?? 0),
    rejected: rejected.map((r) => ({ id: r.id, summary: r.summary, reason: reasonOf(r.result), at: r.resolved_at })),
  };
}

function reasonOf(result: string | null): string {
  try {
    const r = JSON.parse(result ?? '{}') as { message?: unknown };
    return typeof r.message === 'string' ? r.message : 'Not accepted by the server.';
  } catch {
    return 'Not accepted by the server.';
  }
}

export class LocalSyncStatus implements SyncStatusSource {
  constructor(private readonly db: Db) {}
  async status(): Promise<SyncStatus> {
    return { mode: 'local_only', last_sync_at: null, last_error: null, ...(await outboxCounts(this.db)) };
  }
  syncNow(): Promise<SyncStatus> { return this.status(); }
  onChange(): () => void { return () => {}; }
}
