/**
 * The server's escalation decision wins (SPEC §7b, issue 18). A workstation scores a set of vital signs
 * or checks a result when it is saved, offline too, and raises the alert at once; the server replays the
 * same change against its own data (the patient's SpO₂ scale changed meanwhile, the site's limits) and
 * may decide otherwise. An alert of the server's with the same id (`news2:<set>`, `critical:<obs>`)
 * reaches the workstation by pull and replaces its own, so it is never held twice; an alert the
 * workstation raised that the server did not is withdrawn here, once the change is applied — only where
 * the row still holds what the change wrote (as refused changes are undone, src/sync/apply.ts).
 */
import type { Db } from '../store/db';
import type { Change } from '../store/writer';
import { revertChanges } from './apply';

/** Withdraws the alerts `changes` raised locally that the server's replay did not write (`alertsWritten`). */
export async function withdrawAlertsNotRaised(db: Db, changes: Change[], alertsWritten: readonly string[]): Promise<number> {
  const raised = new Set(alertsWritten);
  const own = changes.filter(
    (c) => c.table === 'alerts' && c.before === null && c.after !== null && !raised.has(String(c.key.id)),
  );
  if (own.length > 0) await revertChanges(db, own);
  return own.length;
}
