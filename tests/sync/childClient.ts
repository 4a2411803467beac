/**
 * A workstation syncing in its own process, for crash tests: `childClient.ts <workstation.db> [die-at-page]`.
 * Each pulled page is applied slowly (a pause inside its transaction) and reported. With a page
 * number it kills itself (SIGKILL) inside that page's transaction, after the page's rows and cursor
 * were written and before the commit: a crash at a known point, however busy the machine is (the
 * parent used to aim its own kill a few milliseconds after a page, and could miss on a loaded one).
 */
import { ManualClock } from '../../src/domain/time';
import { SqliteDb } from '../../src/store/sqlite';
import { SyncEngine } from '../../src/sync/engine';

const db = new SqliteDb(process.argv[2]!);
const transaction = db.transaction.bind(db);
db.transaction = (fn) =>
  transaction(async () => {
    const r = await fn();
    await new Promise((resolve) => setTimeout(resolve, 15));
    return r;
  });
const dieAt = process.argv[3] ? Number(process.argv[3]) : Infinity;
let pages = 0;
const set = db.run.bind(db);
db.run = async (sql, params) => {
  const r = await set(sql, params);
  if (sql.startsWith('INSERT INTO local_settings') && params?.[0] === 'sync.cursor') {
    if (++pages >= dieAt) process.kill(process.pid, 'SIGKILL');
    process.stdout.write('page\n');
  }
  return r;
};
const sync = new SyncEngine({ db, clock: new ManualClock('2026-11-23T10:00:00.000Z'), pageLimit: 40, intervalMs: 3_600_000 });
const s = await sync.syncNow();
process.stdout.write(`done ${s.mode}\n`);
await db.close();
