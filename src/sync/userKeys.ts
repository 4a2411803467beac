/**
 * Each user's own signing keys on this workstation (docs/security.md, P1–P3). A change saved here,
 * and an audit event a signed-in user causes, carries that user's Ed25519 signature; the server
 * accepts a change only with a signature by a key registered for that user on this workstation at an
 * online sign-in. So the device credential and the disk alone act as nobody.
 *
 * - The private half is stored only wrapped (AES-256-GCM) by a key derived with scrypt from the user's
 *   own secret and a salt of its own (never the salt of the stored password hash, which would make the
 *   hash the unwrapping key): the password wraps the 'password' key, the PIN the 'badge' key.
 * - Unwrapped at sign-in (online or offline) with the secret just typed, it is held in memory only
 *   while the user is signed in here, and forgotten when they sign out or someone else signs in.
 * - Root's key is made at each online sign-in and never stored: its private half lives only in memory.
 * - Changes saved before this version, or signed by a key the server cannot accept yet, wait until
 *   their author signs in here with their password, which signs them again (`confirmPending`).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scrypt,
  type KeyObject,
} from 'node:crypto';
import type { AuditEvent, User } from '../domain/entities';
import { ROOT_ORG_ID } from '../domain/roles';
import { DEFAULT_COST, type ScryptCost } from '../domain/secretHash';
import type { Clock } from '../domain/time';
import type { RecordedMutation } from '../services/context';
import { onAuditAppended } from '../store/audit';
import type { Db } from '../store/db';
import {
  auditPersonMessage,
  changeMessage,
  newPersonKey,
  signProof,
  witnessMessage,
  type PersonProof,
  type WitnessedDose,
} from '../store/personSignature';
import { DEVICE_ID_KEY, getSetting } from './apply';

export type KeyKind = 'password' | 'badge';

interface Held {
  kind: KeyKind | 'session';
  publicKey: string;
  privateKey: KeyObject;
}

/** A user's key pair, to sign with. */
export interface SigningKey {
  publicKey: string;
  privateKey: KeyObject;
}

/** A key ready for a sign-in: unwrapped from the store, or made now and not stored yet. */
export interface PreparedKey {
  kind: KeyKind;
  publicKey: string;
  privateKey: KeyObject;
  stored: boolean;
}

interface Wrapped {
  v: 1;
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  ct: string;
}

const kek = (secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

/** The wrapped blob is bound to its user, kind and public half: it cannot be moved to another user. */
const aad = (userId: string, kind: KeyKind, publicKey: string): Buffer =>
  Buffer.from(`clinic-user-key-v1\n${userId}\n${kind}\n${publicKey}`, 'utf8');

/** A failed sign-in names a user without their secret: it is the only user event not signed by them. */
const needsNoProof = (e: Pick<AuditEvent, 'action' | 'decision'>): boolean =>
  e.action.startsWith('sign_in_') && e.decision !== 'allow';

export class UserKeys {
  readonly #db: Db;
  readonly #cost: ScryptCost;
  readonly #clock: Clock;
  readonly #ring = new Map<string, Held>();

  constructor(db: Db, opts: { clock: Clock; cost?: ScryptCost }) {
    this.#db = db;
    this.#clock = opts.clock;
    this.#cost = opts.cost ?? DEFAULT_COST;
    onAuditAppended(db, (e) => this.#proveAudit(e));
  }

  async #wrap(userId: string, kind: KeyKind, key: PreparedKey, secret: string): Promise<string> {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', await kek(secret, salt, this.#cost), iv);
    c.setAAD(aad(userId, kind, key.publicKey));
    const ct = Buffer.concat([c.update(key.privateKey.export({ format: 'der', type: 'pkcs8' })), c.final()]);
    const w: Wrapped = {
      v: 1,
      ...this.#cost,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: c.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
    return JSON.stringify(w);
  }

  async #unwrap(userId: string, kind: KeyKind, publicKey: string, wrapped: string, secret: string): Promise<KeyObject | null> {
    try {
      const w = JSON.parse(wrapped) as Wrapped;
      if (w.v !== 1 || ![w.N, w.r, w.p].every((n) => Number.isInteger(n) && n > 0) || w.N > 2 ** 20) return null;
      const d = createDecipheriv('aes-256-gcm', await kek(secret, Buffer.from(w.salt, 'base64'), w), Buffer.from(w.iv, 'base64'));
      d.setAAD(aad(userId, kind, publicKey));
      d.setAuthTag(Buffer.from(w.tag, 'base64'));
      const der = Buffer.concat([d.update(Buffer.from(w.ct, 'base64')), d.final()]);
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
      return pub === publicKey ? key : null;
    } catch {
      return null;
    }
  }

  /**
   * The user's key of this kind unwrapped with the secret just typed, or — unknown user, no key yet,
   * or a secret changed since it was wrapped — a new one, stored only by `keep` (after the sign-in
   * succeeded: a wrong password must not replace a good key).
   */
  async prepare(userId: string | null, kind: KeyKind, secret: string): Promise<PreparedKey> {
    const row = userId
      ? await this.#db.get<{ public_key: string; wrapped: string }>(
          'SELECT public_key, wrapped FROM user_keys WHERE user_id = ? AND kind = ?',
          [userId, kind],
        )
      : undefined;
    const unwrapped = row && userId ? await this.#unwrap(userId, kind, row.public_key, row.wrapped, secret) : null;
    if (row && unwrapped) return { kind, publicKey: row.public_key, privateKey: unwrapped, stored: true };
    return { kind, ...newPersonKey(), stored: false };
  }

  /** Stores a new key wrapped by the secret, and holds it for signing while the user is signed in here. */
  async keep(userId: string, key: PreparedKey, secret: string): Promise<void> {
    if (!key.stored) {
      const wrapped = await this.#wrap(userId, key.kind, key, secret);
      await this.#db.run(
        `INSERT INTO user_keys (user_id, kind, public_key, wrapped, created_at, registered_at) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT (user_id, kind) DO UPDATE SET public_key = excluded.public_key, wrapped = excluded.wrapped,
           created_at = excluded.created_at, registered_at = NULL`,
        [userId, key.kind, key.publicKey, wrapped, this.#clock.now().toISOString()],
      );
    }
    this.#ring.set(userId, { kind: key.kind, publicKey: key.publicKey, privateKey: key.privateKey });
  }

  /** Root: a key for this session only, never written anywhere. */
  holdInMemory(userId: string, key: PreparedKey): void {
    this.#ring.set(userId, { kind: 'session', publicKey: key.publicKey, privateKey: key.privateKey });
  }

  /**
   * An offline sign-in (password, or badge and PIN) unlocks the key of its kind with the secret just
   * typed; a password sign-in also confirms the user's changes still waiting here.
   */
  async unlock(user: User, kind: KeyKind, secret: string): Promise<void> {
    if (user.org_id === ROOT_ORG_ID) return;
    await this.keep(user.id, await this.prepare(user.id, kind, secret), secret);
    if (kind === 'password') await this.confirmPending(user.id);
    await this.proveSignIn(user.id);
  }

  /** After an online sign-in: the server registered these keys as the user's on this workstation. */
  async registered(user: Pick<User, 'id' | 'org_id'>, key: PreparedKey, secret: string, publicKeys: string[]): Promise<void> {
    if (user.org_id === ROOT_ORG_ID) {
      this.holdInMemory(user.id, key);
      return;
    }
    await this.keep(user.id, key, secret);
    const now = this.#clock.now().toISOString();
    for (const k of publicKeys)
      await this.#db.run('UPDATE user_keys SET registered_at = ? WHERE user_id = ? AND public_key = ?', [now, user.id, k]);
    await this.confirmPending(user.id);
  }

  /** The stored badge key's public half, registered along with a password sign-in. */
  async badgeKeyOf(userId: string): Promise<string | null> {
    return (
      (
        await this.#db.get<{ public_key: string }>("SELECT public_key FROM user_keys WHERE user_id = ? AND kind = 'badge'", [
          userId,
        ])
      )?.public_key ?? null
    );
  }

  forget(userId: string): void {
    this.#ring.delete(userId);
  }

  forgetAll(): void {
    this.#ring.clear();
  }

  async #deviceId(): Promise<string | null> {
    return getSetting(this.#db, DEVICE_ID_KEY);
  }

  /**
   * A witness's key of this kind, unwrapped with the secret they just typed to confirm a dose (they do
   * not sign in); null when they hold no key of that kind here yet (it is made at a sign-in).
   */
  async witnessKey(witnessId: string, kind: KeyKind, secret: string): Promise<SigningKey | null> {
    const key = await this.prepare(witnessId, kind, secret);
    return key.stored ? { publicKey: key.publicKey, privateKey: key.privateKey } : null;
  }

  /** A signed-in user's key, held in memory (a witness already signed in here). */
  heldKey(userId: string): SigningKey | null {
    const held = this.#ring.get(userId);
    return held && held.kind !== 'session' ? { publicKey: held.publicKey, privateKey: held.privateKey } : null;
  }

  /** The witness's signature of a dose (none when not enrolled: nothing is sent anywhere). */
  async witnessProof(key: SigningKey, dose: Omit<WitnessedDose, 'device_id'>): Promise<PersonProof | null> {
    const device = await this.#deviceId();
    return device ? signProof(key.privateKey, key.publicKey, witnessMessage({ device_id: device, ...dose })) : null;
  }

  /** The author's signature of a change being saved (none when not enrolled or not signed in with a key). */
  async proofFor(m: RecordedMutation): Promise<PersonProof | null> {
    const held = this.#ring.get(m.principal.actor.id);
    const device = held ? await this.#deviceId() : null;
    if (!held || !device) return null;
    return signProof(
      held.privateKey,
      held.publicKey,
      changeMessage({
        device_id: device,
        id: m.id,
        name: m.name,
        args: m.args,
        actor: m.principal.actor.id,
        on_behalf_of: m.principal.onBehalfOf,
        created_at: m.at,
      }),
    );
  }

  /**
   * Signs again, with the user's password key, their changes that still wait here: saved before this
   * version, signed by a badge key the server no longer takes, or by a key it never confirmed.
   */
  async confirmPending(userId: string): Promise<number> {
    const held = this.#ring.get(userId);
    const device = await this.#deviceId();
    if (!held || held.kind !== 'password' || !device) return 0;
    const rows = await this.#db.all<{
      id: string;
      name: string;
      args: string;
      on_behalf_of: string | null;
      created_at: string;
      proof: string | null;
    }>(
      "SELECT id, name, args, on_behalf_of, created_at, proof FROM outbox WHERE status = 'pending' AND actor_id = ? ORDER BY seq",
      [userId],
    );
    let n = 0;
    for (const r of rows) {
      if (r.proof && (JSON.parse(r.proof) as PersonProof).key === held.publicKey) continue;
      const proof = signProof(
        held.privateKey,
        held.publicKey,
        changeMessage({
          device_id: device,
          id: r.id,
          name: r.name,
          args: JSON.parse(r.args),
          actor: userId,
          on_behalf_of: r.on_behalf_of,
          created_at: r.created_at,
        }),
      );
      await this.#db.run('UPDATE outbox SET proof = ?, held = NULL WHERE id = ?', [JSON.stringify(proof), r.id]);
      n++;
    }
    await this.#db.run("UPDATE outbox SET held = NULL WHERE status = 'pending' AND actor_id = ?", [userId]);
    return n;
  }

  async #prove(e: Pick<AuditEvent, 'seq' | 'hash'>, held: Held): Promise<void> {
    const device = await this.#deviceId();
    if (!device) return;
    const p = signProof(held.privateKey, held.publicKey, auditPersonMessage(device, Number(e.seq), e.hash));
    await this.#db.run('INSERT INTO audit_proofs (seq, public_key, signature) VALUES (?, ?, ?) ON CONFLICT (seq) DO NOTHING', [
      e.seq,
      p.key,
      p.signature,
    ]);
  }

  async #proveAudit(e: AuditEvent): Promise<void> {
    const held = this.#ring.get(e.actor);
    if (held && !needsNoProof(e)) await this.#prove(e, held);
  }

  /** The sign-in event is written before the key is unlocked: it is signed right after. */
  async proveSignIn(userId: string): Promise<void> {
    const held = this.#ring.get(userId);
    if (!held) return;
    const e = await this.#db.get<{ seq: number; hash: string }>(
      `SELECT a.seq, a.hash FROM audit_events a LEFT JOIN audit_proofs p ON p.seq = a.seq
       WHERE a.actor = ? AND a.action LIKE 'sign\\_in\\_%' ESCAPE '\\' AND a.decision = 'allow' AND p.seq IS NULL
       ORDER BY a.seq DESC LIMIT 1`,
      [userId],
    );
    if (e) await this.#prove(e, held);
  }

  /** The person proofs of these audit events, for the push. */
  async auditProofs(fromSeq: number, toSeq: number): Promise<Map<number, PersonProof>> {
    const rows = await this.#db.all<{ seq: number; public_key: string; signature: string }>(
      'SELECT seq, public_key, signature FROM audit_proofs WHERE seq >= ? AND seq <= ?',
      [fromSeq, toSeq],
    );
    return new Map(rows.map((r) => [Number(r.seq), { key: r.public_key, signature: r.signature }]));
  }
}
