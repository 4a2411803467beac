/**
 * The workstation's composition root: database, policy engine, services and session, wired once.
 * Pure Node (no `electron` import) so the browser end-to-end tests run this very object.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AuthzEngine } from '../src/authz/engine';
import { systemClock, type Clock } from '../src/domain/time';
import { seedDemoInto } from '../src/demo/seed';
import { defaultServiceConfig, type ServiceContext } from '../src/services/context';
import { outboxSink } from '../src/services/outbox';
import { WorkstationSession } from '../src/services/session';
import { migrate, WORKSTATION_SETS } from '../src/store/migrate';
import { SqliteDb } from '../src/store/sqlite';
import type { SystemConfig } from './config';
import { silentLogger, type Logger } from './log';
import type { SyncStatusSource } from './syncStatus';
import { CorrectedClock } from '../src/sync/clock';
import { SyncEngine } from '../src/sync/engine';
import type { Transport } from '../src/sync/http';

export interface WorkstationOptions {
  config: SystemConfig;
  configFile: string | null;
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** Encryption key of the database (electron/dbKey.ts); absent: plain SQLite (browser tests, tools). */
  dbKey?: string;
  /** Replaces the HTTP transport (tests). */
  transport?: (url: string) => Transport;
  /** Start the background sync loop (default: when enrolled). */
  autoSync?: boolean;
}

export interface Workstation {
  config: SystemConfig;
  configFile: string | null;
  dataDir: string;
  dbPath: string;
  db: SqliteDb;
  clock: Clock;
  engine: AuthzEngine;
  ctx: ServiceContext;
  session: WorkstationSession;
  sync: SyncStatusSource & { engine: SyncEngine };
  log: Logger;
  close(): Promise<void>;
}

export const workstationDbPath = (dataDir: string): string => path.join(dataDir, 'workstation.db');

export async function openWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const { config } = opts;
  // Decisions use the server's time once the workstation has synced (a PC clock a day off changes nothing).
  const clock = new CorrectedClock(opts.clock ?? systemClock);
  const log = opts.log ?? silentLogger;
  mkdirSync(opts.dataDir, { recursive: true });
  const dbPath = workstationDbPath(opts.dataDir);
  const db = new SqliteDb(dbPath, { key: opts.dbKey });
  try {
    const { applied } = await migrate(db, WORKSTATION_SETS);
    if (applied.length) log.info('schema migrated', { applied: applied.map((m) => `${m.set}/${m.version}`) });
    await clock.load(db);
    const engineSync = new SyncEngine({ db, clock, corrected: clock, log, ...(opts.transport ? { transport: opts.transport } : {}) });
    const enrolled = (await engineSync.enrollment()) !== null;
    if (config.demoData && !enrolled && (await seedDemoInto(db, clock.now().toISOString()))) log.info('demo hospital loaded');
    const engine = await AuthzEngine.create({ db, clock, policy: config.policy });
    const ctx: ServiceContext = {
      db, authz: engine, clock, mutations: outboxSink(db), config: { ...defaultServiceConfig, breakGlassMinutes: config.breakGlassMinutes },
    };
    const enrollment = await engineSync.enrollment();
    const session = new WorkstationSession({
      db, clock, engine, organization: enrollment?.org_id ?? config.organization ?? null, lockout: config.lockout,
      times: { autoLockMinutes: config.autoLockMinutes, lockedSignOutMinutes: config.lockedSignOutMinutes, maxSessionHours: config.maxSessionHours },
      online: engineSync,
      onSignedIn: () => { void engineSync.syncNow().catch(() => undefined); },
    });
    const sync = Object.assign(engineSync, { engine: engineSync });
    if (enrolled && (opts.autoSync ?? true)) sync.start();
    return {
      config, configFile: opts.configFile, dataDir: opts.dataDir, dbPath, db, clock, engine, ctx, session, sync, log,
      close: async () => { await sync.stop(); await db.close(); },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
