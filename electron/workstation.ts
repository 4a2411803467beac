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
import type { Revocation } from '../src/sync/revocation';
import { auditStartup } from '../src/services/startupAudit';
import { ServerTokens } from './serverTokens';
import { readRevokedMarker, shredWorkstation } from './shred';

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
  /** How the database key came to be on this start (electron/dbKey.ts), for the startup audit event. */
  keyInfo?: { event: 'created' | 'unwrapped' | 'encrypted-existing'; weakBackend: boolean };
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
  /** Server sign-ins of this session's users (administration calls to the server); memory only. */
  serverTokens: ServerTokens;
  /** Set when the server revoked this workstation: its local data is erased (electron/shred.ts). */
  revoked: { message: string; at: string | null; erased: boolean } | null;
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
    let ws: Workstation | null = null;
    const engineSync = new SyncEngine({
      db,
      clock,
      corrected: clock,
      log,
      ...(opts.transport ? { transport: opts.transport } : {}),
      // Revoked by an administrator: sign out at once, then forget the key and delete the database.
      onRevoked: (r) => {
        if (ws) void eraseRevoked(ws, r);
      },
    });
    const enrolled = (await engineSync.enrollment()) !== null;
    if (config.demoData && !enrolled && (await seedDemoInto(db, clock.now().toISOString()))) log.info('demo hospital loaded');
    const engine = await AuthzEngine.create({ db, clock, policy: config.policy });
    const ctx: ServiceContext = {
      db,
      authz: engine,
      clock,
      mutations: outboxSink(db),
      config: { ...defaultServiceConfig, breakGlassMinutes: config.breakGlassMinutes },
    };
    const enrollment = await engineSync.enrollment();
    const session = new WorkstationSession({
      db,
      clock,
      engine,
      organization: enrollment?.org_id ?? config.organization ?? null,
      lockout: config.lockout,
      times: {
        autoLockMinutes: config.autoLockMinutes,
        lockedSignOutMinutes: config.lockedSignOutMinutes,
        maxSessionHours: config.maxSessionHours,
      },
      online: {
        signInOnline: async (username, password) => {
          const r = await engineSync.signInOnline(username, password);
          if (r.token && ws) ws.serverTokens.set(r.token);
          return r;
        },
      },
      onSignedIn: () => {
        void engineSync.syncNow().catch(() => undefined);
      },
    });
    const sync = Object.assign(engineSync, { engine: engineSync });
    await auditStartup(db, {
      at: clock.now().toISOString(),
      resource: `Workstation:${enrollment?.device_id ?? 'local'}`,
      orgId: enrollment?.org_id ?? null,
      version: process.env.CLINIC_APP_VERSION,
      settings: auditedSettings(config, engine.policy.fingerprint),
      encryption: opts.dbKey
        ? {
            database: 'encrypted',
            key: opts.keyInfo?.event ?? null,
            key_store: opts.keyInfo ? (opts.keyInfo.weakBackend ? 'obfuscated' : 'os') : null,
          }
        : { database: 'plain', key: null, key_store: null },
    });
    if (enrolled && (opts.autoSync ?? true)) sync.start();
    const marker = readRevokedMarker(opts.dataDir);
    ws = {
      config,
      configFile: opts.configFile,
      dataDir: opts.dataDir,
      dbPath,
      db,
      clock,
      engine,
      ctx,
      session,
      sync,
      log,
      serverTokens: new ServerTokens(clock),
      revoked: marker && !enrolled ? { message: marker.message, at: marker.at, erased: false } : null,
      close: async () => {
        await sync.stop();
        await db.close();
      },
    };
    return ws;
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The settings that govern auditing and access decisions; a change is an audit event at the next start. */
export function auditedSettings(config: SystemConfig, policyFingerprint: string): Record<string, unknown> {
  return {
    policy: {
      mode: config.policy.mode ?? 'modules',
      modules: config.policy.modules ?? null,
      extra_files: config.policy.extraFiles ?? [],
      fingerprint: policyFingerprint,
    },
    lockout: config.lockout,
    auto_lock_minutes: config.autoLockMinutes,
    locked_sign_out_minutes: config.lockedSignOutMinutes,
    max_session_hours: config.maxSessionHours,
    break_glass_minutes: config.breakGlassMinutes,
    organization: config.organization ?? null,
    facility: config.facility ?? null,
  };
}

/** After the server said "revoked": nothing readable stays (electron/shred.ts), and the window says why. */
async function eraseRevoked(ws: Workstation, r: Revocation): Promise<void> {
  if (ws.revoked?.erased) return;
  ws.session.signOut();
  ws.serverTokens.clear();
  ws.revoked = { message: r.message, at: r.revoked_at, erased: false };
  const enrollment = await ws.sync.engine.enrollment().catch(() => null);
  await ws.sync.engine.stop();
  await shredWorkstation({
    dataDir: ws.dataDir,
    dbPath: ws.dbPath,
    close: () => ws.db.close(),
    message: r.message,
    revokedAt: r.revoked_at,
    deviceId: enrollment?.device_id ?? null,
  });
  ws.revoked = { ...ws.revoked, erased: true };
  ws.log.warn('workstation revoked by the server: local data erased', { device: enrollment?.device_id ?? null });
}
