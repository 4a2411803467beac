/**
 * What a page costs the server, in statements (issue 21, Deliver 2): a page is built from batched
 * statements — one per table per step of patients, never one per patient or per row — so its
 * statement count does not grow with the patients and rows it carries.
 */
import { expect, it } from 'vitest';
import { addCardiologyPatients, describeSync, syncFixture, type SyncSuite } from '../helpers/sync';

/** Statements the server runs while `fn` runs. */
async function statementsOf(t: SyncSuite, fn: () => Promise<unknown>): Promise<number> {
  const db = t.srv.db as unknown as Record<'all' | 'get' | 'run', (...a: unknown[]) => Promise<unknown>>;
  let n = 0;
  const orig = { all: db.all, get: db.get, run: db.run };
  for (const k of ['all', 'get', 'run'] as const)
    db[k] = (...a: unknown[]) => {
      n++;
      return orig[k].apply(t.srv.db, a);
    };
  try {
    await fn();
  } finally {
    Object.assign(db, orig);
  }
  return n;
}

describeSync('what a page costs', syncFixture, (t) => {
  it('a page of thirty-one patients costs the statements of a page of one: statements are per table, not per patient', async () => {
    // One page each (the largest a workstation may ask for), so the count is one page's; a page that
    // ends on time (40 ms, more likely on a busy PostgreSQL) would add a second page's statements.
    t.srv.server.sync.pageMs = Number.POSITIVE_INFINITY;
    // One page each (the largest a workstation may ask for), so the count is one page's.
    const one = await t.workstation('ward-of-one', { pageLimit: 5000 });
    await one.signIn('nina');
    const small = await statementsOf(t, () => one.sync.syncNow());
    expect(await one.ids('patients')).toEqual(['p-a']);

    // Thirty more patients on Cardiology, each with three vitals entries.
    await addCardiologyPatients(t.srv, 3);
    const ward = await t.workstation('ward-of-31', { pageLimit: 5000 });
    await ward.signIn('nina');
    const large = await statementsOf(t, () => ward.sync.syncNow());
    expect(await ward.ids('patients')).toHaveLength(31);
    expect((await ward.ids('observations')).length).toBeGreaterThanOrEqual(90);
    const pulled = (ws: typeof ward, table: string): number =>
      t.pulledRows(ws, 0).filter((u: { table: string }) => u.table === table).length;
    expect(pulled(ward, 'patients')).toBe(31);
    expect(pulled(ward, 'observations')).toBeGreaterThanOrEqual(pulled(one, 'observations') + 90);
    // Measured when written: 117 statements for one patient and 108 for 31 on SQLite, 196 and 170 on
    // PostgreSQL (the first workstation also pays the server's first-use lookups); one statement
    // more per patient would be 30 more.
    expect(large).toBeLessThanOrEqual(small + 2);
  });
});
