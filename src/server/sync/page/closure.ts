/**
 * The foreign-key closure of a page: reference rows the page's rows point to and the workstation does
 * not hold (a clinician created after its last pull) travel in the same page, so foreign keys hold
 * after every page. Up to five rounds (a room brings its ward, the ward its facility…).
 */
import type { References } from '../scope';
import { referenceRows } from '../referenceRows';
import type { PageRun } from './run';

export async function closeReferences(run: PageRun): Promise<void> {
  const { scope, device, page, store } = run;
  let wanted = run.refs;
  for (let round = 0; round < 5 && wanted.size > 0; round++) {
    const next: References = new Map();
    for (const [target, set] of wanted) {
      const keys = [...set].filter((k) => !page.has(target, k));
      for (let i = 0; i < keys.length; i += 400) {
        const chunk = keys.slice(i, i + 400);
        const held = new Set((await store.heldByKeys(device.id, target, chunk)).map((r) => r.row_key));
        const missing = chunk.filter((k) => !held.has(k));
        if (missing.length === 0) continue;
        for (const r of await referenceRows(scope, target, run.heldPatients, { keys: missing, refs: next })) page.upsert(r);
      }
    }
    wanted = next;
  }
}
