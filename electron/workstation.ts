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
import { siteServiceConfig } from '../src/services/siteConfig';
import { outboxSink } from '../src/services/outbox';
import { WorkstationSession } from '../src/services/session';
import { migrate, WORKSTATION_SETS } from '../src/store/migrate';
import { SqliteDb } from '../src/store/sqlite';
import type { SystemConfig } from './config';
import { silentLogger, type Logger } from './log';
import type { SyncStatusSource } from './syncStatus';
import { CorrectedClock } from '../src/sync/clock';
import { UserKeys } from '../src/sync/userKeys';
import type { ScryptCost } from '../src/domain/secretHash';
import { SyncEngine } from '../src/sync/engine';
import type { Transport } from '../src/sync/http';
import type { Revocation } from '../src/sync/revocation';
import { unsentSentence, type UnsentSummary } from '../src/sync/unsent';
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
  /** The cost of wrapping users' signing keys (tests use a cheap one; the app the default scrypt cost). */
  keyCost?: ScryptCost;
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
  /** The users' signing keys (src/sync/userKeys.ts): unlocked ones are held in memory only. */
  keys: UserKeys;
  /** Set when the server revoked or retired this workstation: its local data is erased (electron/shred.ts). */
  revoked: {
    message: string;
    at: string | null;
    erased: boolean;
    mode?: 'revoked' | 'retired';
    unsent?: UnsentSummary | null;
  } | null;
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
    const keys = new UserKeys(db, { clock, ...(opts.keyCost ? { cost: opts.keyCost } : {}) });
    const engineSync = new SyncEngine({
      db,
      clock,
      corrected: clock,
      log,
      keys,
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
      // Each change carries its author's signature (docs/security.md, P1).
      mutations: outboxSink(db, (m) => keys.proofFor(m)),
      config: siteServiceConfig(config, { ...defaultServiceConfig, breakGlassMinutes: config.breakGlassMinutes }),
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
          return { ...r, ...(r.token ? { userId: r.token.user_id } : {}) };
        },
        signInBadge: (badge, pin) => engineSync.signInBadge(badge, pin),
      },
      // A sign-in decided here unlocks the user's signing key with the same secret (not enrolled: no keys).
      unlockKey: async (user, c) => {
        if (!(await engineSync.enrollment())) return;
        await keys.unlock(user, c.method === 'password' ? 'password' : 'badge', c.method === 'password' ? c.password : c.pin);
      },
      // Nothing of a user who left stays usable: not their key, not their server sign-in (root's above all).
      onSignedOut: (userId) => {
        keys.forget(userId);
        ws?.serverTokens.forget(userId);
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
      keys,
      revoked:
        marker && !enrolled
          ? { message: marker.message, at: marker.at, erased: false, mode: marker.mode, unsent: marker.unsent ?? null }
          : null,
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

/**
 * After the server said "revoked" (as compromised: erase now) or the retirement ended (everything
 * sendable was sent): nothing readable stays (electron/shred.ts), and the window says why and what
 * happened to the work saved here (docs/security.md, R1–R3).
 */
async function eraseRevoked(ws: Workstation, r: Revocation): Promise<void> {
  if (ws.revoked) return; // erased, or being erased
  // Known before the sign-out, whose session event the window renders: it then says why, not "Sign in".
  ws.revoked = { message: r.message, at: r.revoked_at, erased: false };
  ws.session.signOut();
  ws.serverTokens.clear();
  ws.keys.forgetAll();
  const enrollment = await ws.sync.engine.enrollment().catch(() => null);
  await ws.sync.engine.stop();
  let message = r.message;
  let unsent = r.unsent ?? null;
  if (r.mode !== 'retired') {
    // Compromised: nothing more is sent, but what is lost is named — here, and to the administrator if the server takes it.
    const lost = await ws.sync.engine.reportUnsent().catch(() => null);
    if (lost) {
      unsent = lost.summary;
      message = `${r.message} ${unsentSentence(lost.summary, { retired: false, reported: lost.reported })}`;
    }
  }
  await shredWorkstation({
    dataDir: ws.dataDir,
    dbPath: ws.dbPath,
    close: () => ws.db.close(),
    message,
    revokedAt: r.revoked_at,
    deviceId: enrollment?.device_id ?? null,
    mode: r.mode === 'retired' ? 'retired' : 'revoked',
    unsent,
  });
  ws.revoked = { message, at: r.revoked_at, erased: true, mode: r.mode === 'retired' ? 'retired' : 'revoked', unsent };
  ws.log.warn(
    r.mode === 'retired' ? 'workstation retired: local data erased' : 'workstation revoked by the server: local data erased',
    {
      device: enrollment?.device_id ?? null,
      unsent_changes: unsent?.changes.length ?? null,
      unsent_audit_events: unsent?.audit_events ?? null,
    },
  );
}
