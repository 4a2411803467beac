/**
 * Phase 3 of a cycle: the organization's change log since the version the workstation held, in
 * version order, a window of entries per step. A changed patient partition is re-evaluated — row by
 * row when all its changes are leaf rows (leafRows.ts), whole otherwise; a team change re-evaluates the
 * team's patients; a reference row is re-sent, or removed when deleted or no longer visible.
 */
import type { TableName } from '../../../store/tables';
import { logEntries } from '../changeLog';
import { addTo } from '../grouped';
import { isPatientPart, patientOfPart, patientPart, patientsOfTeam, teamOfPart } from '../partitions';
import { referenceRows } from '../referenceRows';
import { changedKeys, diff } from './builder';
import { settleLeafRows } from './leafRows';
import { reevaluatePatients } from './partitions';
import type { PageRun } from './run';

/** Change-log entries per step at most. */
const WINDOW_STEP = 200;

/** Returns false when the page filled up before the phase ended. */
export async function changeLogPhase(run: PageRun): Promise<boolean> {
  const { db } = run.server;
  const { state, scope, device, page } = run;
  while (state.winAfter < state.upTo) {
    if (run.full()) return false;
    const entries = await logEntries(
      db,
      device.org_id,
      state.winAfter,
      state.upTo,
      Math.max(1, Math.min(WINDOW_STEP, run.limit)),
    );
    if (entries.length === 0) {
      state.winAfter = state.upTo;
      break;
    }
    const patientParts = new Set<string>();
    const partRows = new Map<string, Array<{ table: TableName; key: string }>>();
    const teams = new Set<string>();
    const orgRows = new Map<TableName, Array<{ key: string; deleted: boolean }>>();
    for (const e of entries) {
      if (isPatientPart(e.part)) {
        patientParts.add(e.part);
        addTo(partRows, e.part, { table: e.table_name, key: e.row_key });
      } else {
        const team = teamOfPart(e.part);
        if (team !== null) teams.add(team);
        addTo(orgRows, e.table_name, { key: e.row_key, deleted: Number(e.deleted) === 1 });
      }
    }
    const whole = new Set<string>();
    for (const team of teams) {
      for (const p of await patientsOfTeam(db, team)) {
        patientParts.add(patientPart(p));
        whole.add(patientPart(p));
      }
    }
    // Partitions the scan of this cycle already brought up to date are not evaluated again.
    const list = [...patientParts];
    const scanned = state.scanWritten ? await run.store.scanned(device.id, list) : new Set<string>();
    for (const [table, rows] of orgRows) {
      const keys = rows.map((r) => r.key);
      const live = rows.filter((r) => !r.deleted).map((r) => r.key);
      const visible = live.length > 0 ? await referenceRows(scope, table, run.heldPatients, { keys: live, refs: run.refs }) : [];
      const held = await run.store.heldByKeys(device.id, table, keys);
      diff(page, visible, held, changedKeys(table, keys));
    }
    const todo = list.filter((p) => !scanned.has(p));
    // A partition whose changes are all leaf rows (a vitals entry, a note) is decided row by row;
    // one with a change that can move other rows (the patient, an appointment, a consent
    // restriction, a care team) is re-evaluated whole.
    const leafRows = new Map<TableName, string[]>();
    for (const part of todo) {
      const rows = partRows.get(part) ?? [];
      if (whole.has(part) || rows.length === 0 || rows.some((r) => !scope.isLeaf(r.table))) whole.add(part);
      else for (const r of rows) addTo(leafRows, r.table, r.key);
    }
    for (const part of await settleLeafRows(run, leafRows)) whole.add(part);
    await reevaluatePatients(run, todo.filter((p) => whole.has(p)).map(patientOfPart));
    state.winAfter = Number(entries.at(-1)!.version);
    await run.stepDone();
  }
  return true;
}
