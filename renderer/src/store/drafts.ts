/** Unsaved form input, kept across a lock for the same user and dropped when someone else signs in. */
import { create } from 'zustand';

interface DraftState {
  owner: string | null;
  drafts: Record<string, unknown>;
  setOwner(userId: string): void;
  get<T>(key: string): T | undefined;
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
  get<T>(key: string) {
    return get().drafts[key] as T | undefined;
  },
  put(key, value) {
    set({ drafts: { ...get().drafts, [key]: value } });
  },
  drop(key) {
    const { [key]: _gone, ...rest } = get().drafts;
    set({ drafts: rest });
  },
  clear() {
    set({ drafts: {}, owner: null });
  },
}));
