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
