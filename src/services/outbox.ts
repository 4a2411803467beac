/**
 * The workstation's outbox: local mutations waiting to be pushed (SPEC §6), and what the screen says
 * about them (issue 18): which rows are not sent yet (a pending mark on each), and which changes the
 * server refused — told to their author only.
 */
import type { Db } from '../store/db';
import type { Change } from '../store/writer';
import type { MutationSink, PendingRows, RecordedMutation } from './context';

/** The author's signature of a change, made where it is saved (src/sync/userKeys.ts, docs/security.md P1). */
export type ChangeSigner = (m: RecordedMutation) => Promise<object | null>;

export function outboxSink(db: Db, sign?: ChangeSigner): MutationSink {
  return {
    async record(m: RecordedMutation): Promise<void> {
      const proof = sign ? await sign(m) : null;
      await db.run(
        `INSERT INTO outbox (id, name, args, actor_id, on_behalf_of, created_at, changes, summary, proof)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          m.id,
          m.name,
          JSON.stringify(m.args),
          m.principal.actor.id,
          m.principal.onBehalfOf,
          m.at,
          JSON.stringify(m.changes),
          m.summary,
          proof ? JSON.stringify(proof) : null,
        ],
      );
    },
    pendingRows: () => pendingRows(db),
  };
}

/** The rows (by table, by id) that pending mutations wrote: shown as "not sent yet" until applied. */
export async function pendingRows(db: Db): Promise<PendingRows> {
  const out = new Map<string, Set<string>>();
  for (const { changes } of await db.all<{ changes: string }>("SELECT changes FROM outbox WHERE status = 'pending'")) {
    for (const c of JSON.parse(changes) as Change[]) {
      const id = c.key.id;
      if (typeof id !== 'string') continue;
      out.set(c.table, (out.get(c.table) ?? new Set()).add(id));
    }
  }
  return out;
}

export interface RejectedChange {
  id: string;
  /** "Vitals for Alice Patient". */
  summary: string;
  /** The server's sentence. */
  reason: string;
  at: string | null;
  /** The author's name, as the workstation knows it. */
  by: string | null;
}

/**
 * The changes the server refused that this user made (newest first). Only their author is told: the
 * summaries name patients and what was done to them, and the next user at a shared ward screen is
 * someone else.
 */
export async function rejectedChangesOf(db: Db, userId: string, limit = 50): Promise<RejectedChange[]> {
  const rows = await db.all<{
    id: string;
    summary: string;
    result: string | null;
    resolved_at: string | null;
    by: string | null;
  }>(
    `SELECT o.id, o.summary, o.result, o.resolved_at, u.name AS by FROM outbox o LEFT JOIN users u ON u.id = o.actor_id
     WHERE o.status IN ('rejected', 'conflict') AND o.actor_id = ? ORDER BY o.seq DESC LIMIT ?`,
    [userId, limit],
  );
  return rows.map((r) => ({ id: r.id, summary: r.summary, reason: reasonOf(r.result), at: r.resolved_at, by: r.by }));
}

function reasonOf(result: string | null): string {
  try {
    const r = JSON.parse(result ?? '{}') as { message?: unknown };
    return typeof r.message === 'string' ? r.message : 'Not accepted by the server.';
  } catch {
    return 'Not accepted by the server.';
  }
}
