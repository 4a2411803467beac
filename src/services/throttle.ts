/**
 * Sign-in throttling with backoff, kept in the database (so every server process over one PostgreSQL
 * shares it, and a workstation keeps its own). Replaces the hard lockout, which let anyone lock any
 * account, root included, with five wrong passwords.
 *
 * Two counters per attempt, kept for unknown usernames exactly as for known ones (so they answer
 * alike):
 * - the account and this client (a workstation's device id, the caller's IP, or "local" for the
 *   workstation's own keyboard): after `perClient` failures, each further attempt from that client
 *   waits `baseSeconds`·2^k, at most `maxMinutes`;
 * - the account from every client: after `perAccount` failures, the same backoff applies, but only
 *   to clients that have failed on this account themselves, and never to one of the user's own
 *   places (an enrolled workstation they signed in on before). A client with a clean record is never
 *   slowed by a stranger elsewhere, and the user's own workstation keeps its own budget even after
 *   she mistyped there once (round 3, finding 4: 20 failures from strangers then refused her).
 * While a client is backed off its attempts are not checked (a correct password is refused too):
 * offline the answer reads exactly like a wrong password; the server says it is a pause (429, the same
 * for known and unknown names). Counters start over `resetMinutes` after the last failure;
 * an administrator's unlock clears them.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/db';
import { addMinutes } from '../domain/time';

export interface ThrottlePolicy {
  perClient: number;
  perAccount: number;
  baseSeconds: number;
  maxMinutes: number;
  resetMinutes: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  perClient: 5,
  perAccount: 20,
  baseSeconds: 30,
  maxMinutes: 15,
  resetMinutes: 60,
};

const h = (s: string): string => createHash('sha256').update(s).digest('hex');
const ACCOUNT_WIDE = '';

/**
 * The account key: the user's id when the name is known, else what was typed in the organization it
 * was typed for ('*' when none). Either way one counter per account, used in the same way.
 */
export function accountKey(
  userId: string | null,
  method: 'password' | 'badge',
  identifier: string,
  organization: string | null,
): string {
  return userId !== null
    ? h(`user\n${userId}`)
    : h(`name\n${organization ?? '*'}\n${method}\n${method === 'password' ? identifier.toLowerCase() : identifier}`);
}

export const clientKey = (client: string): string => h(`client\n${client}`);

interface Row {
  failures: number | string;
  last_failure_at: string | null;
  blocked_until: string | null;
}

export interface ThrottleState {
  throttled: boolean;
  account: string;
  client: string;
}

const fresh = (r: Row | undefined, now: string, p: ThrottlePolicy): { failures: number; blocked_until: string | null } =>
  !r || !r.last_failure_at || addMinutes(r.last_failure_at, p.resetMinutes) <= now
    ? { failures: 0, blocked_until: null }
    : { failures: Number(r.failures), blocked_until: r.blocked_until };

export async function throttleState(
  db: Db,
  account: string,
  client: string,
  now: string,
  p: ThrottlePolicy,
  ownPlace = false,
): Promise<ThrottleState> {
  const rows = await db.all<Row & { client: string }>(
    'SELECT client, failures, last_failure_at, blocked_until FROM sign_in_throttle WHERE account = ? AND client IN (?, ?)',
    [account, client, ACCOUNT_WIDE],
  );
  const pair = fresh(
    rows.find((r) => r.client === client),
    now,
    p,
  );
  const wide = fresh(
    rows.find((r) => r.client === ACCOUNT_WIDE),
    now,
    p,
  );
  const throttled =
    (pair.blocked_until !== null && pair.blocked_until > now) ||
    (!ownPlace && wide.blocked_until !== null && wide.blocked_until > now && pair.failures > 0);
  return { throttled, account, client };
}

function backoff(now: string, failures: number, free: number, p: ThrottlePolicy): string | null {
  if (failures < free) return null;
  const seconds = Math.min(p.baseSeconds * 2 ** Math.min(failures - free, 30), p.maxMinutes * 60);
  return new Date(Date.parse(now) + seconds * 1000).toISOString();
}

/**
 * Records the outcome of an attempt (inside the caller's transaction). Every outcome writes, so a
 * throttled, a wrong and a right attempt cost the same.
 */
export async function recordAttempt(
  db: Db,
  s: ThrottleState,
  outcome: 'success' | 'failure' | 'throttled',
  now: string,
  p: ThrottlePolicy,
): Promise<void> {
  if (outcome === 'success') {
    await db.run('DELETE FROM sign_in_throttle WHERE account = ? AND client = ?', [s.account, s.client]);
    await db.run('UPDATE sign_in_throttle SET last_attempt_at = ? WHERE account = ? AND client = ?', [
      now,
      s.account,
      ACCOUNT_WIDE,
    ]);
    return;
  }
  if (outcome === 'throttled') {
    await db.run('UPDATE sign_in_throttle SET last_attempt_at = ? WHERE account = ? AND client IN (?, ?)', [
      now,
      s.account,
      s.client,
      ACCOUNT_WIDE,
    ]);
    return;
  }
  const stale = addMinutes(now, -p.resetMinutes);
  for (const [client, free] of [
    [s.client, p.perClient],
    [ACCOUNT_WIDE, p.perAccount],
  ] as const) {
    // Atomic increment (two server processes may count the same account at once).
    const r = await db.get<{ failures: number | string }>(
      `INSERT INTO sign_in_throttle (account, client, failures, last_failure_at, blocked_until, last_attempt_at) VALUES (?, ?, 1, ?, NULL, ?)
       ON CONFLICT (account, client) DO UPDATE SET
         failures = CASE WHEN sign_in_throttle.last_failure_at IS NULL OR sign_in_throttle.last_failure_at <= ? THEN 1 ELSE sign_in_throttle.failures + 1 END,
         last_failure_at = excluded.last_failure_at, last_attempt_at = excluded.last_attempt_at
       RETURNING failures`,
      [s.account, client, now, now, stale],
    );
    const failures = Number(r?.failures ?? 1);
    await db.run('UPDATE sign_in_throttle SET blocked_until = ? WHERE account = ? AND client = ?', [
      backoff(now, failures, free, p),
      s.account,
      client,
    ]);
  }
  // Rows nobody touched for a day go (unknown usernames included); cheap with the index.
  await db.run('DELETE FROM sign_in_throttle WHERE last_attempt_at < ?', [addMinutes(now, -24 * 60)]);
}

/** An administrator's unlock: every counter of these accounts, from every client. */
export async function clearThrottle(db: Db, accounts: string[]): Promise<void> {
  if (accounts.length === 0) return;
  await db.run(`DELETE FROM sign_in_throttle WHERE account IN (${accounts.map(() => '?').join(', ')})`, accounts);
}

/** Which of these accounts some client is currently held back on (the administration view). */
export async function heldBackAccounts(db: Db, accounts: string[], now: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < accounts.length; i += 500) {
    const chunk = accounts.slice(i, i + 500);
    const rows = await db.all<{ account: string }>(
      `SELECT DISTINCT account FROM sign_in_throttle WHERE blocked_until > ? AND account IN (${chunk.map(() => '?').join(', ')})`,
      [now, ...chunk],
    );
    out.push(...rows.map((r) => r.account));
  }
  return out;
}
