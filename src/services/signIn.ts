/**
 * Verifying who is at the workstation: username + password, or badge + PIN, against salted scrypt
 * hashes in the local database (SPEC §6: offline sign-in). Repeated failures lock the account for a
 * while; an administrator can lift the lock. Messages never say which of the two was wrong, and an
 * unknown user costs the same time as a known one.
 */
import { AppError } from '../domain/errors';
import { DEFAULT_COST, hashSecret, verifySecret } from '../domain/secretHash';
import { ROOT_ORG_ID } from '../domain/roles';
import type { User } from '../domain/entities';
import { addMinutes, nowIso, type Clock } from '../domain/time';
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';

export interface LockoutPolicy { maxAttempts: number; minutes: number }
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxAttempts: 5, minutes: 15 };

export type Credentials = { method: 'password'; username: string; password: string } | { method: 'badge'; badge: string; pin: string };

interface CredentialRow { user_id: string; password_hash: string | null; pin_hash: string | null; failed_attempts: number; locked_until: string | null }

let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => (dummyHash ??= hashSecret('not-a-real-secret', DEFAULT_COST));

export interface SignInOptions {
  db: Db;
  clock: Clock;
  lockout?: LockoutPolicy;
  /** The enrolled organization: its users (and root) may sign in here. Null: any organization. */
  organization?: string | null;
}

const WRONG = (c: Credentials) => new AppError('unauthenticated',
  c.method === 'password' ? 'Username or password is incorrect.' : 'Badge or PIN is incorrect.');

export async function verifyCredentials(opts: SignInOptions, c: Credentials): Promise<User> {
  const { db, clock } = opts;
  const lockout = opts.lockout ?? DEFAULT_LOCKOUT;
  const user = c.method === 'password'
    ? await db.get<User>('SELECT * FROM users WHERE username = ?', [c.username.toLowerCase()])
    : await db.get<User>('SELECT * FROM users WHERE badge = ?', [c.badge]);
  const cred = user ? await db.get<CredentialRow>('SELECT * FROM credentials WHERE user_id = ?', [user.id]) : undefined;
  const stored = c.method === 'password' ? cred?.password_hash : cred?.pin_hash;
  const secret = c.method === 'password' ? c.password : c.pin;
  const now = nowIso(clock);
  const enrolledElsewhere = user && opts.organization && user.org_id !== opts.organization && user.org_id !== ROOT_ORG_ID;

  if (!user || !cred || !stored || enrolledElsewhere) {
    await verifySecret(secret, await dummy());
    await audit(db, now, user?.id ?? 'unknown', 'unauthenticated', c);
    throw WRONG(c);
  }
  if (cred.locked_until && cred.locked_until > now) {
    await audit(db, now, user.id, 'locked', c);
    throw new AppError('locked', `This account is locked after too many failed attempts until ${cred.locked_until.slice(11, 16)} UTC. Ask an administrator to unlock it.`,
      { locked_until: cred.locked_until });
  }
  if (!(await verifySecret(secret, stored))) {
    const attempts = Number(cred.failed_attempts) + 1;
    const lock = attempts >= lockout.maxAttempts;
    await db.run('UPDATE credentials SET failed_attempts = ?, locked_until = ? WHERE user_id = ?',
      [lock ? 0 : attempts, lock ? addMinutes(now, lockout.minutes) : cred.locked_until, user.id]);
    await audit(db, now, user.id, lock ? 'locked' : 'unauthenticated', c, user.org_id);
    if (lock) {
      throw new AppError('locked', `Too many failed attempts: this account is locked for ${lockout.minutes} minutes. Ask an administrator to unlock it sooner.`);
    }
    throw WRONG(c);
  }
  if (Number(cred.failed_attempts) !== 0 || cred.locked_until) {
    await db.run('UPDATE credentials SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?', [user.id]);
  }
  await audit(db, now, user.id, 'allow', c, user.org_id);
  return user;
}

/** Sign-in attempts are audited by method only; a secret never reaches the log. */
async function audit(db: Db, at: string, actor: string, outcome: 'allow' | 'unauthenticated' | 'locked', c: Credentials, orgId: string | null = null): Promise<void> {
  await appendAudit(db, {
    at, actor, on_behalf_of: null, action: `sign_in_${c.method}`, resource: actor === 'unknown' ? 'User:unknown' : `User:${actor}`,
    decision: outcome === 'allow' ? 'allow' : 'forbidden', reason: outcome === 'allow' ? null : outcome, org_id: orgId,
  });
}

/** An administrator lifts a lockout (User `update` on the locked user is required). */
export async function clearLockout(db: Db, userId: string): Promise<void> {
  await db.run('UPDATE credentials SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?', [userId]);
}
