/**
 * Issue 20, finding 1, on both backends: a ward PC's device credential alone acted as anyone who had
 * ever signed in there. After ada (admin) signed in once, requests made with the credential alone
 * changed another user's password and made nina an organization admin; after root signed in once,
 * they created an organization with a planted admin; and the same sign-in widened what the PC holds
 * for good. Now every pushed change needs its author's signature by a key only their own secret
 * unlocks, administrative changes are made online only, root leaves nothing usable behind, and a
 * sign-in keeps a user's data on a workstation only for a while (docs/security.md, P1–P5).
 */
import { afterEach, expect, it } from 'vitest';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { demoHospital, DEMO_PASSWORD, ROOT_PASSWORD } from '../../src/demo/hospital';
import { hashSecret, TEST_COST } from '../../src/domain/secretHash';
import { auditHash, GENESIS_HASH } from '../../src/store/audit';
import { signAuditEvent } from '../../src/store/auditSignature';
import { getSetting } from '../../src/sync/apply';
import { describeSync, enrolledWorkstation, NOW, post, type TestWorkstation } from '../helpers/sync';

const DAY = 86_400_000;

/** The demo hospital (St. Mary's and its wards) as it is at NOW. */
const demoFixture = (): unknown => demoHospital(NOW);

describeSync('a stolen device credential acts as nobody,', demoFixture, (t) => {
  const open: TestWorkstation[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  /** A Cardiology ward PC of St. Mary's (enrolled by ada) where nina works. */
  const wardPc = async (name = 'ward-card-pc'): Promise<TestWorkstation> => {
    const ws = await enrolledWorkstation(t.srv.url, name, t.dir, 'ada', 'org-stm', { adminPassword: DEMO_PASSWORD });
    open.push(ws);
    await ws.signIn('nina', DEMO_PASSWORD);
    await ws.sync.syncNow();
    return ws;
  };
  const credential = async (ws: TestWorkstation): Promise<string> => {
    const e = (await ws.sync.enrollment())!;
    return `Device ${e.device_id}.${e.secret}`;
  };
  /** What a thief holding only the credential sends: a change in someone's name, with or without a made-up signature. */
  const forged = (id: string, name: string, actor: string, args: unknown, withOwnKey = false) => {
    const m = { id, seq: 1, name, args, actor, on_behalf_of: null, created_at: NOW };
    if (!withOwnKey) return m;
    const key = generateKeyPairSync('ed25519');
    return {
      ...m,
      proof: {
        key: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        signature: sign(null, Buffer.from(JSON.stringify(m)), key.privateKey).toString('base64'),
      },
    };
  };
  const signInStatus = async (username: string, password: string): Promise<number> =>
    (await post(t.srv.url, '/v1/auth/sign-in', { protocol: 1, username, password, organization: 'org-stm' })).status;
  const serverCount = async (sql: string, params: string[] = []): Promise<number> =>
    Number((await t.srv.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`, params))!.n);

  it("changes nobody's password with the device credential alone, after ada (admin) signed in there once", async () => {
    const ws = await wardPc();
    await ws.signIn('ada', DEMO_PASSWORD);
    const auth = await credential(ws);
    const hash = await hashSecret('taken-over-2026', TEST_COST);
    for (const [i, withOwnKey] of [false, true].entries()) {
      const res = await post(
        t.srv.url,
        '/v2/sync/push',
        {
          protocol: 2,
          mutations: [forged(`m-pw-${i}`, 'setSecrets', 'u-ada', { user_id: 'u-nina', password_hash: hash }, withOwnKey)],
        },
        auth,
      );
      expect(res.status).toBe(200);
      expect(res.body.outcomes[0]).toMatchObject({ status: 'rejected', error: { message: expect.stringMatching(/sign/i) } });
    }
    expect(await signInStatus('nina', 'taken-over-2026')).toBe(401);
    expect(await signInStatus('nina', DEMO_PASSWORD)).toBe(200);
  });

  it('makes nobody an organization admin with the device credential alone', async () => {
    const ws = await wardPc();
    await ws.signIn('ada', DEMO_PASSWORD);
    const res = await post(
      t.srv.url,
      '/v2/sync/push',
      {
        protocol: 2,
        mutations: [
          forged('m-admin', 'assignRole', 'u-ada', {
            id: `ra-${randomUUID()}`,
            user_id: 'u-nina',
            role: 'admin',
            scope: 'Organization:org-stm',
          }),
        ],
      },
      await credential(ws),
    );
    expect(res.body.outcomes[0]).toMatchObject({ status: 'rejected' });
    expect(await serverCount("role_assignments WHERE user_id = ? AND role = 'admin'", ['u-nina'])).toBe(0);
  });

  it("creates no organization in root's name after root signed in there once, and root leaves no key, credential or change behind", async () => {
    const ws = await wardPc();
    await ws.signIn('root', ROOT_PASSWORD);
    const res = await post(
      t.srv.url,
      '/v2/sync/push',
      {
        protocol: 2,
        mutations: [
          forged('m-org', 'createOrganization', 'root', {
            id: 'org-evil',
            name: 'Evil Org',
            admin: {
              id: `usr-${randomUUID()}`,
              name: 'Planted',
              username: 'planted',
              password_hash: await hashSecret('planted-pass-1', TEST_COST),
            },
          }),
        ],
      },
      await credential(ws),
    );
    expect(res.body.outcomes[0]).toMatchObject({ status: 'rejected' });
    expect(await serverCount('organizations WHERE id = ?', ['org-evil'])).toBe(0);
    expect(await signInStatus('planted', 'planted-pass-1')).toBe(401);
    // Nothing of root's is kept on the workstation's disk.
    await ws.sync.syncNow();
    expect(await ws.db.all("SELECT user_id FROM credentials WHERE user_id = 'root'")).toEqual([]);
    expect(await ws.db.all("SELECT id FROM outbox WHERE actor_id = 'root'")).toEqual([]);
    expect(await ws.db.all("SELECT user_id FROM user_keys WHERE user_id = 'root'")).toEqual([]);
  });

  it("attributes no audit event to ada without her own signature, even one signed with the workstation's audit key from its disk", async () => {
    const ws = await wardPc();
    await ws.signIn('ada', DEMO_PASSWORD);
    await ws.sync.syncNow();
    const e = (await ws.sync.enrollment())!;
    const last = await t.srv.db.get<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM device_audit WHERE device_id = ? ORDER BY seq DESC LIMIT 1',
      [e.device_id],
    );
    const seq = Number(last?.seq ?? 0) + 1;
    const prev_hash = last?.hash ?? GENESIS_HASH;
    const base = {
      seq,
      id: `forged-${seq}`,
      at: NOW,
      actor: 'u-ada',
      on_behalf_of: null,
      action: 'read',
      resource: 'Patient:p-x',
      decision: 'allow' as const,
      reason: null,
      org_id: 'org-stm',
    };
    const hash = auditHash(prev_hash, base);
    const event = {
      ...base,
      prev_hash,
      hash,
      signature: signAuditEvent((await getSetting(ws.db, 'sync.audit_key'))!, e.device_id, seq, hash),
    };
    const res = await post(t.srv.url, '/v2/sync/push', { protocol: 2, mutations: [], audit: [event] }, await credential(ws));
    expect(res.body).toMatchObject({
      audit_accepted: 0,
      audit_refused: { seq, message: expect.stringMatching(/names u-ada but carries no signature of theirs/) },
    });
    expect(await serverCount('device_audit WHERE id = ?', [`forged-${seq}`])).toBe(0);
  });

  it('widens what the ward PC holds only for a while: ada signing in there once (more patients, more badge ids) ends a week later', async () => {
    const ws = await wardPc();
    const held = async () => ({
      patients: (await ws.ids('patients')).length,
      badges: Number((await ws.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE badge IS NOT NULL'))!.n),
    });
    const nina = await held();
    expect(nina.badges).toBe(1);
    await ws.signIn('ada', DEMO_PASSWORD);
    await ws.sync.syncNow();
    const widened = await held();
    expect(widened.patients).toBeGreaterThan(nina.patients);
    expect(widened.badges).toBeGreaterThan(1);
    // Nina keeps working there; ada never comes back.
    for (let day = 1; day <= 8; day++) {
      t.srv.clock.set(new Date(Date.parse(NOW) + day * DAY));
      ws.base.set(new Date(Date.parse(NOW) + day * DAY));
      await ws.signIn('nina', DEMO_PASSWORD);
      await ws.sync.syncNow();
    }
    expect(await held()).toEqual(nina);
  });
});
