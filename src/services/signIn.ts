/**
 * Verifying who is at the workstation (or calling the server): username + password, or badge + PIN,
 * against salted scrypt hashes (SPEC §6: offline sign-in). The same function decides on the server
 * and offline on the workstation.
 *
 * No lockout by strangers and no account enumeration (docs/security.md, T1): repeated failures slow
 * down the client that made them (src/services/throttle.ts) instead of locking the account; an
 * unknown username and a wrong secret get the same answer, and a throttled attempt the same answer
 * whether the name exists or not, all after the same work (exactly one scrypt of the default cost,
 * one transaction with the throttle counters and the audit event).
 */
import { AppError } from '../domain/errors';
import { DEFAULT_COST, hashSecret, verifySecret } from '../domain/secretHash';
import { ROOT_ORG_ID } from '../domain/roles';
import type { User } from '../domain/entities';
import { nowIso, type Clock } from '../domain/time';
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';
import type { Principal, ServiceContext } from './context';
import {
  accountKey,
  clearThrottle,
  heldBackAccounts,
  clientKey,
  DEFAULT_THROTTLE,
  recordAttempt,
  throttleState,
  type ThrottlePolicy,
} from './throttle';

/** The workstation's configuration (`lockout`): failures per client before backoff, longest backoff. */
export interface LockoutPolicy {
  maxAttempts: number;
  minutes: number;
}
export const throttleFromLockout = (l: LockoutPolicy | undefined): ThrottlePolicy =>
  l ? { ...DEFAULT_THROTTLE, perClient: l.maxAttempts, maxMinutes: l.minutes } : DEFAULT_THROTTLE;

export type Credentials =
  { method: 'password'; username: string; password: string } | { method: 'badge'; badge: string; pin: string };

let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => (dummyHash ??= hashSecret('not-a-real-secret', DEFAULT_COST));

export interface SignInOptions {
  db: Db;
  clock: Clock;
  lockout?: LockoutPolicy;
  /** Overrides `lockout` (the server passes its own). */
  throttle?: ThrottlePolicy;
  /** The enrolled organization: its users (and root) may sign in here. Null: any organization. */
  organization?: string | null;
  /** Who is trying: a workstation's device id, the caller's address, or "local" (this keyboard). */
  client?: string;
  /**
   * Whether the client is one of the user's own places (the server: an enrolled workstation the user
   * signed in on before). Such a client keeps its own budget: failures of strangers elsewhere never
   * hold it back, only its own (docs/security.md, round 3).
   */
  ownPlaceOf?: (userId: string) => Promise<boolean>;
  /**
   * The answer while the client is held back. Offline it reads like a wrong password (the person at the
   * keyboard learns nothing); the server says it is a pause, so its workstation decides offline instead.
   */
  throttledAnswer?: (c: Credentials) => AppError;
}

/**
 * One sentence for every failure: wrong, unknown, or held back after repeated failures (the server
 * answers a hold-back with SIGN_IN_PAUSED instead; both read the same for known and unknown names).
 */
export const SIGN_IN_REFUSED = {
  password: 'Username or password is incorrect. After several failed attempts, sign-in from this place is paused for a while.',
  badge: 'Badge or PIN is incorrect. After several failed attempts, sign-in from this place is paused for a while.',
} as const;

export const SIGN_IN_PAUSED =
  'Sign-in from this place is paused after several failed attempts. Try again in a few minutes, or ask an administrator to lift the pause.';

const refused = (c: Credentials): AppError => new AppError('unauthenticated', SIGN_IN_REFUSED[c.method]);

/**
 * The user an identifier names, among those who may sign in here: in the enrolled organization (or
 * root's), or — with no organization — the only user anywhere with that name (a name used in several
 * organizations then needs the organization; it is refused like an unknown one).
 */
async function findUser(db: Db, c: Credentials, organization: string | null): Promise<User | undefined> {
  const column = c.method === 'password' ? 'username' : 'badge';
  const value = c.method === 'password' ? c.username.toLowerCase() : c.badge;
  const rows = organization
    ? await db.all<User>(`SELECT * FROM users WHERE ${column} = ? AND org_id IN (?, ?) LIMIT 2`, [
        value,
        organization,
        ROOT_ORG_ID,
      ])
    : await db.all<User>(`SELECT * FROM users WHERE ${column} = ? LIMIT 2`, [value]);
  return rows.length === 1 ? rows[0] : undefined;
}

export async function verifyCredentials(opts: SignInOptions, c: Credentials): Promise<User> {
  const { db, clock } = opts;
  const policy = opts.throttle ?? throttleFromLockout(opts.lockout);
  const organization = opts.organization ?? null;
  const now = nowIso(clock);
  const identifier = c.method === 'password' ? c.username : c.badge;
  const user = await findUser(db, c, organization);
  const ownPlace = user && opts.ownPlaceOf ? await opts.ownPlaceOf(user.id) : false;
  const state = await throttleState(
    db,
    accountKey(user?.id ?? null, c.method, identifier, organization),
    clientKey(opts.client ?? 'local'),
    now,
    policy,
    ownPlace,
  );
  const cred = user
    ? await db.get<{ password_hash: string | null; pin_hash: string | null }>(
        'SELECT password_hash, pin_hash FROM credentials WHERE user_id = ?',
        [user.id],
      )
    : undefined;
  const stored = (c.method === 'password' ? cred?.password_hash : cred?.pin_hash) ?? null;
  // Exactly one slow hash whatever the case: the stored one, or a stand-in of the default cost.
  const matches = await verifySecret(c.method === 'password' ? c.password : c.pin, stored ?? (await dummy()));
  const ok = matches && stored !== null && user !== undefined && !state.throttled;
  const outcome = ok ? 'success' : state.throttled ? 'throttled' : 'failure';
  await db.transaction(async () => {
    await recordAttempt(db, state, outcome, now, policy);
    await appendAudit(db, {
      at: now,
      actor: user?.id ?? 'unknown',
      on_behalf_of: null,
      action: `sign_in_${c.method}`,
      resource: user ? `User:${user.id}` : 'User:unknown',
      decision: ok ? 'allow' : 'forbidden',
      reason: ok ? null : outcome === 'throttled' ? 'throttled' : 'unauthenticated',
      org_id: user?.org_id ?? null,
    });
  });
  if (!ok) throw outcome === 'throttled' && opts.throttledAnswer ? opts.throttledAnswer(c) : refused(c);
  return user;
}

/** The throttle counter of a known account (every sign-in method of the user shares it). */
export const userThrottleKey = (userId: string): string => accountKey(userId, 'password', '', null);

/** Users some client is currently held back on (the administration view shows them as locked). */
export async function heldBackUsers(db: Db, userIds: string[], now: string): Promise<Set<string>> {
  const byKey = new Map(userIds.map((id) => [userThrottleKey(id), id]));
  return new Set((await heldBackAccounts(db, [...byKey.keys()], now)).map((k) => byKey.get(k)!));
}

/** An administrator lifts the backoff on an account, from every client (User `manage_roles` is checked by the caller). */
export async function clearLockout(db: Db, userId: string): Promise<void> {
  await clearThrottle(db, [userThrottleKey(userId)]);
  // The hard lock of earlier versions, in case a database still carries one.
  await db.run('UPDATE credentials SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?', [userId]);
}

/**
 * Lifts an account's sign-in backoff here, as an administrator of the account (`manage_roles` on the
 * user, not self-service and not while viewing as someone else), audited. Returns the signed-in user.
 */
export async function resetLockout(ctx: ServiceContext, principal: Principal, userId: string): Promise<{ realId: string }> {
  const { actor, real } = await ctx.authz.resolve(principal);
  if (principal.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
  const decision = await ctx.authz.decideAs(actor, 'manage_roles', { type: 'User', id: userId });
  if (decision !== 'allow')
    throw new AppError(
      decision,
      decision === 'not_found' ? 'That user was not found.' : 'Only an administrator of this organization may unlock accounts.',
    );
  const user = await ctx.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [userId]);
  await ctx.db.transaction(async () => {
    await clearLockout(ctx.db, userId);
    await appendAudit(ctx.db, {
      at: actor.now,
      actor: real.id,
      on_behalf_of: null,
      action: 'reset_lockout',
      resource: `User:${userId}`,
      decision: 'allow',
      reason: null,
      org_id: user?.org_id ?? null,
    });
  });
  return { realId: real.id };
}
