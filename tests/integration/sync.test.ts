/**
 * Offline-first sync against a real server on loopback, on embedded SQLite and on PostgreSQL.
 * Workstations are real: their own SQLite files, services, policy and sync engine.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../helpers/postgres';
import {
  bearer,
  enrolledWorkstation,
  NOW,
  post,
  seedServerDb,
  serverDb,
  startServer,
  syncFixture,
  tempDir,
  type Backend,
  type TestServer,
  type TestWorkstation,
} from '../helpers/sync';
import { TABLE_ORDER, TABLES } from '../../src/store/tables';
import { openChart } from '../../src/services/queries/chart';
import { verifyAuditChain } from '../../src/store/audit';

const backends: Backend[] = ['sqlite', 'postgres'];

describe.each(backends)('sync on %s', (backend) => {
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
    await seedServerDb(db, syncFixture());
    srv = await startServer(db);
  }, 60_000);
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
    await srv.close();
    await srv.db.close();
    tmp.cleanup();
  });

  const workstation = async (
    name: string,
    opts: { skewMinutes?: number; org?: string; admin?: string; facility?: string; pageLimit?: number } = {},
  ): Promise<TestWorkstation> => {
    const ws = await enrolledWorkstation(srv.url, name, tmp.dir, opts.admin ?? 'ada', opts.org ?? 'org-gh', opts);
    open.push(ws);
    return ws;
  };
  const serverCount = async (table: string, where = '1=1', params: unknown[] = []): Promise<number> =>
    Number((await srv.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params as never[]))!.n);
  const vitals = (patient: string, value: string) => ({
    patient_id: patient,
    category: 'vitals',
    code: 'heart_rate',
    value,
    unit: '/min',
  });

  it('brings a workstation the data its users may read, and only that', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual(['p-a']);
    expect(await ws.ids('observations')).toEqual(['obs-1', 'obs-2']);
    expect(await ws.ids('alerts')).toEqual(['al-1']);
    // Reference data of the organization, credentials only of its own users.
    expect((await ws.ids('users')).length).toBe(12); // 11 of General Hospital, and root
    expect(await ws.db.all('SELECT user_id FROM credentials')).toEqual([{ user_id: 'u-nina' }]);
    expect((await ws.sync.status()).mode).toBe('online');
  });

  it("two workstations edit offline, reconnect, and each sees the other's changes", async () => {
    const a = await workstation('station-a');
    const b = await workstation('station-b');
    await a.signIn('nina');
    await b.signIn('nora');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    const fromA = await a.run('u-nina', 'recordObservation', vitals('p-a', '101'));
    const fromB = await b.run('u-nora', 'recordObservation', vitals('p-a', '77'));
    await b.run('u-nora', 'acknowledgeAlert', { id: 'al-1' });
    expect((await a.sync.syncNow()).mode).toBe('offline');
    expect((await a.sync.status()).pending).toBe(1);
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();
    for (const ws of [a, b]) {
      expect(await ws.ids('observations')).toEqual(expect.arrayContaining([fromA.id, fromB.id]));
      expect(await ws.db.get('SELECT status, acknowledged_by FROM alerts WHERE id = ?', ['al-1'])).toEqual({
        status: 'acknowledged',
        acknowledged_by: 'u-nora',
      });
      expect((await ws.sync.status()).pending).toBe(0);
    }
    expect(await serverCount('observations', 'id IN (?, ?)', [fromA.id, fromB.id])).toBe(2);
  });

  it('revokes offline: pending vitals are refused with a reason and rolled back, the ward is purged', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    ws.online = false;
    const obs = await ws.run('u-nina', 'recordObservation', vitals('p-a', '130'));
    expect(await ws.ids('observations')).toContain(obs.id);
    // Meanwhile an administrator removes Nina's ward role on the server.
    const admin = await bearer(srv.url, 'ada');
    const ra = await srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    expect((await post(srv.url, '/v1/mutations/revokeRole', { id: ra!.id }, admin)).status).toBe(200);
    ws.online = true;
    const status = await ws.sync.syncNow();
    expect(status.rejected).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        summary: 'heart rate for Alice Patient',
        reason: 'You may not record vitals for this patient.',
      }),
    ]);
    expect(await ws.ids('observations')).toEqual([]);
    expect(await ws.ids('patients')).toEqual([]);
    expect(await ws.ids('role_assignments')).not.toContain(ra!.id);
    expect(await serverCount('observations', 'id = ?', [obs.id])).toBe(0);
  });

  it('sends its audit log to the server, which keeps it whole; revocation purges patient data, never audit events', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    await openChart(ws.ctx, { userId: 'u-nina' }, 'p-a');
    await ws.run('u-nina', 'recordObservation', vitals('p-a', '88'));
    await ws.sync.syncNow();
    const device = (await srv.db.get<{ id: string }>("SELECT id FROM devices WHERE name = 'ward-pc'"))!.id;
    const local = await ws.db.all<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq');
    expect(local.length).toBeGreaterThanOrEqual(2); // the chart read and the vitals
    const received = await srv.db.all<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM device_audit WHERE device_id = ? ORDER BY seq',
      [device],
    );
    expect(received.map((e) => [Number(e.seq), e.hash])).toEqual(local.map((e) => [Number(e.seq), e.hash]));
    expect(await verifyAuditChain(srv.db, { device })).toEqual({ ok: true, checked: local.length });

    const admin = await bearer(srv.url, 'ada');
    const ra = await srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    expect((await post(srv.url, '/v1/mutations/revokeRole', { id: ra!.id }, admin)).status).toBe(200);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual([]);
    const after = await ws.db.all<{ seq: number; resource: string }>('SELECT seq, resource FROM audit_events ORDER BY seq');
    expect(after.slice(0, local.length).map((e) => Number(e.seq))).toEqual(local.map((e) => Number(e.seq)));
    expect(after.map((e) => e.resource)).toContain('Patient:p-a');
    expect(await verifyAuditChain(ws.db)).toMatchObject({ ok: true });
    expect(await serverCount('device_audit', 'device_id = ?', [device])).toBeGreaterThanOrEqual(local.length);
  });

  it('applies a push exactly once when it is delivered twice or its response is lost', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const obs = await ws.run('u-nina', 'recordObservation', vitals('p-a', '88'));
    ws.loseNextResponse = true;
    expect((await ws.sync.syncNow()).mode).toBe('offline');
    expect(await serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    expect((await ws.sync.status()).pending).toBe(1);
    await ws.sync.syncNow();
    expect((await ws.sync.status()).pending).toBe(0);
    expect(await serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    // The same push body delivered twice by hand.
    const entry = await ws.db.get<{ id: string; args: string }>('SELECT id, args FROM outbox WHERE id IS NOT NULL');
    const enrollment = (await ws.sync.enrollment())!;
    const auth = `Device ${enrollment.device_id}.${enrollment.secret}`;
    const body = {
      protocol: 2,
      mutations: [
        { id: entry!.id, seq: 1, name: 'recordObservation', args: JSON.parse(entry!.args), actor: 'u-nina', created_at: NOW },
      ],
    };
    const twice = [await post(srv.url, '/v2/sync/push', body, auth), await post(srv.url, '/v2/sync/push', body, auth)];
    expect(twice.map((r) => [r.status, r.body.outcomes[0].status, r.body.outcomes[0].duplicate])).toEqual([
      [200, 'applied', true],
      [200, 'applied', true],
    ]);
    expect(await serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    expect(await serverCount('mutations')).toBe(1);
  });

  it('pages of two rows bring what one large page brings; rows that leave the scope mid-cycle go in the next cycle', async () => {
    const big = await workstation('big-pages', { pageLimit: 1000 });
    const small = await workstation('small-pages', { pageLimit: 2 });
    const dump = async (ws: TestWorkstation): Promise<Record<string, unknown[]>> =>
      Object.fromEntries(
        await Promise.all(
          TABLE_ORDER.map(async (t) => [t, await ws.db.all(`SELECT * FROM ${t} ORDER BY ${TABLES[t].pk.join(', ')}`)]),
        ),
      );
    for (const ws of [big, small]) {
      await ws.signIn('nina');
      await ws.sync.syncNow();
    }
    expect((await dump(small)).observations).toHaveLength(2);
    expect(await dump(small)).toEqual(await dump(big));

    // Five new vitals make the next cycle span several pages; after its first page Nina's ward role
    // is revoked. The cycle in flight finishes; the next one purges the ward.
    const nina = await bearer(srv.url, 'nina');
    for (let i = 0; i < 5; i++)
      expect((await post(srv.url, '/v1/mutations/recordObservation', vitals('p-a', String(70 + i)), nina)).status).toBe(200);
    const admin = await bearer(srv.url, 'ada');
    const ra = await srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    let pulls = 0;
    small.afterPost = async (p) => {
      if (p === '/v2/sync/pull' && ++pulls === 1)
        expect((await post(srv.url, '/v1/mutations/revokeRole', { id: ra!.id }, admin)).status).toBe(200);
    };
    await small.sync.syncNow();
    expect(pulls).toBeGreaterThan(2);
    await small.sync.syncNow();
    await big.sync.syncNow();
    expect(await small.ids('patients')).toEqual([]);
    expect(await small.ids('observations')).toEqual([]);
    expect(await dump(small)).toEqual(await dump(big));
  });

  it('resends a pull page whose response was lost, without losing or duplicating rows', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('ada');
    ws.loseNextResponse = false;
    await ws.sync.syncNow();
    const before = await ws.ids('patients');
    // Lose every other pull answer while a second full sync runs from a reset.
    await ws.db.run("DELETE FROM local_settings WHERE key = 'sync.cursor'");
    let toggle = 0;
    const real = ws.sync;
    for (let i = 0; (i < 20 && (await real.status()).mode !== 'online') || i === 0; i++) {
      ws.loseNextResponse = toggle++ % 2 === 0;
      await real.syncNow();
    }
    expect(await ws.ids('patients')).toEqual(before);
    expect(before).toEqual(['p-a', 'p-b', 'p-c']);
  });

  it('decides racing appointment transitions on the server: the first wins, the other is told why', async () => {
    const a = await workstation('exam-1');
    const b = await workstation('exam-2');
    await a.signIn('smith');
    await b.signIn('smith');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-drsmith', 'startAppointment', { id: 'ap-6' });
    await b.run('u-drsmith', 'cancelAppointment', { id: 'ap-6' }).catch(() => undefined);
    await b.run('u-drsmith', 'completeAppointment', { id: 'ap-6' });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    expect(await srv.db.get('SELECT status FROM appointments WHERE id = ?', ['ap-6'])).toEqual({ status: 'in_progress' });
    const s = await b.sync.syncNow();
    // B's "complete" from scheduled is still a valid transition from in_progress: both apply, in order.
    expect(s.rejected).toEqual([]);
    await b.sync.syncNow();
    expect(await b.db.get('SELECT status FROM appointments WHERE id = ?', ['ap-6'])).toEqual({ status: 'completed' });
    // Two offline starts of the same appointment: the second is refused with the reason.
    await srv.db.run("UPDATE appointments SET status = 'scheduled' WHERE id = 'ap-4'");
    await srv.db.run(
      "INSERT INTO row_versions (table_name, row_key, org_id, version) VALUES ('appointments', 'ap-4', 'org-gh', 100000) ON CONFLICT (table_name, row_key) DO UPDATE SET version = 100000",
    );
    await srv.db.run(
      "INSERT INTO org_versions (org_id, version) VALUES ('org-gh', 100000) ON CONFLICT (org_id) DO UPDATE SET version = 100000",
    );
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-drsmith', 'startAppointment', { id: 'ap-4' });
    await b.run('u-drsmith', 'startAppointment', { id: 'ap-4' });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    const lost = await b.sync.syncNow();
    expect(lost.rejected).toEqual([
      expect.objectContaining({ reason: 'Only a scheduled appointment can be started (it is in progress).' }),
    ]);
  });

  it('keeps both of two concurrent amendments and flags them', async () => {
    const a = await workstation('exam-1');
    const b = await workstation('exam-2');
    await a.signIn('brown');
    await b.signIn('brown');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    const one = await a.run('u-drbrown', 'amendRecord', {
      record_id: 'rec-2',
      public_notes: 'ECG taken; repeat at 12:00.',
      internal_notes: 'Suspect NSTEMI.',
    });
    const two = await b.run('u-drbrown', 'amendRecord', {
      record_id: 'rec-2',
      public_notes: 'ECG taken.',
      internal_notes: 'Suspect NSTEMI; cardiology informed.',
    });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();
    for (const ws of [a, b]) {
      const amendments = await ws.db.all<{ id: string }>("SELECT id FROM records WHERE amends_id = 'rec-2' ORDER BY id");
      expect(amendments.map((r) => r.id).sort()).toEqual([one.id, two.id].sort());
    }
    expect(await serverCount('records', "amends_id = 'rec-2'")).toBe(2);
  });

  it('turns concurrent edits of the same demographic field into a conflict the user sees', async () => {
    const a = await workstation('desk-1');
    const b = await workstation('desk-2');
    await a.signIn('rita');
    await b.signIn('ada');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-clerk', 'updatePatient', {
      id: 'p-a',
      changes: { name: 'Alice M. Patient' },
      base: { name: 'Alice Patient' },
    });
    await b.run('u-admin', 'updatePatient', { id: 'p-a', changes: { name: 'Alicia Patient' }, base: { name: 'Alice Patient' } });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    const s = await b.sync.syncNow();
    expect(s.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/Someone else changed name/) })]);
    expect(await b.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice M. Patient' });
    expect(await b.db.get('SELECT status FROM outbox ORDER BY seq DESC LIMIT 1')).toEqual({ status: 'conflict' });
  });

  it('ignores a workstation clock a day off: server time orders and authorizes', async () => {
    const ahead = await workstation('fast-clock', { skewMinutes: 24 * 60 });
    const behind = await workstation('slow-clock', { skewMinutes: -24 * 60 });
    // A nurse whose shift ends at 18:00 today (server time).
    await srv.db.run("UPDATE role_assignments SET valid_until = '2026-11-23T18:00:00.000Z' WHERE user_id = 'u-nora'");
    await ahead.signIn('nora');
    await behind.signIn('nina');
    await ahead.sync.syncNow();
    await behind.sync.syncNow();
    // Locally both decide with the server-corrected clock: Nora's shift has not ended.
    expect(ahead.clock.now().toISOString()).toBe(NOW);
    expect(await ahead.engine.authorize({ userId: 'u-nora' }, 'read', { type: 'Patient', id: 'p-a' })).toBe('allow');
    const x = await ahead.run('u-nora', 'recordObservation', vitals('p-a', '90'));
    const y = await behind.run('u-nina', 'recordObservation', vitals('p-a', '91'));
    await behind.sync.syncNow();
    await ahead.sync.syncNow();
    const versions = await srv.db.all<{ row_key: string; version: number }>(
      "SELECT row_key, version FROM row_versions WHERE table_name = 'observations' AND row_key IN (?, ?) ORDER BY version",
      [x.id, y.id],
    );
    expect(versions.map((v) => v.row_key)).toEqual([y.id, x.id]);
    expect(await serverCount('observations', 'id IN (?, ?)', [x.id, y.id])).toBe(2);
  });

  it("never gives a workstation of one organization another's rows", async () => {
    const sun = await workstation('sunrise-pc', { org: 'org-sc', admin: 'ada' }).catch((e: Error) => e);
    expect(sun).toBeInstanceOf(Error);
    await srv.db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-sc-admin', 'org-sc', 'Sunny Admin', 'sunny')");
    await srv.db.run(
      "INSERT INTO role_assignments (id, user_id, role, scope_type, scope_id, org_id, categories) VALUES ('ra-sc-admin', 'u-sc-admin', 'admin', 'Organization', 'org-sc', 'org-sc', '[]')",
    );
    await srv.db.run(
      "INSERT INTO credentials (user_id, password_hash, failed_attempts, updated_at) SELECT 'u-sc-admin', password_hash, 0, updated_at FROM credentials WHERE user_id = 'u-nina'",
    );
    const ws = await workstation('sunrise-pc', { org: 'org-sc', admin: 'sunny' });
    await ws.signIn('sam');
    await ws.signIn('sunny');
    await expect(ws.signIn('nina')).rejects.toThrow(/rejected/);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual(['p-sc']);
    expect(await ws.db.get("SELECT COUNT(*) AS n FROM users WHERE org_id = 'org-gh'")).toEqual({ n: 0 });
    expect(await ws.db.get('SELECT COUNT(*) AS n FROM appointments')).toEqual({ n: 0 });
    expect(await ws.ids('organizations')).toEqual(['_root', 'org-sc']);
    // A forged change for the other organization's patient is refused.
    await ws.db.run(
      "INSERT INTO outbox (id, name, args, actor_id, created_at, changes, summary) VALUES ('forged-1', 'acknowledgeAlert', '{\"id\":\"al-1\"}', 'u-sam', ?, '[]', 'forged')",
      [NOW],
    );
    const s = await ws.sync.syncNow();
    expect(s.rejected.map((r) => r.id)).toContain('forged-1');
    expect(await srv.db.get("SELECT status FROM alerts WHERE id = 'al-1'")).toEqual({ status: 'open' });
  });

  it('answers malformed, oversized and unauthenticated requests with 400/413/401 and changes nothing', async () => {
    const ws = await workstation('ward-pc');
    const e = (await ws.sync.enrollment())!;
    const auth = `Device ${e.device_id}.${e.secret}`;
    const before = [await serverCount('mutations'), await serverCount('observations')];
    expect(await post(srv.url, '/v2/sync/push', '{"protocol": 2, "mutations": [', auth)).toMatchObject({
      status: 400,
      body: { error: { kind: 'invalid', message: 'The request body is not valid JSON.' } },
    });
    expect(await post(srv.url, '/v2/sync/push', { protocol: 1, mutations: [] }, auth)).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/protocol/) } },
    });
    expect(await post(srv.url, '/v2/sync/push', { protocol: 2, mutations: [{ id: 'x' }] }, auth)).toMatchObject({ status: 400 });
    expect(
      await post(srv.url, '/v2/sync/push', { protocol: 2, mutations: [], pad: 'x'.repeat(5 * 1024 * 1024) }, auth),
    ).toMatchObject({ status: 413, body: { error: { message: expect.stringMatching(/too large/) } } });
    expect(
      await post(srv.url, '/v2/sync/pull', { protocol: 2, cursor: null }, 'Device nope.xxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    ).toMatchObject({ status: 401, body: { error: { kind: 'unauthenticated' } } });
    expect(await post(srv.url, '/v2/sync/pull', { protocol: 2, cursor: null })).toMatchObject({ status: 401 });
    expect(
      await post(srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, 'Bearer expired-or-made-up-token-123456'),
    ).toMatchObject({ status: 401 });
    expect(await post(srv.url, '/v1/enroll', { protocol: 1, code: 'AAAA-BBBB-CCCC', name: 'x' })).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/not valid/) } },
    });
    expect([await serverCount('mutations'), await serverCount('observations')]).toEqual(before);
  });

  it('lets only an admin of the organization create enrollment codes, each used once', async () => {
    const nina = await bearer(srv.url, 'nina');
    expect((await post(srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, nina)).status).toBe(403);
    const ada = await bearer(srv.url, 'ada');
    const code = await post(srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', facility_id: 'fac-main' }, ada);
    expect(code.body).toMatchObject({
      code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/),
      facility_id: 'fac-main',
    });
    expect((await post(srv.url, '/v1/enroll', { protocol: 1, code: code.body.code, name: 'pc-1' })).status).toBe(200);
    expect((await post(srv.url, '/v1/enroll', { protocol: 1, code: code.body.code, name: 'pc-2' })).status).toBe(401);
  });
});
