/**
 * A dose given offline before the patient's final discharge is decided in the room the patient left
 * (src/domain/lateDose.ts) by READING the patient as they were then (src/authz/asAt.ts): the server
 * writes nothing to the patient to make that decision (it once wrote the room back inside a savepoint it
 * rolled back, which on PostgreSQL locked the patient's row for the push). SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import { at, dischargeFinally, doseGivenOffline, wardNursingWorld, setClocks } from '../helpers/offlineDoses';
import { describeSync } from '../helpers/sync';

describeSync('a late dose decided as at the bedside', wardNursingWorld, (t) => {
  it('is decided in the room the patient left without writing to the patient', async () => {
    const { a, d } = await doseGivenOffline(t);
    await dischargeFinally(t, a, at('20:05'), at('20:06'));
    setClocks(t, at('20:10'), a);

    const db = t.srv.db as unknown as Record<'run', (sql: string, params?: unknown[]) => Promise<unknown>>;
    const run = db.run;
    const writes: string[] = [];
    db.run = (sql, params) => {
      writes.push(sql);
      return run.call(t.srv.db, sql, params);
    };
    try {
      a.online = true;
      await a.sync.syncNow();
    } finally {
      db.run = run;
    }
    expect(await t.srv.db.get('SELECT id FROM medication_administrations WHERE id = ?', [d.id])).toEqual({ id: d.id });
    expect(writes.filter((sql) => /^\s*(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?patients\b/i.test(sql))).toEqual([]);
  }, 120_000);
});
