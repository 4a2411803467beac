/** Everything the server's routes share: database, engine, services context with version stamping. */
import { AuthzEngine } from '../authz/engine';
import type { PolicyConfig } from '../authz/policy';
import type { Clock } from '../domain/time';
import { defaultServiceConfig, discardMutations, type ServiceConfig, type ServiceContext } from '../services/context';
import type { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { SyncContext, type SyncOptions } from './sync/context';
import type { DeviceStateStore } from './sync/deviceState';
import { SqlDeviceState } from './sync/sqlDeviceState';
import { versionStamper } from './sync/versions';
import { auditStartup } from '../services/startupAudit';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from '../services/throttle';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './limits';

/** Sign-in throttling, per-client limits and proxy trust (docs/security.md, docs/install.md). */
export interface ServerSecurity {
  throttle: ThrottlePolicy;
  limits: RateLimits;
  /** Behind a reverse proxy: its addresses or networks, the only callers whose X-Forwarded-For is believed (src/server/proxies.ts). */
  trustedProxies: string[];
}

export interface ServerLog {
  info(msg: string, f?: object): void;
  warn(msg: string, f?: object): void;
  error(msg: string, f?: object): void;
}

export interface Server {
  db: Db;
  engine: AuthzEngine;
  clock: Clock;
  ctx: ServiceContext;
  log: ServerLog;
  security: ServerSecurity;
  /** The sync module's state of this server: device-state store, caches and limiters (src/server/sync/context.ts). */
  readonly sync: SyncContext;
  now(): string;
}

export const SERVER_SETS = (db: Db): string[] => [
  'shared',
  'server',
  db.dialect === 'postgres' ? 'server-postgres' : 'server-sqlite',
];

export async function openServer(opts: {
  db: Db;
  clock: Clock;
  policy?: PolicyConfig;
  log?: ServerLog;
  security?: { throttle?: Partial<ThrottlePolicy>; limits?: Partial<RateLimits>; trustedProxies?: string[] };
  /** What workstations hold (default: the server's tables; the sync unit tests keep it in memory). */
  deviceState?: DeviceStateStore;
  /** The site's clinical settings (SITE_CONFIG; src/services/siteConfig.ts): the workstations' own. */
  config?: ServiceConfig;
  /** Tuning of the sync module (how many cycle plans run at once). */
  sync?: SyncOptions;
}): Promise<Server> {
  await migrate(opts.db, SERVER_SETS(opts.db));
  await ensureRoot(opts.db, opts.clock.now().toISOString());
  const engine = await AuthzEngine.create({ db: opts.db, clock: opts.clock, policy: opts.policy ?? {} });
  const ctx: ServiceContext = {
    db: opts.db,
    authz: engine,
    clock: opts.clock,
    mutations: discardMutations,
    config: opts.config ?? defaultServiceConfig,
    observeChanges: versionStamper(opts.db),
  };
  const log = opts.log ?? { info: () => {}, warn: () => {}, error: () => {} };
  const security: ServerSecurity = {
    throttle: { ...DEFAULT_THROTTLE, ...opts.security?.throttle },
    limits: { ...DEFAULT_RATE_LIMITS, ...opts.security?.limits },
    trustedProxies: opts.security?.trustedProxies ?? [],
  };
  return {
    db: opts.db,
    engine,
    clock: opts.clock,
    ctx,
    log,
    security,
    sync: new SyncContext(opts.deviceState ?? new SqlDeviceState(opts.db), opts.sync),
    now: () => opts.clock.now().toISOString(),
  };
}

/** First run: the reserved `_root` organization and the `root` user exist (password set separately). */
export async function ensureRoot(db: Db, now: string): Promise<{ created: boolean; hasPassword: boolean }> {
  const created = await db.transaction(async () => {
    const exists = await db.get('SELECT 1 FROM organizations WHERE id = ?', ['_root']);
    if (exists) return false;
    await db.run('INSERT INTO organizations (id, name) VALUES (?, ?)', ['_root', 'Root']);
    await db.run('INSERT INTO users (id, org_id, name, username, badge, patient_id) VALUES (?, ?, ?, ?, NULL, NULL)', [
      'root',
      '_root',
      'Root',
      'root',
    ]);
    return true;
  });
  const cred = await db.get<{ password_hash: string | null }>('SELECT password_hash FROM credentials WHERE user_id = ?', [
    'root',
  ]);
  void now;
  return { created, hasPassword: Boolean(cred?.password_hash) };
}

/**
 * The server's start as an audit event (ONC §170.315(d)(2)): its security settings, and a change of
 * them since the previous start (src/services/startupAudit.ts). Called by `npm run server`.
 */
export async function auditServerStart(server: Server, version?: string): Promise<void> {
  await auditStartup(server.db, {
    at: server.now(),
    resource: 'Server:central',
    orgId: null,
    ...(version ? { version } : {}),
    encryption: { database: server.db.dialect === 'postgres' ? 'storage' : 'plain', key: null, key_store: null },
    settings: {
      throttle: server.security.throttle,
      limits: server.security.limits,
      trusted_proxies: server.security.trustedProxies,
      policy_fingerprint: server.engine.policy.fingerprint,
    },
  });
}
