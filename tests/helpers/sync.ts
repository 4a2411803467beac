/**
 * Sync test worlds: a real server (Fastify on loopback) on SQLite or PostgreSQL, and workstations with
 * their own SQLite files, services, policy and sync engine. A workstation goes "offline" by having its
 * transport refuse to connect.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AuthzEngine } from '../../src/authz/engine';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import { buildApp } from '../../src/server/app';
import { openServer, type Server, type ServerLog } from '../../src/server/context';
import type { Device } from '../../src/server/auth';
import type { RateLimits } from '../../src/server/limits';
import type { PendingPage } from '../../src/server/sync/cycle';
import { pull } from '../../src/server/sync/pull';
import { defaultServiceConfig, newWriter, type ServiceContext } from '../../src/services/context';
import { MUTATIONS } from '../../src/services/mutations';
import { outboxSink } from '../../src/services/outbox';
import { runMutation } from '../../src/services/run';
import type { Db } from '../../src/store/db';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import { CorrectedClock } from '../../src/sync/clock';
import type { Writer } from '../../src/store/writer';
import { SyncEngine } from '../../src/sync/engine';
import { httpTransport, SyncHttpError, type Transport } from '../../src/sync/http';
import type { PullResponse } from '../../src/sync/protocol';
import { MemoryDeviceState } from './memoryDeviceState';
import { createDatabase, type Cluster } from './postgres';
import { smallHospitalWithSecrets, TEST_PASSWORD } from './workstation';
import { SMALL_FIXTURE, tempDir } from './world';

export type Backend = 'sqlite' | 'postgres';
export const NOW = '2026-11-23T10:00:00.000Z';

/** The shared small hospital with passwords, plus a second Cardiology nurse (Nora). */
export function syncFixture(): Record<string, unknown> {
  const f = smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>);
  return {
    ...f,
    users: [
      ...(f.users as object[]),
      { id: 'u-nora', org: 'org-gh', name: 'Nora Nurse', username: 'nora', password: TEST_PASSWORD },
    ],
    role_assignments: [...(f.role_assignments as object[]), { user: 'u-nora', role: 'nurse', scope: 'Ward:ward-card' }],
  };
}

let dbCounter = 0;

export interface TestServer {
  server: Server;
  app: FastifyInstance;
  url: string;
  db: Db;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function serverDb(backend: Backend, cluster: Cluster | null, dir: string): Promise<Db> {
  if (backend === 'postgres') return new PostgresDb(createDatabase(cluster!, `cw_${process.pid}_${++dbCounter}`));
  return new SqliteDb(path.join(dir, `server-${++dbCounter}.db`), { synchronous: 'NORMAL' });
}

/** Loads a fixture into a fresh server database (the fixture brings its own root). */
export async function seedServerDb(db: Db, fixture: unknown): Promise<void> {
  const { SERVER_SETS } = await import('../../src/server/context');
  await migrate(db, SERVER_SETS(db));
  await loadFixture(db, fixture, { hashCost: TEST_COST });
}

/** Tests make many requests from one address: per-client limits are generous unless a test asks (security-signin). */
export const TEST_LIMITS = { signInsPerMinute: 10_000, enrollmentsPer10Minutes: 10_000, requestsPerMinute: 100_000 };

export async function startServer(
  db: Db,
  clock = new ManualClock(NOW),
  log?: ServerLog,
  limits: Partial<RateLimits> = TEST_LIMITS,
): Promise<TestServer> {
  const server = await openServer({ db, clock, ...(log ? { log } : {}), security: { limits } });
  const app = await buildApp(server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  return {
    server,
    app,
    url,
    db,
    clock,
    close: async () => {
      await app.close();
    },
  };
}

export interface TestWorkstation {
  name: string;
  db: SqliteDb;
  clock: CorrectedClock;
  base: ManualClock;
  engine: AuthzEngine;
  ctx: ServiceContext;
  sync: SyncEngine;
  online: boolean;
  /** Set to drop the next response after the server handled the request (a lost response). */
  loseNextResponse: boolean;
  /** Runs after the server answered a request and before the workstation sees the answer. */
  afterPost?: (path: string) => Promise<void>;
  /** Every answer this workstation received, newest last (path and body). */
  answers: Array<{ path: string; body: any }>;
  /** Signs a user in online (the server then counts them among this workstation's users). */
  signIn(username: string, password?: string): Promise<void>;
  run(userId: string, name: keyof typeof MUTATIONS, input: unknown): Promise<any>;
  ids(table: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function makeWorkstation(
  name: string,
  dir: string,
  opts: { skewMinutes?: number; pageLimit?: number; liveWaitMs?: number } = {},
): Promise<TestWorkstation> {
  const db = new SqliteDb(path.join(dir, `${name}.db`));
  await migrate(db, WORKSTATION_SETS);
  const base = new ManualClock(new Date(Date.parse(NOW) + (opts.skewMinutes ?? 0) * 60_000));
  const clock = new CorrectedClock(base);
  const engine = await AuthzEngine.create({ db, clock });
  const ctx: ServiceContext = { db, authz: engine, clock, mutations: outboxSink(db), config: defaultServiceConfig };
  const ws: TestWorkstation = {
    name,
    db,
    clock,
    base,
    engine,
    ctx,
    online: true,
    loseNextResponse: false,
    answers: [],
    sync: undefined as unknown as SyncEngine,
    async signIn(username, password = TEST_PASSWORD) {
      const r = await ws.sync.signInOnline(username, password);
      if (r.outcome !== 'ok') throw new Error(`sign-in of ${username} at ${name}: ${r.outcome} ${r.message ?? ''}`);
    },
    run: (userId, mutation, input) => runMutation(ctx, { userId }, MUTATIONS[mutation] as never, input),
    async ids(table) {
      return (await db.all<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => r.id);
    },
    close: async () => {
      await ws.sync.stop();
      await db.close();
    },
  };
  const transport = (url: string): Transport => {
    const real = httpTransport(url, 20_000);
    return {
      async post(p, body, response, auth, opts) {
        if (!ws.online) throw new SyncHttpError(0, 'network', 'The server cannot be reached (offline).');
        const r = await real.post(p, body, response, auth, opts);
        await ws.afterPost?.(p);
        if (ws.loseNextResponse) {
          ws.loseNextResponse = false;
          throw new SyncHttpError(0, 'network', 'The connection dropped before the answer arrived.');
        }
        ws.answers.push({ path: p, body: r });
        return r;
      },
    };
  };
  ws.sync = new SyncEngine({
    db,
    clock,
    corrected: clock,
    transport,
    intervalMs: 3_600_000,
    pageLimit: opts.pageLimit ?? 50,
    random: () => 0.5,
    liveWaitMs: opts.liveWaitMs ?? 0,
    log: {
      info: () => {},
      warn: (m, f) => {
        if (process.env.SYNC_DEBUG) console.error(m, f);
      },
    },
  });
  return ws;
}

export async function bearer(url: string, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, username, password }),
  });
  const body = (await res.json()) as { token: string };
  if (!res.ok) throw new Error(`sign-in ${username}: ${res.status} ${JSON.stringify(body)}`);
  return `Bearer ${body.token}`;
}

export async function post(url: string, p: string, body: unknown, auth?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** An enrolled workstation of `org` (its admin creates the one-time code). */
export async function enrolledWorkstation(
  url: string,
  name: string,
  dir: string,
  admin: string,
  org: string,
  opts: { skewMinutes?: number; facility?: string; adminPassword?: string; pageLimit?: number; liveWaitMs?: number } = {},
): Promise<TestWorkstation> {
  const ws = await makeWorkstation(name, dir, opts);
  const token = await bearer(url, admin, opts.adminPassword);
  const code = await post(url, '/v1/enrollment-codes', { protocol: 1, org_id: org, facility_id: opts.facility ?? null }, token);
  if (code.status !== 200) throw new Error(`enrollment code: ${JSON.stringify(code.body)}`);
  await ws.sync.enroll(url, code.body.code, name);
  return ws;
}

export { tempDir };

/**
 * The sync module without HTTP (unit tests of the plan and the pages): a server over an in-memory
 * SQLite database holding `fixture`, its device-state store in memory, workstations as `Device`
 * rows whose users sign in by a call, and a `sync` that pulls pages until the cycle completes —
 * what a workstation's engine does, minus applying the pages.
 */
export interface MemoryServer {
  server: Server;
  store: MemoryDeviceState;
  db: SqliteDb;
  clock: ManualClock;
  device(users: string[], opts?: { org?: string; facility?: string }): Promise<Device>;
  signIn(device: Device, user: string): Promise<void>;
  /**
   * Pulls until the cycle completes (page size `limit`) and acknowledges the last page, as the
   * workstation's next pull would: the store then holds what the workstation holds. The answers, in order.
   */
  sync(device: Device, limit?: number): Promise<PullResponse[]>;
  /** Writes through the server's version-stamping writer, in one transaction. */
  write(fn: (w: Writer) => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function memoryServer(fixture: unknown = readFixtureFile(SMALL_FIXTURE)): Promise<MemoryServer> {
  const db = new SqliteDb(':memory:');
  const { SERVER_SETS } = await import('../../src/server/context');
  await migrate(db, SERVER_SETS(db));
  await loadFixture(db, fixture, { hashCost: TEST_COST });
  const clock = new ManualClock(NOW);
  const store = new MemoryDeviceState();
  const server = await openServer({ db, clock, deviceState: store });
  const cursors = new Map<string, string | null>();
  let n = 0;
  const ms: MemoryServer = {
    server,
    store,
    db,
    clock,
    async device(users, opts = {}) {
      const device: Device = {
        id: `ws-${++n}`,
        org_id: opts.org ?? 'org-gh',
        facility_id: opts.facility ?? null,
        name: `workstation ${n}`,
        revoked_at: null,
        last_seq: 0,
        public_key: null,
      };
      await db.run(
        'INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [device.id, device.org_id, device.facility_id, device.name, 'x', NOW, 'u-admin'],
      );
      for (const u of users) await ms.signIn(device, u);
      return device;
    },
    async signIn(device, user) {
      await db.run('INSERT INTO device_users (device_id, user_id, first_seen, last_seen) VALUES (?, ?, ?, ?)', [
        device.id,
        user,
        NOW,
        NOW,
      ]);
      store.userJoined(device.id);
    },
    async sync(device, limit = 500) {
      const answers: PullResponse[] = [];
      for (;;) {
        const answer = await pull(server, device, { protocol: 2, cursor: cursors.get(device.id) ?? null, limit });
        cursors.set(device.id, answer.cursor);
        answers.push(answer);
        if (answer.complete) {
          const pending = (await store.get(device.id)).pending_page!;
          await store.acknowledge(device.id, JSON.parse(pending) as PendingPage);
          return answers;
        }
        if (answers.length > 1000) throw new Error('the cycle does not end');
      }
    },
    async write(fn) {
      await db.transaction(async () => {
        await fn(newWriter(server.ctx));
      });
    },
    close: () => db.close(),
  };
  return ms;
}
