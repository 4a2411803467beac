/**
 * Phase 1 of a cycle: reference data whose visibility or masks may have changed — the tables that
 * depend on the workstation's users when they changed, all of it after structural changes, the
 * policy changing or the daily reconciliation. A key range of one table per step.
 */
import type { TableName } from '../../../store/tables';
import { changedSince } from '../changeLog';
import { ORG_TABLES } from '../partitions';
import { referenceRows } from '../referenceRows';
import { SYNC_RULES } from '../rules';
import { diff } from './builder';
import type { PageRun } from './run';

/** Reference rows per step at most. */
const ORG_STEP = 1000;
const PER_USER_TABLES: readonly TableName[] = ORG_TABLES.filter((t) => {
  const rule = SYNC_RULES[t];
  return 'perUser' in rule && rule.perUser;
});

/** Returns false when the page filled up before the phase ended. */
export async function referencePhase(run: PageRun): Promise<boolean> {
  const { state, scope, device, page } = run;
  if (state.org === 'none') return true;
  const tables = state.org === 'all' ? ORG_TABLES : PER_USER_TABLES;
  while (state.orgTable < tables.length) {
    if (run.full()) return false;
    const table = tables[state.orgTable]!;
    const chunk = Math.max(50, Math.min(ORG_STEP, run.limit - page.size));
    const visible = await referenceRows(scope, table, run.heldPatients, { after: state.orgAfter, limit: chunk, refs: run.refs });
    const last = visible.length === chunk ? visible.at(-1)!.key : null;
    const held = await run.store.heldInRange(device.id, table, state.orgAfter, last);
    const changed = visible.length
      ? await changedSince(run.server.db, state.from, { table, keys: visible.map((v) => v.key) })
      : new Set<string>();
    diff(page, visible, held, changed);
    if (last === null) {
      state.orgTable++;
      state.orgAfter = null;
    } else state.orgAfter = last;
    await run.stepDone();
  }
  state.org = 'none';
  return true;
}
