/** The workstation's outbox: local mutations waiting to be pushed (SPEC §6). */
import type { Db } from '../store/db';
import type { MutationSink, RecordedMutation } from './context';

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
  };
}
