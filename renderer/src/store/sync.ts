/**
 * The sync status as main tells it to this user (electron/syncStatus.ts): asked on start and every
 * 10 s, and pushed by main on every change. The status bar, the stale-data bar and the "not sent yet"
 * marks read it from here.
 */
import { create } from 'zustand';
import { call, onAppEvent, type Response } from '../api';

export type SyncStatus = Response<'sync.status'>;

interface SyncState {
  status: SyncStatus | null;
  set(status: SyncStatus): void;
}

export const useSync = create<SyncState>((set) => ({
  status: null,
  set: (status) => set({ status }),
}));

/** Keeps the store current while the signed-in frame is shown; returns the stop function. */
export function trackSyncStatus(): () => void {
  let live = true;
  const load = (): void => {
    call('sync.status', {}).then(
      (s) => {
        if (live) useSync.getState().set(s);
      },
      () => undefined,
    );
  };
  load();
  const timer = window.setInterval(load, 10_000);
  const off = onAppEvent((e) => {
    if (e.type === 'sync') useSync.getState().set(e.status);
  });
  return () => {
    live = false;
    window.clearInterval(timer);
    off();
  };
}

/** Marks for unsent items only where there is a server to send them to (not on a local-only workstation). */
export const useMarksPending = (): boolean => useSync((s) => Boolean(s.status && s.status.mode !== 'local_only'));
