/**
 * Issue 13, finding 1, tried as an attacker would, on loopback against a real server (SQLite and
 * PostgreSQL): strangers cannot lock accounts (root included), unknown/locked/wrong answer alike in
 * body and in time, and every client has a request limit (docs/security.md, T1).
 */
import { spawnSync } from 'node:child_process';
import type * as NodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_COST, hashSecret, TEST_COST } from '../../src/domain/secretHash';
import { SIGN_IN_PAUSED, SIGN_IN_REFUSED } from '../../src/services/signIn';
import { postFrom } from '../helpers/http';
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
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';
import type { AppError } from '../../src/domain/errors';
import { WorkstationSession } from '../../src/services/session';
import { parseTrustedProxies, ProxyListError } from '../../src/server/proxies';
import { newAuditKeyPair } from '../../src/store/auditSignature';
import { openServer } from '../../src/server/context';
import { DEFAULT_RATE_LIMITS } from '../../src/server/limits';
import { buildApp } from '../../src/server/app';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import type { Db } from '../../src/store/db';

interface ScryptCall {
  N: number;
  r: number;
  p: number;
}
/** Every scrypt the server runs in this process, with its cost (src/domain/secretHash.ts calls node:crypto). */
const scryptCalls: ScryptCall[] = vi.hoisted(() => []);
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof NodeCrypto>();
  const scrypt = (...args: Parameters<typeof crypto.scrypt>): void => {
    const opts = args[3] as { N: number; r: number; p: number };
    scryptCalls.push({ N: opts.N, r: opts.r, p: opts.p });
    (crypto.scrypt as (...a: unknown[]) => void)(...args);
  };
  return { ...crypto, default: { ...crypto, scrypt }, scrypt };
});

const auditCount = async (db: Db): Promise<number> =>
  Number((await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM audit_events'))!.n);

const backends: Backend[] = ['sqlite', 'postgres'];
const ROOT = path.resolve(__dirname, '../..');
const enroll = (code: string) => ({ protocol: 1, code, name: 'x', public_key: newAuditKeyPair().publicKey });
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
      // Five wrong, then paused (429: the guesses are no longer even checked).
      expect(r.status).toBe(i < 5 ? 401 : 429);
    }
    // The stranger's own client is held back now: the right password is not even checked.
    expect(await postFrom(stranger, srv.url, '/v1/auth/sign-in', signIn('root'))).toMatchObject({
      status: 429,
      body: { error: { message: SIGN_IN_PAUSED } },
    });
    // Root, from anywhere else, signs in at once (before the fix: 423 for 15 minutes).
    expect((await postFrom('127.0.0.1', srv.url, '/v1/auth/sign-in', signIn('root'))).status).toBe(200);
    // And through an enrolled workstation.
    const ws = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ws.close());
    await ws.signIn('root');
  });

  it('answers an unknown user, a wrong password and a held-back account alike, after the same slow hash', async () => {
    // Real cost hashes (the fixtures use cheap ones) so every path is the one an attacker meets.
    for (const id of ['u-nina', 'u-admin']) {
      await srv.db.run('UPDATE credentials SET password_hash = ? WHERE user_id = ?', [
        await hashSecret(TEST_PASSWORD, DEFAULT_COST),
        id,
      ]);
    }
    await srv.close();
    srv = await startServer(srv.db, srv.clock, undefined, { signInsPerMinute: 10_000 });
    // Hold nina back from one client, and an unknown name from another: five failures each.
    const held = '127.0.0.3';
    const heldUnknown = '127.0.0.13';
    for (let i = 0; i < 5; i++) {
      await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'));
      await postFrom(heldUnknown, srv.url, '/v1/auth/sign-in', signIn('nobody-at-all', 'wrong-wrong-1'));
    }
    const cases = {
      unknown: () => postFrom('127.0.1.10', srv.url, '/v1/auth/sign-in', signIn('nobody-here', 'wrong-wrong-1')),
      wrong: () => postFrom('127.0.2.10', srv.url, '/v1/auth/sign-in', signIn('ada', 'wrong-wrong-1')),
      heldBack: () => postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina')),
      heldBackUnknown: () => postFrom(heldUnknown, srv.url, '/v1/auth/sign-in', signIn('nobody-at-all', 'wrong-wrong-1')),
    };
    await cases.unknown(); // the stand-in hash is made once, on first use
    const answers: Record<string, { status: number; body: string; hashes: ScryptCall[]; audited: number }> = {};
    for (const [k, run] of Object.entries(cases)) {
      const audited = await auditCount(srv.db);
      scryptCalls.length = 0;
      const r = await run();
      answers[k] = {
        status: r.status,
        body: JSON.stringify(r.body),
        hashes: [...scryptCalls],
        audited: (await auditCount(srv.db)) - audited,
      };
    }
    // Every path: exactly one scrypt of the default cost, and one audit event (the same work; the
    // wall-clock figures are in `npm run bench:sign-in`, not asserted here: a busy machine made them flake).
    for (const [k, a] of Object.entries(answers)) {
      expect(a.hashes, k).toEqual([{ N: DEFAULT_COST.N, r: DEFAULT_COST.r, p: DEFAULT_COST.p }]);
      expect(a.audited, k).toBe(1);
    }
    // The same words for an unknown name and a wrong password…
    expect(answers.unknown).toMatchObject({ status: 401, body: answers.wrong!.body });
    expect(JSON.parse(answers.wrong!.body)).toEqual({ error: { kind: 'unauthenticated', message: SIGN_IN_REFUSED.password } });
    // …and a pause reads the same whether the name exists or not (it says nothing about the account).
    expect(answers.heldBack).toMatchObject({ status: 429, body: answers.heldBackUnknown!.body });
    expect(JSON.parse(answers.heldBack!.body)).toEqual({
      error: { kind: 'rate_limited', message: SIGN_IN_PAUSED, details: { reason: 'throttled' } },
    });
  }, 120_000);

  it('limits each client: wrong enrollment codes and sign-ins hit 429 after a few, other clients are unaffected', async () => {
    const guesser = '127.0.0.4';
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await postFrom(guesser, srv.url, '/v1/enroll', enroll(`AAAA-BBBB-${String(i).padStart(4, 'C')}`))).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    const limited = await postFrom(guesser, srv.url, '/v1/enroll', enroll('AAAA-BBBB-CCCC'));
    expect(limited.body).toMatchObject({ error: { kind: 'rate_limited', message: expect.stringMatching(/Too many requests/) } });
    expect((await postFrom('127.0.0.5', srv.url, '/v1/enroll', enroll('AAAA-BBBB-CCCC'))).status).toBe(401);
    const signIns: number[] = [];
    for (let i = 0; i < 12; i++)
      signIns.push((await postFrom('127.0.0.6', srv.url, '/v1/auth/sign-in', signIn(`someone-${i}`, 'wrong-wrong-1'))).status);
    expect(signIns.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(signIns.slice(10)).toEqual([429, 429]);
  });

  it("keeps the administrator's unlock: a held-back account signs in again at once", async () => {
    const held = '127.0.0.7';
    for (let i = 0; i < 5; i++) await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'));
    expect((await postFrom(held, srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(429);
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
    expect((await postFrom(client, srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(429);
    expect((await postFrom(client, otherUrl, '/v1/auth/sign-in', signIn('nina'))).status).toBe(429);
    srv.clock.advanceMinutes(1);
    expect((await postFrom(client, otherUrl, '/v1/auth/sign-in', signIn('nina'))).status).toBe(200);
  });
  // Security round 3 (issue 20), findings 2–4: limits and throttles that strangers cannot turn against users.

  it('counts a Device header that does not verify as its address: a made-up workstation per attempt does not lift the enrollment-code limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const made = `Device ws-made-up-${i}.${'x'.repeat(43)}`;
      const r = await postFrom('127.0.0.14', srv.url, '/v1/enroll', enroll('AAAA-BBBB-CCCC'), made);
      statuses.push(r.status);
    }
    // Before: every attempt was a new client (30 wrong codes, no 429).
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(20).fill(429)]);
  });

  it("naming a workstation's id without its secret spends none of its budget, even from its own address", async () => {
    await srv.close();
    srv = await startServer(srv.db, srv.clock, undefined, { ...DEFAULT_RATE_LIMITS, requestsPerMinute: 40 });
    const ws = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ws.close());
    await ws.signIn('nina');
    const victim = (await ws.sync.enrollment())!.device_id;
    // The attacker shares the ward's address (one NAT): 127.0.0.1, like the workstation here.
    const forged = `Device ${victim}.${'x'.repeat(43)}`;
    const signIns: number[] = [];
    for (let i = 0; i < 12; i++)
      signIns.push((await postFrom('127.0.0.1', srv.url, '/v1/auth/sign-in', signIn('nina', 'wrong-wrong-1'), forged)).status);
    // The address's own budget (ada's sign-in to make the enrollment code was one of its ten).
    expect(signIns).toEqual([...Array(9).fill(401), 429, 429, 429]);
    const pulls: number[] = [];
    for (let i = 0; i < 40; i++)
      pulls.push(
        (await postFrom('127.0.0.1', srv.url, '/v2/sync/pull', { protocol: 2, cursor: null, limit: 10 }, forged)).status,
      );
    expect(pulls.at(-1)).toBe(429);
    // The workstation itself still signs in, pushes and pulls (before: 429 for a minute).
    await ws.signIn('nina');
    const status = await ws.sync.syncNow();
    expect(status).toMatchObject({ mode: 'online', last_error: null });
  });

  it('believes X-Forwarded-For only from a listed proxy: a stranger cannot pick fresh addresses, nor spend the victim’s', async () => {
    await srv.close();
    const proxy = '127.0.0.10';
    srv = await startServer(srv.db, srv.clock, undefined, DEFAULT_RATE_LIMITS, [proxy]);
    const stranger = '127.0.0.2';
    const victimAddress = '10.1.2.3';
    // A made-up address per attempt from a stranger (before, with TRUST_PROXY=true: 40 guesses, no pause).
    const made: number[] = [];
    for (let i = 0; i < 8; i++)
      made.push(
        (
          await postFrom(stranger, srv.url, '/v1/auth/sign-in', signIn('ada', `guess-${i}-wrong`), undefined, {
            'x-forwarded-for': `10.9.${i}.1`,
          })
        ).status,
      );
    expect(made).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Faking the victim's address from outside the proxy spends the stranger's own budget only…
    for (let i = 0; i < 2; i++)
      expect(
        (
          await postFrom(stranger, srv.url, '/v1/auth/sign-in', signIn('ada', 'wrong-wrong-1'), undefined, {
            'x-forwarded-for': victimAddress,
          })
        ).status,
      ).toBe(429);
    // …so through the proxy, from her own address, her right password works (before: refused ~15 minutes).
    const via = (address: string, password?: string) =>
      postFrom(proxy, srv.url, '/v1/auth/sign-in', signIn('ada', password), undefined, { 'x-forwarded-for': address });
    expect((await via(victimAddress)).status).toBe(200);
    // Behind the proxy each forwarded client has its own budget.
    for (let i = 0; i < 5; i++) expect((await via('10.7.7.7', 'wrong-wrong-1')).status).toBe(401);
    expect((await via('10.7.7.7')).status).toBe(429);
    expect((await via(victimAddress)).status).toBe(200);
  });

  it('a stranger cannot deny a nurse her sign-in at her own workstation, even after she mistyped there', async () => {
    const ward = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ward.close());
    await ward.signIn('nina');
    // She mistypes once; then strangers fail 20 times on her account from four addresses.
    expect(await ward.sync.signInOnline('nina', 'wrong-wrong-1')).toMatchObject({ outcome: 'rejected' });
    for (const from of ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'])
      for (let i = 0; i < 5; i++)
        expect([401, 429]).toContain(
          (await postFrom(from, srv.url, '/v1/auth/sign-in', signIn('nina', `guess-${i}-wrong`))).status,
        );
    // The account is now paused for every client that failed on it (a stranger with one more guess, say).
    expect((await postFrom('127.0.3.1', srv.url, '/v1/auth/sign-in', signIn('nina'))).status).toBe(429);
    // Her own workstation keeps its own budget: her right password works (before: "incorrect").
    expect(await ward.sync.signInOnline('nina', TEST_PASSWORD)).toMatchObject({ outcome: 'ok' });
    // At a workstation she never used, after a mistake there, the account-wide pause applies — and it
    // says so (429), so that workstation decides offline instead of calling her password wrong.
    const other = await enrolledWorkstation(srv.url, 'other-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => other.close());
    expect(await other.sync.signInOnline('nina', 'wrong-wrong-1')).toMatchObject({ outcome: 'rejected' });
    expect(await other.sync.signInOnline('nina', TEST_PASSWORD)).toMatchObject({ outcome: 'throttled', message: SIGN_IN_PAUSED });
  });

  it('a workstation answers from its own check when the server pauses sign-in from it, never "incorrect" for a right password', async () => {
    const ward = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ward.close());
    await ward.signIn('nina');
    await ward.sync.syncNow(); // her cached credential arrives
    const session = new WorkstationSession({
      db: ward.db,
      clock: ward.clock,
      engine: ward.engine,
      organization: 'org-gh',
      online: ward.sync,
    });
    const attempt = (password: string) =>
      session.signIn({ method: 'password', username: 'nina', password }).then(
        () => 'signed in',
        (e: AppError) => `${e.kind}: ${e.message}`,
      );
    // Five wrong passwords at this keyboard: the server pauses sign-in from this workstation.
    for (let i = 0; i < 5; i++) expect(await attempt(`guess-${i}-wrong`)).toBe(`unauthenticated: ${SIGN_IN_REFUSED.password}`);
    expect(await ward.sync.signInOnline('nina', TEST_PASSWORD)).toMatchObject({ outcome: 'throttled' });
    // The pause is no verdict: a wrong password is still refused here, the right one signs her in.
    expect(await attempt('wrong-wrong-6')).toBe(`unauthenticated: ${SIGN_IN_REFUSED.password}`);
    expect(await attempt(TEST_PASSWORD)).toBe('signed in');
    expect(session.user?.id).toBe('u-nina');
  });

  it('a badge and PIN at an online workstation are checked by the server as a password is: its PIN wins, and it logs them', async () => {
    const ward = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
    extra.push(() => ward.close());
    await ward.signIn('nina');
    await ward.sync.syncNow(); // her cached credential (PIN hash) arrives
    const session = new WorkstationSession({
      db: ward.db,
      clock: ward.clock,
      engine: ward.engine,
      organization: 'org-gh',
      online: ward.sync,
    });
    const tap = (pin: string, badge = '04A1B2C3') =>
      session.signIn({ method: 'badge', badge, pin }).then(
        () => `signed in as ${session.user?.id}`,
        (e: AppError) => `${e.kind}: ${e.message}`,
      );
    const serverBadgeEvents = () =>
      srv.db.all<{ actor: string; decision: string }>(
        "SELECT actor, decision FROM audit_events WHERE action = 'sign_in_badge' AND origin IS NULL ORDER BY seq",
      );
    expect(await tap(TEST_PIN)).toBe('signed in as u-nina');
    expect(await serverBadgeEvents()).toEqual([{ actor: 'u-nina', decision: 'allow' }]);
    // Her PIN is changed on the server; this workstation has not synced since.
    const newPin = '482915';
    await srv.db.run('UPDATE credentials SET pin_hash = ? WHERE user_id = ?', [await hashSecret(newPin, TEST_COST), 'u-nina']);
    // The old PIN no longer works here (before: the cached hash accepted it), the new one does at once.
    expect(await tap(TEST_PIN)).toBe(`unauthenticated: ${SIGN_IN_REFUSED.badge}`);
    expect(await tap(newPin)).toBe('signed in as u-nina');
    // Every attempt is in the server's log, refused or not (before: none of them).
    expect(await serverBadgeEvents()).toEqual([
      { actor: 'u-nina', decision: 'allow' },
      { actor: 'u-nina', decision: 'forbidden' },
      { actor: 'u-nina', decision: 'allow' },
    ]);
    // Server unreachable: the workstation's cached PIN hash decides, as for a password.
    await srv.close();
    expect(await tap(TEST_PIN)).toBe('signed in as u-nina');
    expect(await tap(newPin)).toBe(`unauthenticated: ${SIGN_IN_REFUSED.badge}`);
    srv = await startServer(srv.db, srv.clock, undefined, DEFAULT_RATE_LIMITS);
  });
});

describe('TRUST_PROXY at server start', () => {
  const start = (trustProxy: string) => {
    const tmp = tempDir('cw-proxy-');
    const serverDbFile = path.join(tmp.dir, 'server.db');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, TRUST_PROXY: trustProxy, SERVER_DB: serverDbFile, PORT: '0', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const opened = existsSync(serverDbFile);
    tmp.cleanup();
    return { code: r.status, stderr: r.stderr, opened };
  };

  it('refuses "true" and anything but a list of addresses and networks, with a sentence, before opening anything', () => {
    // Before: TRUST_PROXY=true made every client's own X-Forwarded-For believed.
    const yes = start('true');
    expect(yes).toMatchObject({ code: 1, opened: false });
    expect(yes.stderr).toMatch(/TRUST_PROXY="true" would believe every client's own X-Forwarded-For header/);
    expect(yes.stderr).toMatch(/TRUST_PROXY=10\.0\.0\.5,10\.1\.0\.0\/16/);
    const bad = start('10.0.0.5, proxy.example.org');
    expect(bad).toMatchObject({ code: 1, opened: false });
    expect(bad.stderr).toMatch(/"proxy\.example\.org" is not an IP address or network/);
  });

  it('reads a list of addresses and networks, or nothing', () => {
    expect(parseTrustedProxies(' 10.0.0.5 , 10.1.0.0/16,::1, fd00::/8 ')).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8']);
    for (const none of [undefined, '', '  ', 'false']) expect(parseTrustedProxies(none)).toEqual([]);
    for (const bad of ['1', '*', 'yes', '10.0.0.5,', '10.0.0.0/8/1', '10.0.0.0/x', '::/129'])
      expect(() => parseTrustedProxies(bad), bad).toThrow(ProxyListError);
    expect(() => parseTrustedProxies('10.1.0.0/33')).toThrow(/"10\.1\.0\.0\/33" has a network size outside \/0–\/32/);
  });
});
