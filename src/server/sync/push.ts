/**
 * Applying a workstation's pushed mutations: each at most once (its id is the idempotency key and its
 * stored outcome is returned for a duplicate), re-authorized as its user against the server's current
 * data and clock, in its own transaction together with the record of its outcome.
 *
 * Each mutation is decided and answered on its own: one the server cannot store (a medical record
 * number another patient took meanwhile, any database error) is `rejected` or `conflict` with a
 * sentence the user can act on, the details go to the server log, and the rest of the batch goes on.
 * A push therefore never wedges a workstation.
 */
import { type z } from 'zod';
import { isAppError, type ErrorKind } from '../../domain/errors';
import { ROOT_ORG_ID } from '../../domain/roles';
import { storable } from '../../domain/text';
import { isMutationName, MUTATIONS } from '../../services/mutations';
import { runMutation } from '../../services/run';
import type { MutationOutcome, PushRequest } from '../../sync/protocol';
import type { Device } from '../auth';
import type { Server } from '../context';
import { ingestAudit, type IngestResult } from '../auditIngest';
import { checkChange, checkWitnessProof } from '../personProof';

type Push = z.output<typeof PushRequest>;
type Mutation = Push['mutations'][number];

export async function applyPush(
  server: Server,
  device: Device,
  req: Push,
): Promise<{
  outcomes: MutationOutcome[];
  audit_accepted: number;
  audit_acked_seq: number;
  audit_refused: IngestResult['refused'];
}> {
  const outcomes: MutationOutcome[] = [];
  for (const m of [...req.mutations].sort((a, b) => a.seq - b.seq)) outcomes.push(await applyOne(server, device, m));
  // Audit events: verified and chained by src/server/auditIngest.ts (security issue 13).
  const audit = await ingestAudit(server, device, req.audit);
  return { outcomes, audit_accepted: audit.accepted, audit_acked_seq: audit.acked_seq, audit_refused: audit.refused };
}

/** The outcome recorded for this change id, answered as a duplicate (refused when another workstation's). */
async function storedOutcome(server: Server, device: Device, id: string): Promise<MutationOutcome | null> {
  const stored = await server.db.get<{ device_id: string; status: MutationOutcome['status']; result: string }>(
    'SELECT device_id, status, result FROM mutations WHERE id = ?',
    [id],
  );
  if (!stored) return null;
  if (stored.device_id !== device.id) {
    return {
      id,
      status: 'rejected',
      duplicate: false,
      error: { kind: 'invalid', message: 'This change id was already used by another workstation.' },
    };
  }
  return { id, status: stored.status, duplicate: true, ...(JSON.parse(stored.result) as object) };
}

async function applyOne(server: Server, device: Device, m: Mutation): Promise<MutationOutcome> {
  const { db } = server;
  const stored = await storedOutcome(server, device, m.id);
  if (stored) return stored;
  // Issue 20: its author's signature first (nothing is applied or recorded without it), then the online-only rule.
  const proof = await checkChange(server, device, m);
  if ('held' in proof) return proof.held;
  // Issue 19: a witnessed dose also needs its witness's own signature.
  const witness = await checkWitnessProof(server, device, m);
  if (witness) return witness.held;
  const refusal = proof.refusal ?? (await refuse(server, device, m.actor, m.name));
  try {
    return await db.transaction(async () => {
      // Security round 3: the workstation's row first, as audit intake takes it (one lock order —
      // device row, then audit chain — so the two never deadlock, finding 6); the same change pushed
      // to another server process meanwhile waits here and is answered as a duplicate (finding 10).
      await db.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [server.now(), device.id]);
      const raced = await storedOutcome(server, device, m.id);
      if (raced) return raced;
      let o: MutationOutcome;
      if (refusal) {
        o = { id: m.id, status: 'rejected', duplicate: false, error: refusal };
      } else {
        try {
          const def = MUTATIONS[m.name as keyof typeof MUTATIONS];
          // The alerts this replay writes: the server's escalation decision, which the workstation follows.
          const alerts: string[] = [];
          const result = await runMutation(
            {
              ...server.ctx,
              mutationId: () => m.id,
              mutations: {
                record: async (r) => {
                  for (const c of r.changes) if (c.table === 'alerts' && c.after) alerts.push(String(c.key.id));
                },
              },
            },
            { userId: m.actor, as: null },
            def as never,
            m.args,
          );
          o = { id: m.id, status: 'applied', duplicate: false, result, alerts_written: alerts };
        } catch (e) {
          if (!isAppError(e)) throw e;
          o = { id: m.id, status: e.kind === 'conflict' ? 'conflict' : 'rejected', duplicate: false, error: e.toJSON() };
        }
      }
      await recordOutcome(server, device, m, o);
      return o;
    });
  } catch (e) {
    // Another workstation recorded this id meanwhile: answered as for any id already used.
    const raced = await storedOutcome(server, device, m.id);
    if (raced) return raced;
    // The mutation and its writes rolled back. Tell the workstation why in words a nurse can act
    // on, keep the details in the server log, and remember the outcome so a retry answers the same.
    const o = unexpected(m.id, e);
    server.log.error('pushed change could not be applied', {
      device: device.id,
      mutation: m.id,
      name: m.name.slice(0, 100),
      error: (e as Error)?.stack ?? String(e),
    });
    await db.transaction(() => recordOutcome(server, device, m, o));
    return o;
  }
}

async function recordOutcome(server: Server, device: Device, m: Mutation, o: MutationOutcome): Promise<void> {
  const { db } = server;
  const { id: _id, status, duplicate: _d, ...rest } = o;
  await db.run(
    'INSERT INTO mutations (id, device_id, seq, user_id, name, status, result, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      m.id,
      device.id,
      m.seq,
      m.actor,
      storable(m.name) ? m.name.slice(0, 100) : '(unreadable name)',
      status,
      JSON.stringify(rest),
      server.now(),
    ],
  );
  await db.run('UPDATE devices SET last_seq = CASE WHEN last_seq < ? THEN ? ELSE last_seq END, last_seen_at = ? WHERE id = ?', [
    m.seq,
    m.seq,
    server.now(),
    device.id,
  ]);
}

/** A database error as an outcome: a clash with data stored meanwhile is a conflict, anything else invalid. */
function unexpected(id: string, e: unknown): MutationOutcome {
  const text = `${(e as { code?: string })?.code ?? ''} ${(e as Error)?.message ?? ''}`;
  const clash = /UNIQUE|unique constraint|duplicate key|23505|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE/i.test(text);
  const kind: ErrorKind = clash ? 'conflict' : 'invalid';
  const message = clash
    ? 'This change clashes with one saved meanwhile on another workstation (for example a medical record number that is now taken). Check the details and enter it again.'
    : 'The server could not save this change, so it was undone here. Enter it again; if it keeps failing, call IT (the server logged the details).';
  return { id, status: clash ? 'conflict' : 'rejected', duplicate: false, error: { kind, message } };
}

/** A mutation is only taken from a user who signed in through this workstation, of its organization. */
async function refuse(server: Server, device: Device, actor: string, name: string): Promise<MutationOutcome['error'] | null> {
  if (!isMutationName(name))
    return { kind: 'invalid', message: `Unknown change "${name.slice(0, 60).replace(/[^\x20-\x7e]/g, '?')}".` };
  const user = await server.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [actor]);
  const known = await server.db.get('SELECT 1 FROM device_users WHERE device_id = ? AND user_id = ?', [device.id, actor]);
  if (!user || !known || (user.org_id !== device.org_id && user.org_id !== ROOT_ORG_ID)) {
    return { kind: 'forbidden', message: 'This change was made by a user who has not signed in through this workstation.' };
  }
  return null;
}
