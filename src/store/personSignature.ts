/**
 * Proof of a person (docs/security.md, P1): Ed25519 signatures by a user's own key on a workstation.
 * The workstation signs each change (outbox entry) and each audit event a signed-in user causes; the
 * server checks the signature against the keys registered for that user on that workstation. The
 * messages name the workstation, so a signature made on one is worth nothing on another.
 *
 * Both sides sign and check the same bytes: a change's arguments are written as canonical JSON (keys
 * sorted at every level, after the JSON round trip that the outbox and HTTP put them through).
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { parsePublicKey } from './auditSignature';

const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
};

/** JSON with sorted keys, of the value as JSON would carry it (undefined fields dropped). */
export function canonicalJson(v: unknown): string {
  const carried = JSON.stringify(v);
  return carried === undefined ? 'null' : JSON.stringify(sortKeys(JSON.parse(carried)));
}

/** What a change's signature covers: the workstation, and everything the server replays. */
export interface SignedChange {
  device_id: string;
  id: string;
  name: string;
  args: unknown;
  actor: string;
  on_behalf_of?: string | null;
  created_at: string;
}

export const changeMessage = (m: SignedChange): Buffer =>
  Buffer.from(
    `clinic-change-v1\n${canonicalJson([m.device_id, m.id, m.name, m.args ?? null, m.actor, m.on_behalf_of ?? null, m.created_at])}`,
    'utf8',
  );

/**
 * A witness's confirmation of a controlled dose (issue 19, docs/security.md): signed by the WITNESS's
 * own key, over the workstation, the dose, its order, the nurse giving it and the witness.
 */
export interface WitnessedDose {
  device_id: string;
  administration_id: string;
  order_id: string;
  nurse_id: string;
  witness_id: string;
}

export const witnessMessage = (w: WitnessedDose): Buffer =>
  Buffer.from(
    `clinic-witness-v1\n${canonicalJson([w.device_id, w.administration_id, w.order_id, w.nurse_id, w.witness_id])}`,
    'utf8',
  );

/** An audit event's chain hash covers all its fields and the event before it. */
export const auditPersonMessage = (deviceId: string, seq: number, hash: string): Buffer =>
  Buffer.from(`clinic-audit-person-v1\n${deviceId}\n${seq}\n${hash}`, 'utf8');

/** A proof as the protocol carries it: the signing key's public half (SPKI DER, base64) and the signature. */
export interface PersonProof {
  key: string;
  signature: string;
}

export function newPersonKey(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

export function signProof(privateKey: KeyObject, publicKey: string, message: Buffer): PersonProof {
  return { key: publicKey, signature: sign(null, message, privateKey).toString('base64') };
}

/** Parsed public keys: a push checks hundreds of signatures by the same few keys. */
const parsed = new Map<string, ReturnType<typeof parsePublicKey>>();

export function proofHolds(proof: PersonProof, message: Buffer): boolean {
  let key = parsed.get(proof.key);
  if (key === undefined) {
    key = parsePublicKey(proof.key);
    if (parsed.size >= 1000) parsed.clear();
    parsed.set(proof.key, key);
  }
  if (!key) return false;
  try {
    return verify(null, message, key, Buffer.from(proof.signature, 'base64'));
  } catch {
    return false;
  }
}
