/**
 * Unsaved form input, kept across a lock for the same user and dropped when someone else signs in.
 * Each draft remembers when it was last typed in: a view that finds an older draft (STALE_DRAFT_MINUTES)
 * offers it with its age instead of opening it as if it were current (issue 18).
 */
import { create } from 'zustand';

/** A draft untouched this long is offered, not reopened: vitals typed then are no longer "now". */
export const STALE_DRAFT_MINUTES = 10;

export interface DraftEntry {
  value: unknown;
  /** When it was last changed (ms since the epoch, the renderer's clock). */
  updatedAt: number;
}

interface DraftState {
  owner: string | null;
  drafts: Record<string, DraftEntry>;
  setOwner(userId: string): void;
  put(key: string, value: unknown): void;
  drop(key: string): void;
  clear(): void;
}

export const useDrafts = create<DraftState>((set, get) => ({
  owner: null,
  drafts: {},
  setOwner(userId) {
    if (get().owner !== userId) set({ owner: userId, drafts: {} });
  },
  put(key, value) {
    set({ drafts: { ...get().drafts, [key]: { value, updatedAt: Date.now() } } });
  },
  drop(key) {
    const { [key]: _gone, ...rest } = get().drafts;
    set({ drafts: rest });
  },
  clear() {
    set({ drafts: {}, owner: null });
  },
}));

/** The keys among `keys` whose drafts are older than STALE_DRAFT_MINUTES at `now`. */
export function staleDrafts(drafts: Record<string, DraftEntry>, now: number): Set<string> {
  return new Set(
    Object.entries(drafts)
      .filter(([, d]) => now - d.updatedAt >= STALE_DRAFT_MINUTES * 60_000)
      .map(([k]) => k),
  );
}
