/** What the status bar asks of sync (the sync engine provides it). Until enrolled, the workstation works locally only. */
import type { SyncStatus } from '../src/sync/engine';

export type { SyncStatus };

export interface SyncStatusSource {
  status(): Promise<SyncStatus>;
  /** Ask for a sync now (no-op when local only). */
  syncNow(): Promise<SyncStatus>;
  onChange(listener: (s: SyncStatus) => void): () => void;
  stop?(): Promise<void>;
}
