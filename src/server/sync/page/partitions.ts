/**
 * One step of a page that re-evaluates patient partitions: what is visible now against what the
 * workstation holds (new, changed or re-masked rows are sent, rows no longer visible removed). Used
 * by the listed-partitions phase and the change-log phase.
 */
import { inList, placeholders } from '../../../store/sql';
import { TABLE_ORDER, type TableName } from '../../../store/tables';
import { changedSince } from '../changeLog';
import { keySql, patientPart } from '../partitions';
import { evaluatePatients } from '../patientRows';
import { referenceRows } from '../referenceRows';
import { SYNC_RULES } from '../rules';
import { diff } from './builder';
import type { PageRun } from './run';

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reference rows with a field that travels only with its patient (a user's link to their patient row): [table, column]. */
const LINKED_TO_PATIENTS: Array<[TableName, string]> = TABLE_ORDER.flatMap((table) =>
  Object.values(SYNC_RULES[table].masked ?? {}).flatMap((f) =>
    'shownTo' in f && 'heldPatient' in f.shownTo ? [[table, f.shownTo.heldPatient as string] as [TableName, string]] : [],
  ),
);

/** Re-evaluates these patients' partitions, a step (a few dozen patients) at a time. */
export async function reevaluatePatients(run: PageRun, patientIds: readonly string[]): Promise<void> {
  const { db } = run.server;
  const { state, page, scope, device } = run;
  for (let i = 0; i < patientIds.length;) {
    const ids = patientIds.slice(i, i + run.patientsPerStep());
    i += ids.length;
    const parts = ids.map(patientPart);
    const visible = await evaluatePatients(scope, ids, run.refs);
    const held = await run.store.heldInParts(device.id, parts);
    const changed = await changedSince(db, state.from, { parts });
    diff(page, visible, held, changed);
    state.perPatient = Math.max(1, ((state.perPatient ?? 100) + visible.length / ids.length) / 2);
    // Rows linked to these patients (users who are these patients) are re-masked: the link travels
    // only with the patient.
    const visiblePatients = visible.filter((v) => v.table === 'patients').map((v) => v.key);
    for (const [table, column] of LINKED_TO_PATIENTS) {
      const linked = (
        await db.all<{ k: string }>(
          `SELECT ${keySql(table, db.dialect)} AS k FROM ${table} m WHERE m.${column} IN (${placeholders(ids)})`,
          ids,
        )
      ).map((r) => r.k);
      if (linked.length === 0) continue;
      const rows = await referenceRows(scope, table, (c) => inList(c, visiblePatients), { keys: linked });
      const heldMask = new Map((await run.store.heldByKeys(device.id, table, linked)).map((h) => [h.row_key, Number(h.mask)]));
      for (const r of rows) if (heldMask.get(r.key) !== r.mask) page.upsert(r);
    }
    await yieldNow();
  }
}
