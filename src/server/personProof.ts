/**
 * Proof of a person on the server (docs/security.md, P1–P3). A workstation's device credential says
 * which workstation is talking, never who: a change it sends is applied, and an audit event naming a
 * user is kept, only with a signature by a key that user registered on that workstation at an online
 * sign-in (their password checked here). The private halves never leave the workstations, wrapped
 * there by the users' own secrets (src/sync/userKeys.ts), so the credential and the disk alone act as
 * nobody.
 *
 * - A change without a valid proof is answered `rejected` with the reason `person_proof` and is NOT
 *   recorded as an outcome: nothing was applied, and the workstation keeps it (it does not undo it)
 *   until its author confirms it by signing in there with their password.
 * - A badge key (unwrapped by a PIN, which whoever holds the disk and the OS key store can guess
 *   offline) signs for BADGE_KEY_HOURS after the user's last online password sign-in there.
 * - Administrative changes, and anything in root's name, are never taken from a workstation's queue:
 *   they are made online (`/v1/mutations/…` with a fresh user sign-in).
 */
import type { z } from 'zod';
import type { User } from '../domain/entities';
import { ROOT_ORG_ID } from '../domain/roles';
import { ONLINE_ONLY_MUTATIONS, type MutationName } from '../services/mutations';
import { parsePublicKey } from '../store/auditSignature';
import { auditPersonMessage, changeMessage, proofHolds, witnessMessage } from '../store/personSignature';
import type { MutationOutcome, PushedAudit, PushMutation, SignInRequest } from '../sync/protocol';
import type { Device } from './auth';
import type { Server } from './context';
import { refreshSignIn } from './signInWindow';

export const BADGE_KEY_HOURS = 12;

type Mutation = z.output<typeof PushMutation>;
type Pushed = z.output<typeof PushedAudit>;
type KeyRow = { user_id: string; kind: 'password' | 'badge' | 'session' };

const keyOf = (server: Server, device: Device, publicKey: string): Promise<KeyRow | undefined> =>
  server.db.get<KeyRow>('SELECT user_id, kind FROM device_user_keys WHERE device_id = ? AND public_key = ?', [
    device.id,
    publicKey,
  ]);

/**
 * At an online sign-in through a workstation (password verified): the keys it sent become the user's
 * there. Root's key is a session key (the workstation never stores it). A key already registered for
 * someone else is ignored. Returns the keys now held as the user's.
 */
export async function registerSignInKeys(
  server: Server,
  device: Device,
  user: User,
  keys: NonNullable<z.output<typeof SignInRequest>['keys']>,
): Promise<string[]> {
  const now = server.now();
  const registered: string[] = [];
  for (const k of keys) {
    if (!parsePublicKey(k.public_key)) continue;
    const known = await keyOf(server, device, k.public_key);
    if (known && known.user_id !== user.id) {
      server.log.warn('a sign-in offered a key registered for another user', { device: device.id, user: user.id });
      continue;
    }
    if (!known)
      await server.db.run(
        'INSERT INTO device_user_keys (device_id, public_key, user_id, kind, registered_at) VALUES (?, ?, ?, ?, ?)',
        [device.id, k.public_key, user.id, user.org_id === ROOT_ORG_ID ? 'session' : k.kind, now],
      );
    registered.push(k.public_key);
  }
  await server.db.run('UPDATE device_users SET password_at = ? WHERE device_id = ? AND user_id = ?', [now, device.id, user.id]);
  return registered;
}

const held = (m: Mutation, message: string): { held: MutationOutcome } => ({
  held: {
    id: m.id,
    status: 'rejected',
    duplicate: false,
    error: { kind: 'unauthenticated', message, details: { reason: 'person_proof' } },
  },
});

async function nameOf(server: Server, userId: string): Promise<string> {
  return (await server.db.get<{ name: string }>('SELECT name FROM users WHERE id = ?', [userId]))?.name ?? 'its author';
}

/**
 * Checks a pushed change's proof before anything else: `held` — it cannot be taken as its author's
 * yet (an outcome the workstation keeps the change for; not recorded here) — or the online-only
 * rule's final refusal (administrative changes, and root's, whose keys are session keys), or neither.
 */
export async function checkChange(
  server: Server,
  device: Device,
  m: Mutation,
): Promise<{ held: MutationOutcome } | { refusal: MutationOutcome['error'] | null }> {
  if (!m.proof) {
    const who = await nameOf(server, m.actor);
    return held(
      m,
      `Not sent yet: this change carries no signature of ${who} (saved before an update, or without a signed-in user). It is sent once ${who} signs in on this workstation with their password.`,
    );
  }
  const key = await keyOf(server, device, m.proof.key);
  if (!key) {
    const who = await nameOf(server, m.actor);
    return held(
      m,
      `Not sent yet: it is signed with a key ${who} has not confirmed on the server. It is sent once ${who} signs in on this workstation while it is online.`,
    );
  }
  if (key.user_id !== m.actor || !proofHolds(m.proof, changeMessage({ ...m, device_id: device.id }))) {
    return held(
      m,
      'Not accepted: its signature does not match the change or its author. It is kept here until its author signs in on this workstation with their password.',
    );
  }
  if (key.kind === 'badge') {
    const since = await server.db.get<{ password_at: string | null }>(
      'SELECT password_at FROM device_users WHERE device_id = ? AND user_id = ?',
      [device.id, m.actor],
    );
    const until = since?.password_at ? new Date(Date.parse(since.password_at) + BADGE_KEY_HOURS * 3_600_000).toISOString() : null;
    if (!until || server.now() > until) {
      const who = await nameOf(server, m.actor);
      return held(
        m,
        `Not sent yet: saved after a badge sign-in, more than ${BADGE_KEY_HOURS} hours after ${who}'s last password sign-in on this workstation. It is sent once ${who} signs in here with their password.`,
      );
    }
  }
  return { refusal: onlineOnlyRefusal(m, key) };
}

/**
 * A witnessed dose (issue 19): the witness's confirmation must carry the WITNESS's signature, by a key
 * registered as theirs on this workstation, over this dose (src/store/personSignature.ts
 * witnessMessage). Otherwise the dose is held like an unproven change — kept on the workstation, not
 * applied, never lost — until the witness signs in there with their password (a key made offline gets
 * registered) or, for a signature that does not match, for good with a sentence saying so.
 */
export async function checkWitnessProof(server: Server, device: Device, m: Mutation): Promise<{ held: MutationOutcome } | null> {
  if (m.name !== 'recordAdministration' || !m.args || typeof m.args !== 'object') return null;
  const a = m.args as { id?: unknown; order_id?: unknown; witness_id?: unknown; witness_proof?: unknown };
  if (typeof a.witness_id !== 'string' || !a.witness_id) return null;
  const who = await nameOf(server, a.witness_id);
  const proof = a.witness_proof as { key?: unknown; signature?: unknown } | null | undefined;
  if (!proof || typeof proof.key !== 'string' || typeof proof.signature !== 'string')
    return held(
      m,
      `Not sent yet: the witness's confirmation carries no signature of ${who}. It is sent once ${who} has signed in on this workstation with their password and confirms again.`,
    );
  const key = await keyOf(server, device, proof.key);
  if (!key)
    return held(
      m,
      `Not sent yet: the witness's confirmation is signed with a key ${who} has not confirmed on the server. It is sent once ${who} signs in on this workstation while it is online.`,
    );
  const signed = witnessMessage({
    device_id: device.id,
    administration_id: String(a.id),
    order_id: String(a.order_id),
    nurse_id: m.actor,
    witness_id: a.witness_id,
  });
  if (key.user_id !== a.witness_id || !proofHolds({ key: proof.key, signature: proof.signature }, signed))
    return held(m, `Not accepted: the witness's signature does not match this dose or ${who}. It was not applied.`);
  return null;
}

/**
 * The online route (`/v1/mutations/…`) has no workstation where a witness could prove themself with their
 * own key (checkWitnessProof), so a dose naming a witness is refused there rather than taken on the
 * signed-in nurse's word.
 */
export function onlineWitnessRefusal(name: string, body: unknown): string | null {
  if (name !== 'recordAdministration' || !body || typeof body !== 'object') return null;
  const witness = (body as { witness_id?: unknown }).witness_id;
  if (witness == null || witness === '') return null;
  return "A controlled medicine's witness confirms at the ward workstation with their own badge and PIN or password; a witnessed dose cannot be recorded online. Record it at the workstation.";
}

/** Administrative changes and root's are made online only: one that arrives through a workstation's queue is refused for good. */
function onlineOnlyRefusal(m: Mutation, key: KeyRow): MutationOutcome['error'] | null {
  if (ONLINE_ONLY_MUTATIONS.has(m.name as MutationName))
    return {
      kind: 'forbidden',
      message:
        'Administrative changes (users, roles, badges, passwords, organizations) are made online with a fresh sign-in, never sent later from a workstation; this one was not applied. Make it again while the workstation is online.',
    };
  if (key.kind === 'session')
    return {
      kind: 'forbidden',
      message: "Root's changes are made online only, never sent later from a workstation; this one was not applied.",
    };
  return null;
}

/** Actors a workstation writes itself, and a failed sign-in (which names a user who did not prove anything). */
const SYSTEM_ACTORS = new Set(['sync', 'system', 'unknown']);
const needsProof = (e: Pushed): boolean =>
  !SYSTEM_ACTORS.has(e.actor) && !(e.action.startsWith('sign_in_') && e.decision !== 'allow');

/**
 * The user signatures of one push's audit events. From the workstation's `person_proof_from_seq` on,
 * an event naming a user needs that user's valid signature, by a key that is not another user's; a key
 * the user has not confirmed yet (made at an offline sign-in) is accepted, kept and shown as such.
 * Events an earlier version logged before its first signed one stay unsigned-legacy.
 */
export async function auditProofs(server: Server, device: Device) {
  const row = await server.db.get<{ from_seq: number | string | null }>(
    'SELECT person_proof_from_seq AS from_seq FROM devices WHERE id = ?',
    [device.id],
  );
  let from = row?.from_seq == null ? null : Number(row.from_seq);
  const keys = new Map<string, KeyRow | undefined>();
  const key = async (publicKey: string): Promise<KeyRow | undefined> => {
    if (!keys.has(publicKey)) keys.set(publicKey, await keyOf(server, device, publicKey));
    return keys.get(publicKey);
  };
  return {
    /** Why this event may not be kept (its user's signature), or null. */
    async refusal(e: Pushed): Promise<string | null> {
      if (!needsProof(e)) return null;
      if (!e.person_proof)
        return from === null || e.seq < from ? null : `it names ${e.actor.slice(0, 60)} but carries no signature of theirs`;
      const k = await key(e.person_proof.key);
      if (k && k.user_id !== e.actor) return "it is signed with another user's key";
      if (!proofHolds(e.person_proof, auditPersonMessage(device.id, e.seq, e.hash)))
        return "its user's signature does not match it";
      if (from === null) {
        from = e.seq;
        await server.db.run('UPDATE devices SET person_proof_from_seq = ? WHERE id = ? AND person_proof_from_seq IS NULL', [
          e.seq,
          device.id,
        ]);
      }
      return null;
    },
    /** Keeps an accepted event's signature; a sign-in proven by a password key keeps the user's data there a week longer. */
    async keep(e: Pushed): Promise<void> {
      if (!e.person_proof || !needsProof(e)) return;
      await server.db.run(
        'INSERT INTO device_audit_proofs (device_id, seq, public_key, signature) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [device.id, e.seq, e.person_proof.key, e.person_proof.signature],
      );
      const k = await key(e.person_proof.key);
      if (k?.kind === 'password' && e.action.startsWith('sign_in_') && e.decision === 'allow')
        await refreshSignIn(server.db, device.id, e.actor, e.at, server.now());
    },
  };
}
