/**
 * Changed leaf rows decided one by one (`DeviceScope.isLeaf`): those visible in partitions the
 * workstation holds are sent, held ones no longer visible removed. A change in a partition neither
 * held nor newly visible costs one indexed statement per table.
 */
import type { TableName } from '../../../store/tables';
import type { HeldRow } from '../deviceState';
import { evaluateRows, type KeyedRow } from '../patientRows';
import { addRef, type References } from '../scope';
import { changedKeys, diff } from './builder';
import type { PageRun } from './run';

/**
 * Settles changed leaf rows and returns the partitions that must be re-evaluated whole instead: a row
 * that became visible in a partition not held (the patient moves in), one that points to a partition
 * parent not held (an appointment) or to an original (an amendment), and a held row no longer
 * visible (its partition may have been held for it).
 */
export async function settleLeafRows(run: PageRun, changed: Map<TableName, string[]>): Promise<Set<string>> {
  const { scope, device, page, store } = run;
  const whole = new Set<string>();
  const found: Array<{ visible: KeyedRow[]; held: HeldRow[]; keys: string[]; table: TableName }> = [];
  const parts = new Set<string>();
  const parents: References = new Map();
  for (const [table, all] of changed) {
    for (let i = 0; i < all.length; i += 400) {
      const keys = all.slice(i, i + 400);
      const local: References = new Map();
      const visible = await evaluateRows(scope, table, keys, local);
      const held = await store.heldByKeys(device.id, table, keys);
      const seen = new Set(visible.map((v) => v.key));
      for (const h of held) if (!seen.has(h.row_key)) whole.add(h.part);
      for (const v of visible) {
        parts.add(v.part);
        for (const [t, k] of v.parents) addRef(parents, t, k);
        if (v.original) whole.add(v.part);
      }
      for (const [t, set] of local) for (const k of set) addRef(run.refs, t, k);
      found.push({ visible, held, keys, table });
    }
  }
  if (parts.size > 0) {
    const list = [...parts];
    const heldParts = await store.heldParts(device.id, list);
    for (const p of list) if (!heldParts.has(p)) whole.add(p);
  }
  for (const [table, set] of parents) {
    const held = new Set((await store.heldByKeys(device.id, table, [...set])).map((r) => r.row_key));
    for (const { visible } of found)
      for (const v of visible)
        for (const [t, k] of v.parents) if (t === table && !held.has(k) && !page.has(table, k)) whole.add(v.part);
  }
  for (const { visible, held, keys, table } of found) {
    diff(
      page,
      visible.filter((v) => !whole.has(v.part)),
      held.filter((h) => !whole.has(h.part)),
      changedKeys(table, keys),
    );
  }
  return whole;
}
