/**
 * Sync figures: initial pull of a whole organization into an empty workstation, a push of 1,000
 * offline mutations re-authorized by the server, and an incremental pull of 100 changes. A real
 * server on loopback over a copy of the generated data (embedded SQLite).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthzEngine } from '../../src/authz/engine';
import { ManualClock } from '../../src/domain/time';
import { buildApp } from '../../src/server/app';
import { createEnrollmentCode, recordDeviceUser } from '../../src/server/auth';
import { openServer } from '../../src/server/context';
import { defaultServiceConfig, type ServiceContext } from '../../src/services/context';
import { MUTATIONS } from '../../src/services/mutations';
import { outboxSink } from '../../src/services/outbox';
import { runMutation } from '../../src/services/run';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { CorrectedClock } from '../../src/sync/clock';
import { SyncEngine } from '../../src/sync/engine';
import { UserKeys } from '../../src/sync/userKeys';
import { TEST_COST } from '../../src/domain/secretHash';
import { httpTransport, type Transport } from '../../src/sync/http';
import type { World } from './generate';
import { rssMb } from './measure';
import { BENCH_NOW, ORG } from './sizes';

export interface SyncFigures {
  dataset: string;
  initialPull: { seconds: number; rows: number };
  push1000: { seconds: number; perMutationMs: number; applied: number };
  incrementalPull100: { seconds: number };
  rssMb: number;
}

export async function syncBenchmarks(file: string, world: World, dataset: string): Promise<SyncFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-bench-sync-'));
  const serverFile = path.join(dir, 'server.db');
  copyFileSync(file, serverFile);
  const serverDb = new SqliteDb(serverFile, { synchronous: 'NORMAL' });
  const clock = new ManualClock(BENCH_NOW);
  const server = await openServer({ db: serverDb, clock });
  const app = await buildApp(server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const wsDb = new SqliteDb(path.join(dir, 'workstation.db'), { synchronous: 'NORMAL' });
  await migrate(wsDb, WORKSTATION_SETS);
  const wsClock = new CorrectedClock(new ManualClock(BENCH_NOW));
  let pushMs = 0;
  const timed = (u: string): Transport => {
    const real = httpTransport(u, 600_000);
    return {
      async post(p, body, response, auth) {
        const t0 = performance.now();
        try {
          return await real.post(p, body, response, auth);
        } finally {
          if (p === '/v2/sync/push') pushMs += performance.now() - t0;
        }
      },
    };
  };
  const keys = new UserKeys(wsDb, { clock: wsClock, cost: TEST_COST });
  const sync = new SyncEngine({
    db: wsDb,
    clock: wsClock,
    corrected: wsClock,
    keys,
    transport: timed,
    pageLimit: 5000,
    pushBatch: 250,
    intervalMs: 3_600_000,
  });
  try {
    const { code } = await createEnrollmentCode(serverDb, {
      orgId: ORG,
      facilityId: null,
      createdBy: world.admin,
      now: BENCH_NOW,
      validHours: 1,
    });
    const e = await sync.enroll(url, code, 'bench workstation');
    // The auditor reads the whole organization: the largest initial pull a workstation can get.
    await recordDeviceUser(serverDb, e.device_id, world.auditor, BENCH_NOW);
    const nurse = world.wardNurses[0]!;
    await recordDeviceUser(serverDb, e.device_id, nurse, BENCH_NOW);
    // Her signing key there, as an online sign-in would register it (docs/security.md, P1).
    const key = await keys.prepare(nurse, 'password', 'bench-password-1');
    await keys.keep(nurse, key, 'bench-password-1');
    await serverDb.run(
      "INSERT INTO device_user_keys (device_id, public_key, user_id, kind, registered_at) VALUES (?, ?, ?, 'password', ?)",
      [e.device_id, key.publicKey, nurse, BENCH_NOW],
    );
    let t0 = performance.now();
    await sync.syncNow();
    const initial = (performance.now() - t0) / 1000;
    let rows = 0;
    for (const t of [
      'patients',
      'appointments',
      'records',
      'observations',
      'alerts',
      'users',
      'role_assignments',
      'care_team_patients',
    ]) {
      rows += Number((await wsDb.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
    }

    // 1,000 vitals recorded offline by the ward nurse, then pushed.
    const engine = await AuthzEngine.create({ db: wsDb, clock: wsClock });
    const ctx: ServiceContext = {
      db: wsDb,
      authz: engine,
      clock: wsClock,
      mutations: outboxSink(wsDb, (m) => keys.proofFor(m)),
      config: defaultServiceConfig,
    };
    const wardPatients = (
      await serverDb.all<{ id: string }>(
        // Her ward's patients she may record for (SPEC §3a: not the restricted ones, not those who restrict her;
        // asked of the server, which holds the consent restrictions: they do not sync yet, issue 10).
        `SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = (SELECT scope_id FROM role_assignments WHERE user_id = ? AND role = 'nurse')
         AND p.restricted = 0 AND p.id NOT IN (SELECT patient_id FROM consent_restrictions WHERE user_id = ?)`,
        [nurse, nurse],
      )
    ).map((r) => r.id);
    for (let i = 0; i < 1000; i++) {
      await runMutation(ctx, { userId: nurse }, MUTATIONS.recordObservation, {
        patient_id: wardPatients[i % wardPatients.length]!,
        category: 'vitals',
        code: 'heart_rate',
        value: String(60 + (i % 50)),
        unit: '/min',
      });
    }
    pushMs = 0;
    await sync.syncNow();
    const applied = Number((await wsDb.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'applied'"))!.n);

    // 100 changes made on the server by another workstation's user, then pulled.
    for (let i = 0; i < 100; i++) {
      await runMutation(server.ctx, { userId: nurse }, MUTATIONS.recordObservation, {
        patient_id: wardPatients[i % wardPatients.length]!,
        category: 'vitals',
        code: 'temperature',
        value: '37.1',
        unit: 'Cel',
      });
    }
    t0 = performance.now();
    await sync.syncNow();
    const incremental = (performance.now() - t0) / 1000;
    return {
      dataset,
      initialPull: { seconds: initial, rows },
      push1000: { seconds: pushMs / 1000, perMutationMs: pushMs / 1000, applied },
      incrementalPull100: { seconds: incremental },
      rssMb: rssMb(),
    };
  } finally {
    await sync.stop();
    await app.close();
    await serverDb.close();
    await wsDb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
