/**
 * The checks `npm run audit:verify` makes beyond the hash chains (docs/security.md, T2):
 * - every event a workstation sent after it had an audit key carries a valid signature by that key
 *   (events received before are counted as unsigned-legacy, not as broken);
 * - every event of the server's own chain that came from a workstation (`origin`) says exactly what
 *   the workstation signed.
 */
import type { Db } from './db';
import { parsePublicKey, verifyAuditSignature } from './auditSignature';

export interface SignatureReport {
  ok: boolean;
  signed: number;
  legacy: number;
  firstBad?: { seq: number; id: string; problem: string };
}

export async function verifyDeviceSignatures(db: Db, deviceId: string): Promise<SignatureReport> {
  const device = await db.get<{ public_key: string | null; key_from_seq: number | string | null }>(
    'SELECT public_key, key_from_seq FROM devices WHERE id = ?',
    [deviceId],
  );
  const signedFrom = device?.key_from_seq == null ? 1 : Number(device.key_from_seq);
  const key = device?.public_key ? parsePublicKey(device.public_key) : null;
  const rows = await db.all<{ seq: number | string; id: string; hash: string; signature: string | null; received_at: string }>(
    'SELECT seq, id, hash, signature FROM device_audit WHERE device_id = ? ORDER BY seq',
    [deviceId],
  );
  let signed = 0;
  let legacy = 0;
  for (const r of rows) {
    const seq = Number(r.seq);
    const bad = (problem: string): SignatureReport => ({ ok: false, signed, legacy, firstBad: { seq, id: r.id, problem } });
    if (r.signature === null) {
      // Unsigned is acceptable only for what arrived before the workstation registered its key.
      if (key && seq >= signedFrom) return bad('it is not signed although the workstation had an audit key');
      if (device?.public_key && !key) return bad("the workstation's registered key is not a valid Ed25519 key");
      legacy++;
      continue;
    }
    if (!key) return bad('it is signed but the workstation has no registered key');
    if (!verifyAuditSignature(key, deviceId, seq, r.hash, r.signature))
      return bad("its signature is not the workstation's (the event was changed or made elsewhere)");
    signed++;
  }
  return { ok: true, signed, legacy };
}

export interface OriginReport {
  ok: boolean;
  checked: number;
  firstBad?: { seq: number; id: string; problem: string };
}

const COMPARED = ['at', 'actor', 'on_behalf_of', 'action', 'resource', 'decision', 'reason', 'details'] as const;

/** The server's copies of workstation events match the events as received (and signed). */
export async function verifyOrigins(db: Db): Promise<OriginReport> {
  let checked = 0;
  let after = -1;
  for (;;) {
    const events = await db.all<Record<string, string | number | null>>(
      `SELECT seq, id, origin, ${COMPARED.join(', ')} FROM audit_events WHERE origin IS NOT NULL AND seq > ? ORDER BY seq LIMIT 500`,
      [after],
    );
    if (events.length === 0) return { ok: true, checked };
    const keys = events.map((e) => {
      const o = String(e.origin);
      const at = o.lastIndexOf('#');
      return [o.slice(0, at), Number(o.slice(at + 1))] as const;
    });
    const received = await db.all<Record<string, string | number | null>>(
      `SELECT device_id, seq, ${COMPARED.join(', ')} FROM device_audit WHERE (device_id, seq) IN (${keys.map(() => '(?, ?)').join(', ')})`,
      keys.flatMap(([d, q]) => [d, q]),
    );
    const byKey = new Map(received.map((r) => [`${String(r.device_id)}#${Number(r.seq)}`, r]));
    for (const e of events) {
      const bad = (problem: string): OriginReport => ({
        ok: false,
        checked,
        firstBad: { seq: Number(e.seq), id: String(e.id), problem },
      });
      const d = byKey.get(String(e.origin));
      if (!d) return bad(`it claims to come from workstation event ${String(e.origin)}, which the server never received`);
      const differs = COMPARED.filter((c) => (e[c] ?? null) !== (d[c] ?? null));
      if (differs.length) return bad(`it differs from workstation event ${String(e.origin)} in ${differs.join(', ')}`);
      checked++;
    }
    after = Number(events.at(-1)!.seq);
  }
}

/** Events a workstation sent signed in a user's name by a key the server never confirmed as theirs there. */
export interface UnconfirmedKey {
  actor: string;
  public_key: string;
  events: number;
  first_seq: number;
  last_seq: number;
}

/**
 * Keys made at an offline sign-in (a first badge sign-in, a password changed since the key was
 * wrapped) sign the user's audit events before her next online sign-in registers them; the server
 * keeps those events so offline work does not stall the log (docs/security.md, residual risk 3).
 * This names them: a key still unconfirmed now was never shown to the server with her password, or
 * was registered for someone else.
 */
export async function unconfirmedPersonKeys(db: Db, deviceId: string): Promise<UnconfirmedKey[]> {
  const rows = await db.all<{
    actor: string;
    public_key: string;
    events: number | string;
    first_seq: number | string;
    last_seq: number | string;
  }>(
    `SELECT a.actor, p.public_key, COUNT(*) AS events, MIN(p.seq) AS first_seq, MAX(p.seq) AS last_seq
     FROM device_audit_proofs p
     JOIN device_audit a ON a.device_id = p.device_id AND a.seq = p.seq
     LEFT JOIN device_user_keys k ON k.device_id = p.device_id AND k.public_key = p.public_key AND k.user_id = a.actor
     WHERE p.device_id = ? AND k.public_key IS NULL
     GROUP BY a.actor, p.public_key
     ORDER BY MIN(p.seq)`,
    [deviceId],
  );
  return rows.map((r) => ({
    actor: r.actor,
    public_key: r.public_key,
    events: Number(r.events),
    first_seq: Number(r.first_seq),
    last_seq: Number(r.last_seq),
  }));
}
