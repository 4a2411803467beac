/** The workstation's outbox: local mutations waiting to be pushed (SPEC §6). */
import type { Db } from '../store/db';
import type { MutationSink, RecordedMutation } from './context';

export function outboxSink(db: Db): MutationSink {
  return {
    async record(m: RecordedMutation): Promise<void> {
      await db.run(
        `INSERT INTO outbox (id, name, args, actor_id, on_behalf_of, created_at, changes, summary)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          m.id,
          m.name,
          JSON.stringify(m.args),
          m.principal.actor.id,
          m.principal.onBehalfOf,
          m.at,
          JSON.stringify(m.changes),
          m.summary,
        ],
      );
    },
  };
}

export interface OutboxEntry {
  seq: number;
  id: string;
  name: string;
  args: string;
  actor_id: string;
  on_behalf_of: string | null;
  created_at: string;
  changes: string;
  summary: string;
  status: 'pending' | 'applied' | 'rejected' | 'conflict';
  attempts: number;
  result: string | null;
  resolved_at: string | null;
}

export async function pendingOutbox(db: Db, limit = 100): Promise<OutboxEntry[]> {
  return db.all<OutboxEntry>(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`, [limit]);
}
