/**
 * The append-only, hash-chained audit log. Each event stores the hash of the one before it, so
 * removing or editing any event breaks the chain at that point (`npm run audit:verify`).
 * Appends happen inside the caller's transaction: an audited write and its event commit together.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditEvent } from '../domain/entities';
import type { Db } from './db';
import { toStorable } from '../domain/text';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = Omit<AuditEvent, 'seq' | 'id' | 'prev_hash' | 'hash' | 'details'> & {
  id?: string;
  /** Structured facts about the event; stored as JSON text. */
  details?: Record<string, unknown> | string | null;
};

const HASHED_FIELDS = ['seq', 'id', 'at', 'actor', 'on_behalf_of', 'action', 'resource', 'decision', 'reason', 'org_id'] as const;
/** Hashed only when one of them is set, so events written before they existed keep their hashes. */
const EXTRA_FIELDS = ['details', 'origin'] as const;

export function auditHash(prevHash: string, e: Omit<AuditEvent, 'prev_hash' | 'hash'>): string {
  const fields: unknown[] = HASHED_FIELDS.map((k) => e[k] ?? null);
  if (EXTRA_FIELDS.some((k) => (e[k] ?? null) !== null)) fields.push(...EXTRA_FIELDS.map((k) => e[k] ?? null));
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * The databases store UTF-8, which cannot hold a lone UTF-16 surrogate (possible in any JS string, e.g. an
 * MRN typed into the break-glass lookup): it would be stored as other text than was hashed, and the chain
 * would report tampering from that event on. Hash and store the same, well-formed text.
 */
const wellFormed = toStorable;

/**
 * Called after each event is appended, inside the same transaction: the workstation signs the events
 * a signed-in user causes with that user's own key (src/sync/userKeys.ts, docs/security.md P1).
 */
type AppendHook = (event: AuditEvent) => Promise<void>;
const appendHooks = new WeakMap<Db, AppendHook>();

export function onAuditAppended(db: Db, hook: AppendHook): void {
  appendHooks.set(db, hook);
}

/** Serializes appends to the chain across connections and server processes (PostgreSQL). */
const AUDIT_CHAIN_LOCK = 7_301_001;

export async function appendAudit(db: Db, input: AuditInput): Promise<AuditEvent> {
  const write = async (): Promise<AuditEvent> => {
    // Two transactions reading the same head would both write seq n+1 (one fails): on PostgreSQL
    // the head is read under a transaction-scoped advisory lock. SQLite has one writer at a time.
    if (db.dialect === 'postgres') await db.get('SELECT pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
    const last = await db.get<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    const seq = last ? Number(last.seq) + 1 : 1;
    const prev_hash = last?.hash ?? GENESIS_HASH;
    const base = {
      seq,
      id: wellFormed(input.id ?? randomUUID()),
      at: wellFormed(input.at),
      actor: wellFormed(input.actor),
      on_behalf_of: wellFormed(input.on_behalf_of ?? null),
      action: wellFormed(input.action),
      resource: wellFormed(input.resource),
      decision: wellFormed(input.decision),
      reason: wellFormed(input.reason ?? null),
      org_id: wellFormed(input.org_id ?? null),
      details: wellFormed(
        input.details == null ? null : typeof input.details === 'string' ? input.details : JSON.stringify(input.details),
      ),
      origin: wellFormed(input.origin ?? null),
    };
    const event: AuditEvent = { ...base, prev_hash, hash: auditHash(prev_hash, base) };
    await db.run(
      `INSERT INTO audit_events (seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, details, origin, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        event.seq,
        event.id,
        event.at,
        event.actor,
        event.on_behalf_of,
        event.action,
        event.resource,
        event.decision,
        event.reason,
        event.org_id,
        event.details ?? null,
        event.origin ?? null,
        event.prev_hash,
        event.hash,
      ],
    );
    await appendHooks.get(db)?.(event);
    return event;
  };
  return db.inTransaction() ? write() : db.transaction(write);
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; id: string; problem: string };
}

/**
 * Walks the chain in order; names the first event whose link or content does not verify. By default
 * the database's own log; `device` checks one workstation's log as the server received it.
 */
export async function verifyAuditChain(db: Db, opts: { device?: string } = {}): Promise<ChainReport> {
  const rows =
    opts.device === undefined
      ? await db.all<AuditEvent>('SELECT * FROM audit_events ORDER BY seq')
      : await db.all<AuditEvent>(
          `SELECT ${['seq', ...HASHED_FIELDS.filter((f) => f !== 'seq'), 'details', 'prev_hash', 'hash'].join(', ')} FROM device_audit WHERE device_id = ? ORDER BY seq`,
          [opts.device],
        );
  let prev = GENESIS_HASH;
  let expectedSeq = rows.length > 0 ? Number(rows[0]!.seq) : 1;
  for (const [i, raw] of rows.entries()) {
    const e = { ...raw, seq: Number(raw.seq) };
    const broken = (problem: string): ChainReport => ({ ok: false, checked: i, firstBroken: { seq: e.seq, id: e.id, problem } });
    if (i === 0 && e.seq !== 1) return broken(`the log starts at event ${e.seq}: events 1–${e.seq - 1} are missing`);
    if (e.seq !== expectedSeq) return broken(`event ${expectedSeq} is missing before event ${e.seq}`);
    if (e.prev_hash !== prev)
      return broken('its link to the previous event does not match (an event before it was changed or removed)');
    if (auditHash(e.prev_hash, e) !== e.hash) return broken('its content does not match its hash (the event was changed)');
    prev = e.hash;
    expectedSeq = e.seq + 1;
  }
  return { ok: true, checked: rows.length };
}
