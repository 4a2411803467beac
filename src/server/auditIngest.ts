/**
 * Receiving a workstation's audit log (docs/security.md, T2). A workstation's device credential alone
 * no longer lets it write history: every event must
 * - continue the workstation's chain (next sequence number, link to the previous event, content that
 *   matches its hash), and repeat an event already received only unchanged;
 * - carry a valid Ed25519 signature by the workstation's own key, once it has one (events received
 *   before the workstation registered a key are kept and marked unsigned-legacy);
 * - name as actor a user of the workstation's organization (or root) who signed in on that
 *   workstation — or, for a failed sign-in, any user of the organization or `unknown`, but then only
 *   in the exact shape the workstation writes (src/services/signIn.ts: `sign_in_password` or
 *   `sign_in_badge`, refused, about that very user, no details); and the workstation's own system
 *   actors only for their own actions;
 * - be dated within the workstation's plausible window: not long before it was enrolled, not after
 *   the server's time (with a margin for clocks);
 * - belong to the workstation's organization.
 * Accepted events are kept as received (`device_audit`, per device) and appended to the server's own
 * chain with their origin. The first event that fails, and everything after it, is refused: the
 * workstation is told (it keeps them and shows why), the server logs it and audits the refusal. Nothing
 * is dropped silently.
 */
import { toStorable } from '../domain/text';
import { type z } from 'zod';
import { ROOT_ORG_ID } from '../domain/roles';
import { canonicalTime } from '../domain/time';
import { appendAudit, auditHash, GENESIS_HASH } from '../store/audit';
import { parsePublicKey, verifyAuditSignature } from '../store/auditSignature';
import type { PushedAudit } from '../sync/protocol';
import type { Device } from './auth';
import type { Server } from './context';
import { auditProofs } from './personProof';

type Pushed = z.output<typeof PushedAudit>;

export interface IngestResult {
  accepted: number;
  acked_seq: number;
  refused: { seq: number; message: string } | null;
}

/** Actors a workstation itself writes, and the only actions each may have. */
const SYSTEM_ACTORS: Record<string, { actions: readonly string[]; decisions?: readonly string[] }> = {
  sync: { actions: ['sync_rollback'] },
  system: { actions: ['startup', 'audit_settings_changed'] },
  unknown: { actions: ['sign_in_password', 'sign_in_badge'], decisions: ['forbidden'] },
};
const DECISIONS = new Set(['allow', 'forbidden', 'not_found', 'invalid', 'error']);

/**
 * The workstation's plausible window (round 3, finding 7: events dated 2001 or 2099 were filed under
 * those dates). Before enrollment a PC may run for a while (installed, started, checked) before IT
 * enrolls it, and its clock is corrected to the server's only from its first sync.
 */
const BEFORE_ENROLLMENT_DAYS = 30;
const AHEAD_OF_SERVER_DAYS = 1;
const DAY = 86_400_000;

/** A refused sign-in, exactly as the workstation writes it: it names only the account tried. */
function failedSignInShape(e: Pushed): string | null {
  if (e.action !== 'sign_in_password' && e.action !== 'sign_in_badge') return `its actor has not signed in on this workstation`;
  if (e.decision !== 'forbidden' || e.on_behalf_of || (e.details !== null && e.details !== undefined))
    return 'it is not a refused sign-in as the workstation records one';
  if (e.resource !== `User:${e.actor}`) return 'a refused sign-in names only the account that was tried';
  if (e.reason !== 'unauthenticated' && e.reason !== 'throttled') return 'a refused sign-in gives no other reason';
  return null;
}

function outsideWindow(e: Pushed, enrolledAt: string, now: string): string | null {
  const at = Date.parse(e.at);
  if (at > Date.parse(now) + AHEAD_OF_SERVER_DAYS * DAY) return `it is dated ${e.at.slice(0, 10)}, after the server's time`;
  if (at < Date.parse(enrolledAt) - BEFORE_ENROLLMENT_DAYS * DAY)
    return `it is dated ${e.at.slice(0, 10)}, long before the workstation was enrolled`;
  return null;
}

interface Known {
  users: Map<string, string>;
  deviceUsers: Set<string>;
}

async function knownPeople(server: Server, device: Device, events: Pushed[]): Promise<Known> {
  const ids = [
    ...new Set(
      events.flatMap((e) => [e.actor, e.on_behalf_of]).filter((x): x is string => typeof x === 'string' && !(x in SYSTEM_ACTORS)),
    ),
  ];
  const users = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    for (const u of await server.db.all<{ id: string; org_id: string }>(
      `SELECT id, org_id FROM users WHERE id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    ))
      users.set(u.id, u.org_id);
  }
  const deviceUsers = new Set(
    (await server.db.all<{ user_id: string }>('SELECT user_id FROM device_users WHERE device_id = ?', [device.id])).map(
      (r) => r.user_id,
    ),
  );
  return { users, deviceUsers };
}

/** Why this event may not come from this workstation, or null. */
/**
 * Text neither database can hold (a NUL, a lone surrogate: older software only) is stored as U+FFFD so
 * the push never wedges; its hash and signature were checked on the text as sent, so audit:verify
 * will show that event as changed — which it is, by this rule (docs/sync.md).
 */
const storable = <T extends string | null | undefined>(v: T): T => (typeof v === 'string' ? toStorable(v) : v) as T;

function refusal(e: Pushed, device: Device, known: Known, enrolledAt: string, now: string): string | null {
  if (canonicalTime(e.at) === null) return 'its time is not a valid timestamp';
  const when = outsideWindow(e, enrolledAt, now);
  if (when) return when;
  if (!DECISIONS.has(e.decision)) return `its decision "${e.decision.slice(0, 20)}" is not one the workstation writes`;
  if (e.org_id !== null && e.org_id !== device.org_id && e.org_id !== ROOT_ORG_ID) return 'it belongs to another organization';
  const system = SYSTEM_ACTORS[e.actor];
  if (system) {
    if (!system.actions.includes(e.action) || (system.decisions && !system.decisions.includes(e.decision)) || e.on_behalf_of) {
      return `the workstation's "${e.actor}" entries never record "${e.action.slice(0, 40)}"`;
    }
    if (e.actor === 'unknown') return failedSignInShape(e);
    return e.org_id === ROOT_ORG_ID ? 'it belongs to another organization' : null;
  }
  const org = known.users.get(e.actor);
  if (org === undefined) return 'its actor is not a user the server knows';
  if (org !== device.org_id && org !== ROOT_ORG_ID) return "its actor is another organization's user";
  if (e.org_id === ROOT_ORG_ID && org !== ROOT_ORG_ID) return 'it belongs to another organization';
  // Someone who never signed in here appears only as the account a refused sign-in tried.
  if (!known.deviceUsers.has(e.actor)) return failedSignInShape(e);
  if (e.on_behalf_of) {
    if (org !== ROOT_ORG_ID) return 'only root acts on behalf of another user';
    if (known.users.get(e.on_behalf_of) !== device.org_id) return 'it acts on behalf of someone outside the organization';
  }
  return null;
}

export async function ingestAudit(server: Server, device: Device, events: Pushed[]): Promise<IngestResult> {
  const { db } = server;
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const result = await db.transaction(async () => {
    // Serializes pushes of one workstation (the row lock in PostgreSQL; SQLite has one writer).
    await db.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [server.now(), device.id]);
    const keyRow = await db.get<{ public_key: string | null; enrolled_at: string }>(
      'SELECT public_key, enrolled_at FROM devices WHERE id = ?',
      [device.id],
    );
    const key = keyRow?.public_key ? parsePublicKey(keyRow.public_key) : null;
    const lastRow = await db.get<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM device_audit WHERE device_id = ? ORDER BY seq DESC LIMIT 1',
      [device.id],
    );
    let last = { seq: Number(lastRow?.seq ?? 0), hash: lastRow?.hash ?? GENESIS_HASH };
    const known = await knownPeople(server, device, sorted);
    const proofs = await auditProofs(server, device); // issue 20: the signature of the user an event names
    let accepted = 0;
    let refused: IngestResult['refused'] = null;
    for (const e of sorted) {
      const refuse = (why: string): void => {
        refused = { seq: e.seq, message: `Audit event ${e.seq} was refused: ${why}.` };
      };
      if (e.seq <= last.seq) {
        const stored = await db.get<{ hash: string }>('SELECT hash FROM device_audit WHERE device_id = ? AND seq = ?', [
          device.id,
          e.seq,
        ]);
        if (stored && stored.hash === e.hash) continue; // sent again after a lost answer
        refuse(
          stored ? 'it differs from the event with that number received before' : 'it is older than the events already received',
        );
        break;
      }
      if (e.seq !== last.seq + 1) {
        refuse(`event ${last.seq + 1} is missing before it`);
        break;
      }
      if (e.prev_hash !== last.hash) {
        refuse('it does not link to the previous event');
        break;
      }
      if (auditHash(e.prev_hash, { ...e, decision: e.decision as 'allow', details: e.details ?? null }) !== e.hash) {
        refuse('its content does not match its hash');
        break;
      }
      if (key && !(e.signature && verifyAuditSignature(key, device.id, e.seq, e.hash, e.signature))) {
        refuse(e.signature ? "its signature is not this workstation's" : 'it is not signed');
        break;
      }
      const why = refusal(e, device, known, keyRow?.enrolled_at ?? server.now(), server.now()) ?? (await proofs.refusal(e));
      if (why) {
        refuse(why);
        break;
      }
      await db.run(
        `INSERT INTO device_audit (device_id, seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, details, prev_hash, hash, signature, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          device.id,
          e.seq,
          ...[e.id, e.at, e.actor, e.on_behalf_of, e.action, e.resource, e.decision, e.reason, e.org_id, e.details ?? null].map(
            storable,
          ),
          e.prev_hash,
          e.hash,
          key ? e.signature! : null,
          server.now(),
        ],
      );
      await appendAudit(db, {
        id: `${device.id}#${e.seq}`,
        at: e.at,
        actor: e.actor,
        on_behalf_of: e.on_behalf_of,
        action: e.action,
        resource: e.resource,
        decision: e.decision as 'allow',
        reason: e.reason,
        org_id: e.org_id ?? device.org_id,
        details: e.details ?? null,
        origin: `${device.id}#${e.seq}`,
      });
      await proofs.keep(e);
      last = { seq: e.seq, hash: e.hash };
      accepted++;
    }
    if (refused) await auditRefusal(server, device, refused);
    return { accepted, acked_seq: last.seq, refused: refused as IngestResult['refused'] };
  });
  if (result.refused)
    server.log.warn('workstation audit events refused', {
      device: device.id,
      seq: result.refused.seq,
      reason: result.refused.message,
    });
  return result;
}

/** A refusal is itself an audit event of the server (once per distinct refusal, not at every retry). */
async function auditRefusal(server: Server, device: Device, r: { seq: number; message: string }): Promise<void> {
  const previous = await server.db.get<{ reason: string | null }>(
    "SELECT reason FROM audit_events WHERE action = 'audit_refused' AND resource = ? ORDER BY seq DESC LIMIT 1",
    [`Device:${device.id}`],
  );
  if (previous?.reason === r.message) return;
  await appendAudit(server.db, {
    at: server.now(),
    actor: `Device:${device.id}`,
    on_behalf_of: null,
    action: 'audit_refused',
    resource: `Device:${device.id}`,
    decision: 'forbidden',
    reason: r.message,
    org_id: device.org_id,
    details: { seq: r.seq },
  });
}
