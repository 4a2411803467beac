/**
 * Applying a workstation's pushed mutations: each at most once (its id is the idempotency key and its
 * stored outcome is returned for a duplicate), re-authorized as its user against the server's current
 * data and clock, in its own transaction together with the record of its outcome.
 */
import { z } from 'zod';
import { isAppError } from '../domain/errors';
import { ROOT_ORG_ID } from '../domain/roles';
import { isMutationName, MUTATIONS } from '../services/mutations';
import { runMutation } from '../services/run';
import type { MutationOutcome, PushRequest } from '../sync/protocol';
import type { Device } from './auth';
import type { Server } from './context';
import { ingestAudit, type IngestResult } from './auditIngest';

type Push = z.output<typeof PushRequest>;

export async function applyPush(server: Server, device: Device, req: Push): Promise<{ outcomes: MutationOutcome[]; audit_accepted: number; audit_acked_seq: number; audit_refused: IngestResult['refused'] }> {
  const { db } = server;
  const outcomes: MutationOutcome[] = [];
  for (const m of [...req.mutations].sort((a, b) => a.seq - b.seq)) {
    const stored = await db.get<{ device_id: string; status: MutationOutcome['status']; result: string }>('SELECT device_id, status, result FROM mutations WHERE id = ?', [m.id]);
    if (stored) {
      if (stored.device_id !== device.id) {
        outcomes.push({ id: m.id, status: 'rejected', duplicate: false, error: { kind: 'invalid', message: 'This change id was already used by another workstation.' } });
      } else {
        outcomes.push({ id: m.id, status: stored.status, duplicate: true, ...(JSON.parse(stored.result) as object) });
      }
      continue;
    }
    const refusal = await refuse(server, device, m.actor, m.name);
    const outcome: MutationOutcome = await db.transaction(async () => {
      let o: MutationOutcome;
      if (refusal) {
        o = { id: m.id, status: 'rejected', duplicate: false, error: refusal };
      } else {
        try {
          const def = MUTATIONS[m.name as keyof typeof MUTATIONS];
          const result = await runMutation({ ...server.ctx, mutationId: () => m.id }, { userId: m.actor, as: null }, def as never, m.args);
          o = { id: m.id, status: 'applied', duplicate: false, result };
        } catch (e) {
          if (!isAppError(e)) throw e;
          o = { id: m.id, status: e.kind === 'conflict' ? 'conflict' : 'rejected', duplicate: false, error: e.toJSON() };
        }
      }
      const { id: _id, status, duplicate: _d, ...rest } = o;
      await db.run('INSERT INTO mutations (id, device_id, seq, user_id, name, status, result, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [m.id, device.id, m.seq, m.actor, m.name.slice(0, 100), status, JSON.stringify(rest), server.now()]);
      await db.run('UPDATE devices SET last_seq = CASE WHEN last_seq < ? THEN ? ELSE last_seq END, last_seen_at = ? WHERE id = ?', [m.seq, m.seq, server.now(), device.id]);
      return o;
    });
    outcomes.push(outcome);
  }
  // Audit events: verified and chained by src/server/auditIngest.ts (security issue 13).
  const audit = await ingestAudit(server, device, req.audit);
  return { outcomes, audit_accepted: audit.accepted, audit_acked_seq: audit.acked_seq, audit_refused: audit.refused };
}

/** A mutation is only taken from a user who signed in through this workstation, of its organization. */
async function refuse(server: Server, device: Device, actor: string, name: string): Promise<MutationOutcome['error'] | null> {
  if (!isMutationName(name)) return { kind: 'invalid', message: `Unknown change "${name.slice(0, 60)}".` };
  const user = await server.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [actor]);
  const known = await server.db.get('SELECT 1 FROM device_users WHERE device_id = ? AND user_id = ?', [device.id, actor]);
  if (!user || !known || (user.org_id !== device.org_id && user.org_id !== ROOT_ORG_ID)) {
    return { kind: 'forbidden', message: 'This change was made by a user who has not signed in through this workstation.' };
  }
  return null;
}
