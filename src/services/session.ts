/**
 * The sign-in session of a shared ward workstation. Main holds it: the renderer never names the user
 * it acts as. Inactivity locks the session (patient data hidden at once); a long-locked or very old
 * session is signed out. Quick user switch is signing in as someone else from the lock screen.
 */
import { AppError } from '../domain/errors';
import type { User } from '../domain/entities';
import { ROOT_ORG_ID } from '../domain/roles';
import type { Clock } from '../domain/time';
import type { Db } from '../store/db';
import type { AuthzEngine, Principal } from '../authz/engine';
import { appendAudit } from '../store/audit';
import { SIGN_IN_REFUSED, verifyCredentials, type Credentials, type LockoutPolicy } from './signIn';

export interface SessionTimes {
  /** Inactivity before the screen locks (SPEC §7: default 5 minutes). */
  autoLockMinutes: number;
  /** A locked session is signed out after this long (unsaved drafts are then discarded). */
  lockedSignOutMinutes: number;
  /** Nobody stays signed in longer than this without signing in again. */
  maxSessionHours: number;
}

export const DEFAULT_SESSION_TIMES: SessionTimes = { autoLockMinutes: 5, lockedSignOutMinutes: 60, maxSessionHours: 12 };

export type SessionStatus = 'signed_out' | 'active' | 'locked';

interface State {
  status: SessionStatus;
  user: User | null;
  viewAs: User | null;
  signedInAt: number;
  lastActivity: number;
  lockedAt: number;
}

type OnlineAnswer = { outcome: 'ok' | 'rejected' | 'throttled' | 'unreachable'; message?: string; userId?: string };

/** The central server's view of a sign-in (SPEC §6: the server's answer wins online). */
export interface OnlineSignIn {
  signInOnline(username: string, password: string): Promise<OnlineAnswer>;
  /** A badge and PIN, checked by the server like a password (issue 20); absent: decided here. */
  signInBadge?(badge: string, pin: string): Promise<OnlineAnswer>;
}

export interface SessionDeps {
  db: Db;
  clock: Clock;
  engine: AuthzEngine;
  times?: Partial<SessionTimes>;
  lockout?: LockoutPolicy;
  organization?: string | null;
  online?: OnlineSignIn | null;
  /** Called after a successful sign-in (the workstation syncs so the user's data arrives). */
  onSignedIn?: (user: User) => void;
  /**
   * After a sign-in decided here (offline, or by badge): unlocks the user's signing key with the same
   * secret (src/sync/userKeys.ts). An online sign-in did it already.
   */
  unlockKey?: (user: User, c: Credentials) => Promise<void>;
  /** The user is no longer signed in here (signed out, timed out, or someone else signed in): forget their key and server sign-in. */
  onSignedOut?: (userId: string) => void;
}

export class WorkstationSession {
  readonly times: SessionTimes;
  #state: State = { status: 'signed_out', user: null, viewAs: null, signedInAt: 0, lastActivity: 0, lockedAt: 0 };
  readonly #listeners = new Set<() => void>();

  readonly #deps: SessionDeps;
  constructor(deps: SessionDeps) {
    this.#deps = { ...deps };
    this.times = { ...DEFAULT_SESSION_TIMES, ...deps.times };
  }

  get status(): SessionStatus {
    return this.#state.status;
  }

  /** After enrollment: only this organization's users (and root) may sign in here. */
  setOrganization(orgId: string | null): void {
    this.#deps.organization = orgId;
  }
  get user(): User | null {
    return this.#state.user;
  }
  get viewAs(): User | null {
    return this.#state.viewAs;
  }
  get isRoot(): boolean {
    return this.#state.user?.org_id === ROOT_ORG_ID;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(patch: Partial<State>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l();
  }

  #now(): number {
    return this.#deps.clock.now().getTime();
  }

  /** The principal for the current request; refuses when nobody is signed in or the screen is locked. */
  principal(): Principal {
    this.tick();
    const s = this.#state;
    if (s.status === 'signed_out' || !s.user) throw new AppError('unauthenticated', 'Please sign in.');
    if (s.status === 'locked') throw new AppError('locked', 'The workstation is locked. Sign in again to continue.');
    return { userId: s.user.id, as: s.viewAs?.id ?? null };
  }

  async signIn(c: Credentials): Promise<void> {
    const { user, here } = await this.#verify(c);
    if (here) await this.#deps.unlockKey?.(user, c);
    const previous = this.#state.user;
    const now = this.#now();
    this.#set({ status: 'active', user, viewAs: null, signedInAt: now, lastActivity: now, lockedAt: 0 });
    if (previous && previous.id !== user.id) this.#deps.onSignedOut?.(previous.id);
    this.#deps.onSignedIn?.(user);
  }

  /**
   * Online, the server decides a password sign-in (a password changed or an account locked there
   * wins, and a user new to this workstation can start here); offline, or when the server only paused
   * sign-in from here, the cached hash decides.
   */
  async #verify(c: Credentials): Promise<{ user: User; here: boolean }> {
    const local = {
      db: this.#deps.db,
      clock: this.#deps.clock,
      lockout: this.#deps.lockout,
      organization: this.#deps.organization,
    };
    const online = this.#deps.online;
    if (!online) return { user: await verifyCredentials(local, c), here: true };
    if (c.method === 'badge') return this.#verifyBadge(online, local, c);
    const answer = await online.signInOnline(c.username, c.password);
    // Paused by the server (no verdict on the password): the cached hash and this keyboard's own budget decide.
    if (answer.outcome === 'unreachable' || answer.outcome === 'throttled')
      return { user: await verifyCredentials(local, c), here: true };
    if (answer.outcome === 'rejected') {
      throw new AppError('unauthenticated', answer.message ?? 'Username or password is incorrect.');
    }
    const user = await this.#deps.db.get<User>('SELECT * FROM users WHERE username = ?', [c.username.toLowerCase()]);
    if (!user) {
      if (answer.userId && answer.userId !== this.#state.user?.id) this.#deps.onSignedOut?.(answer.userId);
      throw new AppError(
        'unauthenticated',
        'Your account is not on this workstation yet. Wait a moment for it to sync and sign in again.',
      );
    }
    return { user, here: false };
  }

  /**
   * Online, the server decides a badge sign-in as it decides a password (issue 20): a PIN changed,
   * a badge given to someone else or an account held back there wins over this workstation's copy,
   * and the server logs it. Offline, or paused by the server, the cached PIN hash decides. The badge
   * key is unlocked here either way (the server registers keys only at a password sign-in).
   */
  async #verifyBadge(
    online: OnlineSignIn,
    local: Parameters<typeof verifyCredentials>[0],
    c: Extract<Credentials, { method: 'badge' }>,
  ): Promise<{ user: User; here: boolean }> {
    const answer = online.signInBadge ? await online.signInBadge(c.badge, c.pin) : ({ outcome: 'unreachable' } as const);
    if (answer.outcome === 'unreachable' || answer.outcome === 'throttled')
      return { user: await verifyCredentials(local, c), here: true };
    if (answer.outcome === 'rejected') throw new AppError('unauthenticated', answer.message ?? SIGN_IN_REFUSED.badge);
    const user = answer.userId ? await this.#deps.db.get<User>('SELECT * FROM users WHERE id = ?', [answer.userId]) : undefined;
    if (!user)
      throw new AppError(
        'unauthenticated',
        'Your account is not on this workstation yet. Sign in once with your username and password.',
      );
    return { user, here: true };
  }

  /** Unlocks for the same user, by password or PIN. */
  async unlock(secret: string): Promise<void> {
    this.tick();
    const { user, status } = this.#state;
    if (status !== 'locked' || !user) throw new AppError('invalid', 'The workstation is not locked.');
    const cred = await this.#deps.db.get<{ pin_hash: string | null }>('SELECT pin_hash FROM credentials WHERE user_id = ?', [
      user.id,
    ]);
    const byPin = /^\d{4,8}$/.test(secret) && cred?.pin_hash;
    const c: Credentials =
      byPin && user.badge
        ? { method: 'badge', badge: user.badge, pin: secret }
        : { method: 'password', username: user.username, password: secret };
    await verifyCredentials(
      { db: this.#deps.db, clock: this.#deps.clock, lockout: this.#deps.lockout, organization: this.#deps.organization },
      c,
    );
    this.#set({ status: 'active', lastActivity: this.#now(), lockedAt: 0 });
  }

  /**
   * The signed-in user proves it is still them (before break-glass in their name, issue 20): their
   * password, or their own badge and its PIN — checked here like an unlock, offline too, against this
   * keyboard's sign-in budget, and audited as a sign-in.
   */
  async confirmIdentity(proof: { password: string } | { badge: string; pin: string }): Promise<void> {
    this.principal();
    const user = this.#state.user!;
    if ('badge' in proof && proof.badge !== user.badge)
      throw new AppError('unauthenticated', 'That badge is not yours. Tap your own badge, or type your password.');
    const c: Credentials =
      'badge' in proof
        ? { method: 'badge', badge: proof.badge, pin: proof.pin }
        : { method: 'password', username: user.username, password: proof.password };
    const who = await verifyCredentials(
      { db: this.#deps.db, clock: this.#deps.clock, lockout: this.#deps.lockout, organization: this.#deps.organization },
      c,
    );
    if (who.id !== user.id) throw new AppError('unauthenticated', SIGN_IN_REFUSED[c.method]);
    this.touch();
  }

  lock(): void {
    if (this.#state.status === 'active') this.#set({ status: 'locked', lockedAt: this.#now() });
  }

  signOut(): void {
    const previous = this.#state.user;
    this.#set({ status: 'signed_out', user: null, viewAs: null, signedInAt: 0, lastActivity: 0, lockedAt: 0 });
    if (previous) this.#deps.onSignedOut?.(previous.id);
  }

  /** Keyboard or pointer input in the window. */
  touch(): void {
    if (this.tick() === 'active') this.#state.lastActivity = this.#now();
  }

  /** Root's "view as": starting, refusing and ending it are audited (the events name both users). */
  async setViewAs(userId: string | null): Promise<void> {
    const { user } = this.#state;
    this.principal();
    const audit = async (
      action: 'impersonate' | 'impersonate_end',
      target: string,
      decision: 'allow' | 'forbidden' | 'not_found',
      orgId: string | null,
    ): Promise<void> => {
      await appendAudit(this.#deps.db, {
        at: new Date(this.#now()).toISOString(),
        actor: user!.id,
        on_behalf_of: action === 'impersonate' && decision === 'allow' ? target : null,
        action,
        resource: `User:${target}`,
        decision,
        reason: null,
        org_id: orgId,
      });
    };
    if (userId === null) {
      const ended = this.#state.viewAs;
      this.#set({ viewAs: null });
      if (ended && user) await audit('impersonate_end', ended.id, 'allow', ended.org_id);
      return;
    }
    if (!user || !this.isRoot) {
      if (user) await audit('impersonate', userId, 'forbidden', user.org_id);
      throw new AppError('forbidden', 'Only root may view the workstation as another user.');
    }
    const decision = await this.#deps.engine.authorize({ userId: user.id }, 'impersonate', { type: 'User', id: userId });
    const target = await this.#deps.db.get<User>('SELECT * FROM users WHERE id = ?', [userId]);
    if (decision !== 'allow') {
      if (target) await audit('impersonate', userId, decision === 'not_found' ? 'not_found' : 'forbidden', target.org_id);
      throw new AppError(decision === 'not_found' ? 'not_found' : 'forbidden', 'You may not view the workstation as that user.');
    }
    await audit('impersonate', userId, 'allow', target?.org_id ?? null);
    this.#set({ viewAs: target ?? null });
  }

  /** Applies the timers; main calls it every few seconds and before every request. */
  tick(): SessionStatus {
    const s = this.#state;
    const now = this.#now();
    const lockAfter = this.times.autoLockMinutes * 60_000;
    if (s.status === 'active') {
      if (now - s.signedInAt >= this.times.maxSessionHours * 3_600_000) {
        this.signOut();
        return 'signed_out';
      }
      // Locked as of the moment inactivity ran out, even if nobody looked since.
      if (now - s.lastActivity >= lockAfter) this.#set({ status: 'locked', lockedAt: s.lastActivity + lockAfter });
    }
    if (this.#state.status === 'locked' && now - this.#state.lockedAt >= this.times.lockedSignOutMinutes * 60_000) this.signOut();
    return this.#state.status;
  }
}
