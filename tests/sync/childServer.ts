/**
 * A server in its own process, for crash tests: `node --import tsx childServer.ts <sqlite-file|postgres-url> <port> [die-at]`.
 * Prints "listening <url>", then "committing <id>" as each pushed mutation is recorded. With a number
 * it kills itself (SIGKILL) while recording that mutation, inside its transaction: a crash at a known
 * point however busy the machine is (the parent used to aim its own kill, and on a loaded machine the
 * whole push could be over first).
 */
import { ManualClock } from '../../src/domain/time';
import { buildApp } from '../../src/server/app';
import { openServer } from '../../src/server/context';
import type { Db } from '../../src/store/db';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';

const [target, port, dieAt] = process.argv.slice(2);
let recorded = 0;
const db: Db = target!.startsWith('postgres') ? new PostgresDb(target!) : new SqliteDb(target!, { synchronous: 'FULL' });
const run = db.run.bind(db);
db.run = async (sql, params) => {
  if (sql.startsWith('INSERT INTO mutations')) {
    if (dieAt && ++recorded >= Number(dieAt)) process.kill(process.pid, 'SIGKILL');
    process.stdout.write(`committing ${String(params?.[0])}\n`);
  }
  return run(sql, params);
};
const server = await openServer({ db, clock: new ManualClock(process.env.SERVER_NOW ?? '2026-11-23T10:00:00.000Z') });
const app = await buildApp(server);
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write(`listening http://127.0.0.1:${port}\n`);
