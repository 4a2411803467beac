/**
 * The workstation's audit key (docs/security.md, T2): an Ed25519 key pair made at enrollment; the
 * private half stays in the (encrypted) local database, the public half is registered with the
 * server. Every audit event is signed as it is sent.
 *
 * Upgrade path: a workstation enrolled before keys existed makes one at its next sync and registers
 * it with its device credential (saved locally first, so a lost answer is simply sent again); the
 * server marks what it had received before as unsigned-legacy.
 */
import type { AuditEvent } from '../domain/entities';
import type { Db } from '../store/db';
import { newAuditKeyPair, signAuditEvent, type AuditKeyPair } from '../store/auditSignature';
import { getSetting, setSetting } from './apply';
import type { Transport } from './http';
import { PROTOCOL_VERSION, type PushedAudit } from './protocol';
import { Ok } from './securityProtocol';
import type { z } from 'zod';

const KEY = 'sync.audit_key';
const PUBLIC = 'sync.audit_public_key';
const REGISTERED = 'sync.audit_key_registered';
const REFUSED = 'sync.audit_refused';

export { newAuditKeyPair };

/** Saves a key the server already has (made at enrollment). */
export async function saveAuditKey(db: Db, key: AuditKeyPair, registered: boolean): Promise<void> {
  await setSetting(db, KEY, key.privateKey);
  await setSetting(db, PUBLIC, key.publicKey);
  await setSetting(db, REGISTERED, registered ? '1' : '0');
  await setSetting(db, REFUSED, null);
}

/** Makes and registers a key if this workstation has none registered yet. */
export async function ensureAuditKey(db: Db, t: Transport, auth: string): Promise<void> {
  if ((await getSetting(db, REGISTERED)) === '1') return;
  let publicKey = await getSetting(db, PUBLIC);
  if (!publicKey || !(await getSetting(db, KEY))) {
    const key = newAuditKeyPair();
    await db.transaction(() => saveAuditKey(db, key, false));
    publicKey = key.publicKey;
  }
  await t.post('/v1/devices/key', { protocol: PROTOCOL_VERSION, public_key: publicKey }, Ok, auth);
  await setSetting(db, REGISTERED, '1');
}

/** The events as the protocol carries them, each signed by this workstation's key (when it has one). */
export async function signedForPush(db: Db, deviceId: string, events: AuditEvent[]): Promise<Array<z.input<typeof PushedAudit>>> {
  const key = (await getSetting(db, REGISTERED)) === '1' ? await getSetting(db, KEY) : null;
  return events.map((a) => {
    const seq = Number(a.seq);
    return {
      seq,
      id: a.id,
      at: a.at,
      actor: a.actor,
      on_behalf_of: a.on_behalf_of,
      action: a.action,
      resource: a.resource,
      decision: a.decision,
      reason: a.reason,
      org_id: a.org_id,
      details: a.details ?? null,
      prev_hash: a.prev_hash,
      hash: a.hash,
      ...(key ? { signature: signAuditEvent(key, deviceId, seq, a.hash) } : {}),
    };
  });
}

/** What the server last refused (shown in the status bar until it accepts again). */
export async function auditRefusal(db: Db): Promise<{ seq: number; message: string } | null> {
  const raw = await getSetting(db, REFUSED);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as { seq: number; message: string };
  } catch {
    return null;
  }
}

export async function setAuditRefusal(db: Db, refused: { seq: number; message: string } | null): Promise<void> {
  await setSetting(db, REFUSED, refused ? JSON.stringify(refused) : null);
}
