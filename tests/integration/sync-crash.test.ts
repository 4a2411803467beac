/**
 * Crash safety of sync, with real processes killed by SIGKILL: the server in the middle of a push,
 * the workstation in the middle of applying a pull. After restart both sides are consistent and
 * nothing is lost or applied twice. On SQLite and on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHospital } from '../../src/demo/hospital';
import { SqliteDb } from '../../src/store/sqlite';
import { startCluster, type Cluster } from '../helpers/postgres';
import {
  enrolledWorkstation,
  NOW,
  seedServerDb,
  serverDb,
  startServer,
  syncFixture,
  tempDir,
  type Backend,
} from '../helpers/sync';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = (script: string, args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', path.join(here, '../sync', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });

function lines(p: ChildProcess, onLine: (l: string) => void): void {
  createInterface({ input: p.stdout! }).on('line', onLine);
}
const exited = (p: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode) resolve();
    else p.once('exit', () => resolve());
  });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as { port: number };
      s.close(() => resolve(a.port));
    });
  });
}

async function startChildServer(target: string, port: number, dieAt?: number): Promise<{ p: ChildProcess; committed: string[] }> {
  const p = child('childServer.ts', [target, String(port), ...(dieAt ? [String(dieAt)] : [])]);
  const committed: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
    lines(p, (l) => {
      if (l.startsWith('listening')) {
        clearTimeout(timer);
        resolve();
      }
      if (l.startsWith('committing ')) committed.push(l.slice(11));
    });
    p.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { p, committed };
}

describe.each<Backend>(['sqlite', 'postgres'])('crash safety on %s', (backend) => {
  let cluster: Cluster | null = null;
  const tmp = tempDir('cw-crash-');
  beforeAll(async () => {
    if (backend === 'postgres') cluster = await startCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
    tmp.cleanup();
  });

  const target = async (fixture: unknown): Promise<string> => {
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, fixture);
    const where =
      db instanceof SqliteDb
        ? db.path
        : (db as unknown as { pool: { options: { connectionString: string } } }).pool.options.connectionString;
    await db.close();
    return where;
  };

  it('server killed in the middle of a push: after restart every change is applied exactly once', async () => {
    const where = await target(syncFixture());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // It kills itself while recording the 26th pushed change (the enrollment's sign-in records none).
    let srv = await startChildServer(where, port, 26);
    const ws = await enrolledWorkstation(url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    try {
      await ws.signIn('nina');
      await ws.sync.syncNow();
      ws.online = false;
      const ids: string[] = [];
      for (let i = 0; i < 120; i++)
        ids.push(
          (
            await ws.run('u-nina', 'recordObservation', {
              patient_id: 'p-a',
              category: 'vitals',
              code: 'heart_rate',
              value: String(60 + (i % 40)),
              unit: '/min',
            })
          ).id,
        );
      ws.online = true;
      const pushing = ws.sync.syncNow();
      await exited(srv.p);
      expect(srv.p.signalCode).toBe('SIGKILL');
      expect((await pushing).mode).toBe('offline');
      expect(srv.committed.length).toBe(25);
      srv = await startChildServer(where, port);
      const s = await ws.sync.syncNow();
      expect(s).toMatchObject({ mode: 'online', pending: 0, rejected: [] });
      const verify =
        backend === 'sqlite' ? new SqliteDb(where) : new (await import('../../src/store/postgres')).PostgresDb(where);
      const n = await verify.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM observations WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      const m = await verify.get<{ n: number }>('SELECT COUNT(*) AS n FROM mutations');
      expect(Number(n!.n)).toBe(120);
      expect(Number(m!.n)).toBe(120);
      if (verify instanceof SqliteDb) expect(verify.raw.pragma('integrity_check', { simple: true })).toBe('ok');
      await verify.close();
      expect(await ws.db.all('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status')).toEqual([
        { status: 'applied', n: 120 },
      ]);
    } finally {
      srv.p.kill('SIGKILL');
      await exited(srv.p);
      await ws.close();
    }
  }, 240_000);

  it('workstation killed while applying a pull: after restart its database is intact and complete', async () => {
    const srv = await startServer(
      await (async () => {
        const db = await serverDb(backend, cluster, tmp.dir);
        await seedServerDb(db, demoHospital(NOW));
        return db;
      })(),
    );
    const ws = await enrolledWorkstation(srv.url, 'killed-pc', tmp.dir, 'ada', 'org-stm', { adminPassword: 'clinic-demo' });
    const reference = await enrolledWorkstation(srv.url, 'reference-pc', tmp.dir, 'ada', 'org-stm', {
      adminPassword: 'clinic-demo',
    });
    try {
      // The auditor reads the whole organization, observations included (~4,500 rows, ~115 pages).
      await ws.signIn('otto', 'clinic-demo');
      await reference.signIn('otto', 'clinic-demo');
      const enrollment = await ws.sync.enrollment();
      await ws.close();
      const file = path.join(tmp.dir, 'killed-pc.db');
      for (const afterPages of [3, 11, 40]) {
        // It kills itself inside the transaction of that page (of this run), before the commit.
        const p = child('childClient.ts', [file, String(afterPages)]);
        let done = false;
        lines(p, (l) => {
          if (l.startsWith('done')) done = true;
        });
        await exited(p);
        expect(p.signalCode).toBe('SIGKILL');
        expect(done).toBe(false);
        const db = new SqliteDb(file);
        expect(db.raw.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.raw.pragma('foreign_key_check')).toEqual([]);
        await db.close();
      }
      expect(enrollment).not.toBeNull();
      const finish = child('childClient.ts', [file]);
      let result = '';
      lines(finish, (l) => {
        if (l.startsWith('done')) result = l;
      });
      await exited(finish);
      expect(result).toBe('done online');
      await reference.sync.syncNow();
      const db = new SqliteDb(file);
      for (const table of ['patients', 'appointments', 'records', 'observations', 'alerts', 'users', 'role_assignments']) {
        const got = (await db.all<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => r.id);
        const want = await reference.ids(table);
        expect({ table, count: got.length, same: JSON.stringify(got) === JSON.stringify(want) }).toEqual({
          table,
          count: want.length,
          same: true,
        });
      }
      expect((await db.all<{ id: string }>('SELECT id FROM observations')).length).toBeGreaterThan(4000);
      await db.close();
    } finally {
      await reference.close();
      await srv.close();
      await srv.db.close();
    }
  }, 240_000);
});
