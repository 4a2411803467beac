/**
 * Ed25519 signatures of workstation audit events (docs/security.md, T2). Each workstation makes a key
 * pair at enrollment (node:crypto); the private half stays in its encrypted database, the public half
 * goes to the server. A signature covers the device id, the event's sequence number and its chain
 * hash (which covers every field and the previous event), so an event cannot be moved to another
 * workstation, renumbered or altered, and nobody without the workstation's key — the server's
 * operators included — can add an event to its log.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface AuditKeyPair {
  publicKey: string;
  privateKey: string;
}

export function newAuditKeyPair(): AuditKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

const message = (deviceId: string, seq: number, hash: string): Buffer =>
  Buffer.from(`clinic-audit-v1\n${deviceId}\n${seq}\n${hash}`, 'utf8');

export function signAuditEvent(privateKey: string, deviceId: string, seq: number, hash: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return sign(null, message(deviceId, seq, hash), key).toString('base64');
}

/** The public key as a key object, or null when it is not an Ed25519 public key. */
export function parsePublicKey(publicKey: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export function verifyAuditSignature(
  publicKey: KeyObject,
  deviceId: string,
  seq: number,
  hash: string,
  signature: string,
): boolean {
  try {
    return verify(null, message(deviceId, seq, hash), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
