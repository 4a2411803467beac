/**
 * Issue 13, finding 1, tried as an attacker would, on loopback against a real server (SQLite and
 * PostgreSQL): strangers cannot lock accounts (root included), unknown/locked/wrong answer alike in
 * body and in time, and every client has a request limit (docs/security.md, T1).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COST, hashSecret } from '../../src/domain/secretHash';
import { SIGN_IN_REFUSED } from '../../src/services/signIn';
import { median, postFrom } from '../helpers/http';
import { startCluster, type Cluster } from '../helpers/postgres';
import {
  enrolledWorkstation,
  seedServerDb,
  serverDb,
  startServer,
  syncFixture,
  tempDir,
  type Backend,
  type TestServer,
} from '../helpers/sync';
import { TEST_PASSWORD } from '../helpers/workstation';
import { openServer } from '../../src/server/context';
import { DEFAULT_RATE_LIMITS } from '../../src/server/limits';
import { buildApp } from '../../src/server/app';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import type { Db } from '../../src/store/db';

const backends: Backend[] = ['sqlite', 'postgres'];
const signIn = (username: string, password = TEST_PASSWORD, organization?: string) => ({
  protocol: 1,
  username,
  password,
  ...(organization ? { organization } : {}),
});

describe.each(backends)('sign-in under attack on %s', (backend) => {
  let cluster: Cluster | null = null;
  let tmp: ReturnType<typeof tempDir>;
  let srv: TestServer;
  const extra: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    if (backend === 'postgres') cluster = await startCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
  });
  beforeEach(async () => {
    tmp = tempDir('cw-sec-');
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, syncFixture());
    srv = await startServer(db, undefined, undefined, DEFAULT_RATE_LIMITS);
  }, 60_000);
  afterEach(async () => {
    for (const c of extra.splice(0)) await c();
    await srv.close();
    await srv.db.close();
    tmp.cleanup();
  });

  it('five (or nine) anonymous wrong passwords from a stranger do not lock root out', async () => {
    const stranger = '127.0.0.2';
    for (let i = 0; i < 9; i++) {
      const r = await postFrom(stranger, srv.url, '/v1/auth/sign-in', signIn('root', `guess-${i}-wrong`));
      expect(r.status).toBe(401);
    }
    // The stranger's own client is held back now: the right password gets the same answer as a wrong one.
    expect(await postFrom(stranger, srv.url, '/v1/auth/sign-in', signIn('root'))).toMatchObject({
      status: 401,
      body: { error: { message: SIGN_IN_REFUSED.password } },
    });
    // Root, from anywhere else, signs in at once (before the fix: 423 for 15 minutes).
    expect((await postFrom('127.0.0.1', srv.url, '/v1/auth/sign-in', signIn('root'))).status).toBe(200);
    // And through an enrolled workstation.
    const ws = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ws.close());
    await ws.signIn('root');
  });

  it('answers an unknown user, a wrong password and a held-back account alike, in body and in time', async () => {
    // Real cost hashes (the fixtures use cheap ones) so the comparison is the one an attacker sees.
    for (const id of ['u-nina', 'u-admin']) {
      await srv.db.run('UPDATE credentials SET password_hash = ? WHERE user_id = ?', [
        await hashSecret(TEST_PASSWORD, DEFAULT_COST),
        id,
      ]);
    }
    const limits = { signInsPerMinute: 10_000 };
    await srv.close();
    const server = await openServer({ db: srv.db, clock: srv.clock, security: { limits } });
    const app = await buildApp(server);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    srv = {
      ...srv,
      app,
      url,
      close: async () => {
        await app.close();
      },
    };
    // Hold nina back for the "locked" case: five failures from one client.
    const held = '127.0.0.3';
    for (let i = 0; i < 5; i++) await postFrom(held, url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'));
    const cases = {
      unknown: (i: number) => postFrom(`127.0.1.${10 + i}`, url, '/v1/auth/sign-in', signIn('nobody-here', 'wrong-wrong-1')),
      wrong: (i: number) => postFrom(`127.0.2.${10 + i}`, url, '/v1/auth/sign-in', signIn('ada', 'wrong-wrong-1')),
      locked: () => postFrom(held, url, '/v1/auth/sign-in', signIn('nina')),
    };
    const times: Record<keyof typeof cases, number[]> = { unknown: [], wrong: [], locked: [] };
    const bodies = new Set<string>();
    await cases.unknown(99); // warm-up (the stand-in hash is made once)
    for (let round = 0; round < 11; round++) {
      for (const k of Object.keys(cases) as Array<keyof typeof cases>) {
        const r = await cases[k](round);
        expect(r.status, `${k} answers 401`).toBe(401);
        bodies.add(JSON.stringify(r.body));
        times[k].push(r.ms);
      }
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: { kind: 'unauthenticated', message: SIGN_IN_REFUSED.password } })]);
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof cases, number>;
    console.log(
      `[timing ${backend}] median ms`,
      JSON.stringify(Object.fromEntries(Object.entries(med).map(([k, v]) => [k, Math.round(v)]))),
      'min/max',
      JSON.stringify(
        Object.fromEntries(Object.entries(times).map(([k, v]) => [k, [Math.round(Math.min(...v)), Math.round(Math.max(...v))]])),
      ),
    );
    // Before the fix: locked 6–40 ms vs unknown about 300 ms. Now every case does one full scrypt.
    const base = Math.max(...Object.values(med));
    for (const [a, b] of [
      ['unknown', 'wrong'],
      ['unknown', 'locked'],
      ['wrong', 'locked'],
    ] as const) {
      expect(Math.abs(med[a] - med[b]), `${a} vs ${b}: ${JSON.stringify(med)}`).toBeLessThan(Math.max(30, base * 0.25));
    }
    // Each case spends the slow hash: none is answered in a fraction of the others' time.
    for (const v of Object.values(times)) expect(Math.min(...v)).toBeGreaterThan(base * 0.4);
  }, 120_000);

  it('limits each client: wrong enrollment codes and sign-ins hit 429 after a few, other clients are unaffected', async () => {
    const guesser = '127.0.0.4';
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push(
        (
          await postFrom(guesser, srv.url, '/v1/enroll', {
            protocol: 1,
            code: `AAAA-BBBB-${String(i).padStart(4, 'C')}`,
            name: 'x',
          })
        ).status,
      );
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    const limited = await postFrom(guesser, srv.url, '/v1/enroll', { protocol: 1, code: 'AAAA-BBBB-CCCC', name: 'x' });
    expect(limited.body).toMatchObject({ error: { kind: 'rate_limited', message: expect.stringMatching(/Too many requests/) } });
    expect((await postFrom('127.0.0.5', srv.url, '/v1/enroll', { protocol: 1, code: 'AAAA-BBBB-CCCC', name: 'x' })).status).toBe(
      401,
    );
    const signIns: number[] = [];
    for (let i = 0; i < 12; i++)
      signIns.push((await postFrom('127.0.0.6', srv.url, '/v1/auth/sign-in', signIn(`someone-${i}`, 'wrong-wrong-1'))).status);
    expect(signIns.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(signIns.slice(10)).toEqual([429, 429]);
  });

  it("keeps the administrator's unlock: a held-back account signs in again at once", async () => {
    const held = '127.0.0.7';
    for (let i = 0; i < 5; i++) await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'));
    expect((await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(401);
    const ada = await postFrom('127.0.0.8', srv.url, '/v1/auth/sign-in', signIn('ada'));
    const nina = await postFrom('127.0.0.8', srv.url, '/v1/auth/sign-in', signIn('nina'));
    expect(
      (await postFrom('127.0.0.8', srv.url, '/v1/users/u-nina/unlock', { protocol: 1 }, `Bearer ${nina.body.token}`)).status,
    ).toBe(403);
    expect(
      (await postFrom('127.0.0.8', srv.url, '/v1/users/u-sc-nurse/unlock', { protocol: 1 }, `Bearer ${ada.body.token}`)).status,
    ).toBe(404);
    expect(
      await postFrom('127.0.0.8', srv.url, '/v1/users/u-nina/unlock', { protocol: 1 }, `Bearer ${ada.body.token}`),
    ).toMatchObject({ status: 200, body: { ok: true } });
    expect((await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(200);
    expect(
      await srv.db.get("SELECT actor, decision FROM audit_events WHERE action = 'reset_lockout' ORDER BY seq DESC LIMIT 1"),
    ).toEqual({ actor: 'u-admin', decision: 'allow' });
  });

  it('shares the per-account backoff between two server processes over one database', async () => {
    const second: Db =
      backend === 'postgres'
        ? new PostgresDb((srv.db as PostgresDb).url)
        : new SqliteDb((srv.db as SqliteDb).path, { synchronous: 'NORMAL' });
    const other = await openServer({ db: second, clock: srv.clock, security: { limits: DEFAULT_RATE_LIMITS } });
    const app = await buildApp(other);
    await app.listen({ port: 0, host: '127.0.0.1' });
    extra.push(async () => {
      await app.close();
      await second.close();
    });
    const otherUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const client = '127.0.0.9';
    for (let i = 0; i < 3; i++)
      expect((await postFrom(client, srv.url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'))).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await postFrom(client, otherUrl, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'))).status).toBe(401);
    // Five failures across the two processes: held back on both.
    expect((await postFrom(client, srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(401);
    expect((await postFrom(client, otherUrl, '/v1/auth/sign-in', signIn('nina'))).status).toBe(401);
    srv.clock.advanceMinutes(1);
    expect((await postFrom(client, otherUrl, '/v1/auth/sign-in', signIn('nina'))).status).toBe(200);
  });
});
