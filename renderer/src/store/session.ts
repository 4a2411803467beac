/**
 * Who is signed in, as the main process says. Patient data lives only inside mounted views, so
 * locking (which unmounts them) hides it at once; drafts survive a lock for the same user only.
 */
import { create } from 'zustand';
import { call, onAppEvent, onSessionProblem, type Response } from '../api';
import { useDrafts } from './drafts';
import { resetRoute } from './router';
import { useToasts } from './toasts';

export type SessionInfo = Response<'session.get'>;

interface SessionState {
  info: SessionInfo | null;
  /** Set the moment the renderer's own inactivity timer fires, before main confirms. */
  lockedLocally: boolean;
  refresh(): Promise<void>;
  apply(info: SessionInfo): void;
  lockNow(): Promise<void>;
}

export const useSession = create<SessionState>((set, get) => ({
  info: null,
  lockedLocally: false,
  async refresh() {
    get().apply(await call('session.get', {}));
  },
  apply(info) {
    const previous = get().info;
    // Quick user switch: another person's unsaved input, messages about their work, or the patient they
    // had open must not be shown to the next one (a wrong-patient risk): a new user starts on their own
    // home view. A lock hides the messages too. A link opened before anyone signed in is kept.
    const someoneElse = Boolean(info.user && previous?.user && info.user.id !== previous.user.id);
    const endedSession = Boolean(previous?.user && info.status === 'signed_out');
    if (someoneElse || info.status === 'signed_out') useDrafts.getState().clear();
    if (someoneElse || info.status !== 'active') useToasts.setState({ toasts: [] });
    if (someoneElse || endedSession) resetRoute();
    if (info.user) useDrafts.getState().setOwner(info.user.id);
    set({ info, lockedLocally: info.status === 'locked' ? get().lockedLocally : false });
  },
  async lockNow() {
    set({ lockedLocally: true });
    try {
      get().apply(await call('session.lock', {}));
    } catch {
      /* main locks on its own timer too */
    }
  },
}));

export const isActive = (s: SessionState): boolean => s.info?.status === 'active' && !s.lockedLocally;

let started = false;

/** Wires events from main, activity pings and the local inactivity timer (once). */
export function startSessionTracking(): void {
  if (started) return;
  started = true;
  onAppEvent((e) => {
    if (e.type === 'session') useSession.getState().apply(e.session);
  });
  onSessionProblem(() => {
    void useSession.getState().refresh();
  });
  let lastInput = Date.now();
  let lastPing = 0;
  const onInput = (): void => {
    lastInput = Date.now();
    if (!isActive(useSession.getState())) return;
    if (lastInput - lastPing > 15_000) {
      lastPing = lastInput;
      void call('session.activity', {}).catch(() => undefined);
    }
  };
  for (const type of ['keydown', 'pointerdown', 'wheel', 'touchstart'])
    window.addEventListener(type, onInput, { passive: true, capture: true });
  window.setInterval(() => {
    const s = useSession.getState();
    if (!isActive(s) || !s.info) return;
    if (Date.now() - lastInput >= s.info.auto_lock_minutes * 60_000) void s.lockNow();
  }, 1_000);
}
