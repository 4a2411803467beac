/**
 * One real workstation in its own process for the fleet benchmark:
 * `node --import tsx bench/fleet/workstation.ts <server-url> <enrollment-code> <db-file> <now>`
 * (the user it syncs for was recorded on the server by the caller). Enrolls, pulls everything, and
 * prints one JSON line: seconds, rows held, pages, and the largest event-loop delay of this process
 * during the pull (what a nurse would feel as a frozen screen).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ManualClock } from '../../src/domain/time';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLE_ORDER } from '../../src/store/tables';
import { CorrectedClock } from '../../src/sync/clock';
import { SyncEngine } from '../../src/sync/engine';
import { httpTransport, type Transport } from '../../src/sync/http';

const [url, code, file, now] = process.argv.slice(2);
const db = new SqliteDb(file!, { synchronous: 'FULL' });
await migrate(db, WORKSTATION_SETS);
const clock = new CorrectedClock(new ManualClock(now!));
let pages = 0;
const transport = (u: string): Transport => {
  const t = httpTransport(u, 600_000);
  return {
    post: async (p, body, response, auth, opts) => {
      const r = await t.post(p, body, response, auth, opts);
      if (p === '/v2/sync/pull') pages++;
      return r;
    },
  };
};
// FLEET_PAGE_LIMIT=<rows>: the page size the workstation asks for (the engine's default otherwise).
const pageLimit = process.env.FLEET_PAGE_LIMIT ? { pageLimit: Number(process.env.FLEET_PAGE_LIMIT) } : {};
const sync = new SyncEngine({ db, clock, corrected: clock, transport, intervalMs: 3_600_000, liveWaitMs: 0, ...pageLimit });
const e = await sync.enroll(url!, code!, 'bench ward workstation');
process.stdout.write(`enrolled ${e.device_id}\n`);
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const t0 = performance.now();
const status = await sync.syncNow();
const seconds = (performance.now() - t0) / 1000;
loop.disable();
let rows = 0;
for (const t of TABLE_ORDER) rows += Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
process.stdout.write(
  `${JSON.stringify({ seconds, rows, pages, loop_max_ms: loop.max / 1e6, mode: status.mode, error: status.last_error })}\n`,
);
await db.close();
process.exit(0);
