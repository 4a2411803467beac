/**
 * Sync test worlds: a real server (Fastify on loopback) on SQLite or PostgreSQL, and workstations with
 * their own SQLite files, services, policy and sync engine. A workstation goes "offline" by having its
 * transport refuse to connect.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
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
import { UserKeys } from '../../src/sync/userKeys';
import { verifyCredentials, type Credentials } from '../../src/services/signIn';
import { httpTransport, SyncHttpError, type Transport } from '../../src/sync/http';
import type { PullResponse } from '../../src/sync/protocol';
import { MemoryDeviceState } from './memoryDeviceState';
import { createDatabase, startCluster, type Cluster } from './postgres';
import { smallHospitalWithSecrets, TEST_PASSWORD } from './workstation';
import { FIXTURES, SMALL_FIXTURE, tempDir } from './world';

export type Backend = 'sqlite' | 'postgres';
export const NOW = '2026-11-23T10:00:00.000Z';

/** A fixture with more users (signing in with the test password) and more role assignments. */
export function withPeople(
  f: Record<string, unknown>,
  users: Array<{ id: string; org: string; name: string; username: string }>,
  roles: object[],
): Record<string, unknown> {
  return {
    ...f,
    users: [...(f.users as object[]), ...users.map((u) => ({ ...u, password: TEST_PASSWORD }))],
    role_assignments: [...(f.role_assignments as object[]), ...roles],
  };
}

/** The shared small hospital with passwords, plus a second Cardiology nurse (Nora). */
export function syncFixture(): Record<string, unknown> {
  return withPeople(
    smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>),
    [{ id: 'u-nora', org: 'org-gh', name: 'Nora Nurse', username: 'nora' }],
    [{ user: 'u-nora', role: 'nurse', scope: 'Ward:ward-card' }],
  );
}

/**
 * The sync fixture plus a locum physician on a morning shift (08:00–11:00) with a completed
 * examination of Alice and its record, and a surgery nurse whose shift ends at 10:30.
 */
export function shiftFixture(): Record<string, unknown> {
  const f = syncFixture();
  return {
    ...f,
    users: [
      ...(f.users as object[]),
      { id: 'u-locum', org: 'org-gh', name: 'Dr. Locum', username: 'locum', password: TEST_PASSWORD },
      { id: 'u-shift', org: 'org-gh', name: 'Sue Shift', username: 'sue', password: TEST_PASSWORD },
    ],
    role_assignments: [
      ...(f.role_assignments as object[]),
      {
        user: 'u-locum',
        role: 'physician',
        scope: 'Ward:ward-card',
        valid_from: '2026-11-23T08:00:00Z',
        valid_until: '2026-11-23T11:00:00Z',
      },
      {
        user: 'u-shift',
        role: 'nurse',
        scope: 'Ward:ward-surg',
        valid_from: '2026-11-23T06:00:00Z',
        valid_until: '2026-11-23T10:30:00Z',
      },
    ],
    appointments: [
      ...(f.appointments as object[]),
      {
        id: 'ap-l1',
        patient: 'p-a',
        clinician: 'u-locum',
        scheduled_at: '2026-11-23T08:30:00Z',
        reason: 'Locum round',
        status: 'completed',
      },
    ],
    records: [
      ...(f.records as object[]),
      {
        id: 'rec-l1',
        appointment: 'ap-l1',
        category: 'general',
        author: 'u-locum',
        public_notes: 'Seen on the round.',
        internal_notes: 'Locum: query alcohol use.',
        created_at: '2026-11-23T08:45:00Z',
      },
    ],
  };
}

/** The SPEC §3a clinic (labelled records, a restricted patient, a consent restriction) with passwords. */
export function sensitiveFixture(): Record<string, unknown> {
  return smallHospitalWithSecrets(
    readFixtureFile(path.resolve(FIXTURES, '../scenarios/sensitive-clinic.fixture.json')) as Record<string, unknown>,
  );
}

/** A vitals entry (heart rate) for a patient, as a use case's input. */
export const vitals = (patient: string, value: string) => ({
  patient_id: patient,
  category: 'vitals',
  code: 'heart_rate',
  value,
  unit: '/min',
});

/**
 * Thirty more patients on Cardiology (`p-card-0` to `p-card-29`, room r-102), each with `vitalsEach`
 * heart rates recorded by Nina: a ward that has grown, for tests that count what a page costs. Each
 * row is written in its own transaction, as thirty admissions and their vitals would arrive.
 */
export async function addCardiologyPatients(srv: Pick<TestServer, 'db' | 'server'>, vitalsEach: number): Promise<void> {
  const write = async (fn: (w: Writer) => Promise<unknown>): Promise<void> => {
    await srv.db.transaction(async () => {
      await fn(newWriter(srv.server.ctx));
    });
  };
  for (let i = 0; i < 30; i++) {
    const id = `p-card-${i}`;
    await write((w) =>
      w.insert('patients', {
        id,
        org_id: 'org-gh',
        name: `Cardiac ${i}`,
        mrn: `MRN-C${i}`,
        room_id: 'r-102',
        birth_date: '1970-01-01',
        status: 'admitted',
        restricted: 0,
        facility_id: null,
      }),
    );
    for (let j = 0; j < vitalsEach; j++)
      await write((w) =>
        w.insert('observations', {
          ...vitals(id, String(70 + j)),
          id: `obs-card-${i}-${j}`,
          appointment_id: null,
          recorded_by: 'u-nina',
          recorded_at: NOW,
        }),
      );
  }
}

/** A record's internal notes as a workstation holds them (blank when they did not travel). */
export const internalNotes = async (ws: TestWorkstation, id: string): Promise<string | undefined> =>
  (await ws.db.get<{ internal_notes: string }>('SELECT internal_notes FROM records WHERE id = ?', [id]))?.internal_notes;

export interface WorkstationOptions {
  org?: string;
  /** The administrator who creates its enrollment code (default ada). */
  admin?: string;
  facility?: string;
  skewMinutes?: number;
  pageLimit?: number;
  liveWaitMs?: number;
}

/** What a sync integration test works with (one server per test, workstations closed after it). */
export interface SyncSuite {
  readonly backend: Backend;
  /** The server of the running test. */
  readonly srv: TestServer;
  /** The running test's temporary directory, removed after it (workstations' data folders go here). */
  readonly dir: string;
  /** An enrolled workstation of the organization (org-gh unless said). */
  workstation(name: string, opts?: WorkstationOptions): Promise<TestWorkstation>;
  /** An enrolled workstation where these users signed in, synced once. */
  workstationWith(name: string, ...users: string[]): Promise<TestWorkstation>;
  /** Runs a use case on the server as a signed-in user (`POST /v1/mutations/:name`). */
  asUser(username: string, name: string, input: unknown): Promise<{ status: number; body: any }>;
  serverCount(table: string, where?: string, params?: unknown[]): Promise<number>;
  /** The rows a workstation pulled since its answer number `from`. */
  pulledRows(ws: TestWorkstation, from: number): any[];
}

/**
 * THE setup of the sync integration tests: `body`'s tests run on each backend against a fresh server
 * holding `fixture` (a PostgreSQL cluster of their own for the postgres run), with workstations made
 * by `t.workstation` and closed after each test.
 */
export function describeSync(
  title: string,
  fixture: () => unknown,
  body: (t: SyncSuite) => void,
  backends: Backend[] = ['sqlite', 'postgres'],
): void {
  describe.each(backends)(`${title} on %s`, (backend) => {
    let cluster: Cluster | null = null;
    let tmp: ReturnType<typeof tempDir>;
    let srv: TestServer;
    const open: TestWorkstation[] = [];

    beforeAll(async () => {
      if (backend === 'postgres') cluster = await startCluster();
    }, 120_000);
    afterAll(() => {
      cluster?.stop();
    });
    beforeEach(async () => {
      tmp = tempDir('cw-sync-');
      const db = await serverDb(backend, cluster, tmp.dir);
      await seedServerDb(db, fixture());
      srv = await startServer(db);
    }, 60_000);
    afterEach(async () => {
      for (const w of open.splice(0)) await w.close();
      await srv.close();
      await srv.db.close();
      tmp.cleanup();
    });

    const t: SyncSuite = {
      backend,
      get srv() {
        return srv;
      },
      get dir() {
        return tmp.dir;
      },
      async workstation(name, opts = {}) {
        const ws = await enrolledWorkstation(srv.url, name, tmp.dir, opts.admin ?? 'ada', opts.org ?? 'org-gh', opts);
        open.push(ws);
        return ws;
      },
      async workstationWith(name, ...users) {
        const ws = await t.workstation(name);
        for (const u of users) await ws.signIn(u);
        await ws.sync.syncNow();
        return ws;
      },
      asUser: async (username, name, input) => post(srv.url, `/v1/mutations/${name}`, input, await bearer(srv.url, username)),
      serverCount: async (table, where = '1=1', params = []) =>
        Number((await srv.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params as never[]))!.n),
      pulledRows: (ws, from) =>
        ws.answers
          .slice(from)
          .filter((a) => a.path === '/v2/sync/pull')
          .flatMap((a) => a.body.upserts),
    };
    body(t);
  });
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
  trustedProxies: string[] = [],
): Promise<TestServer> {
  const server = await openServer({ db, clock, ...(log ? { log } : {}), security: { limits, trustedProxies } });
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
  /** Runs after the server answered a request (with its answer) and before the workstation sees the answer. */
  afterPost?: (path: string, answer: any) => Promise<void>;
  /** Runs when the workstation sends a request, before it leaves (synchronously: nothing else ran meanwhile). */
  beforePost?: (path: string, body: any) => void;
  /** Every answer this workstation received, newest last (path and body). */
  answers: Array<{ path: string; body: any }>;
  /** The users' own signing keys (src/sync/userKeys.ts). */
  keys: UserKeys;
  /** Signs a user in online (the server then counts them among this workstation's users). */
  signIn(username: string, password?: string): Promise<void>;
  /** Signs a user in here without asking the server (offline), unlocking their key as the app does. */
  signInOffline(c: Credentials): Promise<void>;
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
  const keys = new UserKeys(db, { clock, cost: TEST_COST });
  const ctx: ServiceContext = {
    db,
    authz: engine,
    clock,
    mutations: outboxSink(db, (m) => keys.proofFor(m)),
    config: defaultServiceConfig,
  };
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
    keys,
    async signIn(username, password = TEST_PASSWORD) {
      const r = await ws.sync.signInOnline(username, password);
      if (r.outcome !== 'ok') throw new Error(`sign-in of ${username} at ${name}: ${r.outcome} ${r.message ?? ''}`);
    },
    async signInOffline(c) {
      const organization = (await ws.sync.enrollment())?.org_id ?? null;
      const user = await verifyCredentials({ db, clock, organization }, c);
      await keys.unlock(user, c.method === 'password' ? 'password' : 'badge', c.method === 'password' ? c.password : c.pin);
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
        ws.beforePost?.(p, body);
        const r = await real.post(p, body, response, auth, opts);
        await ws.afterPost?.(p, r);
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
    keys,
    log: {
      info: () => {},
      warn: (m, f) => {
        if (process.env.SYNC_DEBUG) console.error(m, f);
      },
    },
  });
  return ws;
}

/** A change as a workstation pushes it: signed by its author's key, held there while they are signed in. */
export async function signedChange<M extends { id: string; name: string; args: unknown; actor: string; created_at: string }>(
  ws: TestWorkstation,
  m: M & { on_behalf_of?: string | null },
): Promise<M & { proof: object | null }> {
  const proof = await ws.keys.proofFor({
    id: m.id,
    name: m.name,
    args: m.args,
    at: m.created_at,
    principal: { actor: { id: m.actor }, onBehalfOf: m.on_behalf_of ?? null },
  } as never);
  return { ...m, proof };
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
