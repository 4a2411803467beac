/**
 * Issue 20, finding 5, on both backends: revoking a workstation destroyed its unsent writes and audit
 * events (a vitals entry and three chart reads never reached the server), contradicting A4 ("never
 * purged"). Now an administrator either retires a workstation — it sends what is pending, then erases
 * its data — or revokes it as compromised — erased at once, and what it had not sent is named. In both,
 * the workstation's window and the administrator's view of its workstations say what happened to the
 * work saved there (docs/security.md, R1–R3).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { keyFilePath } from '../../electron/dbKey';
import { REVOKED_FILE } from '../../electron/shred';
import { realWorkstation, type RealWorkstation } from '../helpers/realWorkstation';
import { bearer, describeSync, post, syncFixture } from '../helpers/sync';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describeSync('retiring or revoking a workstation loses no work silently,', syncFixture, (t) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  /** Ward 3's PC: nina signed in online once, then, with the network down, recorded vitals and opened Alice's chart three times. */
  async function wardWithUnsentWork(): Promise<{ ward: RealWorkstation; deviceId: string; obsId: string }> {
    const ward = await realWorkstation(t.srv.url, t.dir, 'ward-3');
    closers.push(() => ward.close());
    await ward.ws.sync.syncNow();
    await ward.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    await ward.ws.sync.syncNow();
    ward.online = false;
    const obs = await ward.call('observations.record', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '97',
      unit: '/min',
    });
    for (let i = 0; i < 3; i++) expect((await ward.call('chart.open', { patientId: 'p-a' })).patient.name).toBe('Alice Patient');
    await ward.call('session.signOut');
    expect((await ward.ws.sync.status()).pending).toBe(1);
    return { ward, deviceId: (await ward.ws.sync.engine.enrollment())!.device_id, obsId: obs.id };
  }
  const chartReadsReceived = async (deviceId: string): Promise<number> =>
    Number(
      (await t.srv.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM device_audit WHERE device_id = ? AND actor = 'u-nina' AND action = 'read' AND resource = 'Patient:p-a'",
        [deviceId],
      ))!.n,
    );
  const observationOnServer = async (id: string): Promise<boolean> =>
    (await t.srv.db.get('SELECT 1 AS x FROM observations WHERE id = ?', [id])) !== undefined;
  const revoke = async (deviceId: string, body: Record<string, unknown>) =>
    post(t.srv.url, `/v1/devices/${deviceId}/revoke`, { protocol: 1, ...body }, await bearer(t.srv.url, 'ada'));
  const listed = async (deviceId: string) =>
    (
      await post(t.srv.url, '/v1/devices/list', { protocol: 1, org_id: 'org-gh' }, await bearer(t.srv.url, 'ada'))
    ).body.devices.find((d: { id: string }) => d.id === deviceId);
  const untilErased = async (ward: RealWorkstation): Promise<void> => {
    for (let i = 0; i < 100 && !ward.ws.revoked?.erased; i++) {
      await ward.ws.sync.syncNow().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(ward.ws.revoked?.erased).toBe(true);
  };
  const nothingReadableLeft = (dir: string): void => {
    expect(existsSync(keyFilePath(dir))).toBe(false);
    for (const file of allFiles(dir)) {
      const bytes = readFileSync(file);
      for (const secret of ['Alice Patient', 'GH-0001'])
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
    }
  };

  it('retire: the PC sends its unsent vitals entry and three chart reads, then erases its data; its window and the admin view say nothing was lost', async () => {
    const { ward, deviceId, obsId } = await wardWithUnsentWork();
    const readsBefore = await chartReadsReceived(deviceId);
    expect(await observationOnServer(obsId)).toBe(false);
    expect((await revoke(deviceId, { mode: 'retire', reason: 'Replaced by a new PC' })).status).toBe(200);
    expect(await listed(deviceId)).toMatchObject({
      revoke_mode: 'retire',
      retire_requested_at: expect.any(String),
      revoked_at: null,
    });
    // Sign-ins through it end at once; it may only send what it has.
    const e = (await ward.ws.sync.engine.enrollment())!;
    expect(
      await post(
        t.srv.url,
        '/v1/auth/sign-in',
        { protocol: 1, username: 'nina', password: TEST_PASSWORD },
        `Device ${e.device_id}.${e.secret}`,
      ),
    ).toMatchObject({ status: 401, body: { error: { details: { reason: 'device_retiring' } } } });
    ward.online = true;
    await untilErased(ward);
    expect(await observationOnServer(obsId)).toBe(true);
    expect((await chartReadsReceived(deviceId)) - readsBefore).toBe(3);
    expect(ward.ws.revoked).toMatchObject({
      mode: 'retired',
      unsent: { changes: [], audit_events: 0 },
      message: expect.stringMatching(
        /retired by an administrator \(Replaced by a new PC\)\. Everything saved here had reached the central server/,
      ),
    });
    expect((await ward.call('session.get')).workstation.revoked).toMatchObject({ mode: 'retired', unsent: { changes: [] } });
    nothingReadableLeft(ward.dir);
    expect(JSON.parse(readFileSync(path.join(ward.dir, REVOKED_FILE), 'utf8'))).toMatchObject({ mode: 'retired' });
    expect(await listed(deviceId)).toMatchObject({
      revoke_mode: 'retire',
      revoked_at: expect.any(String),
      received: { changes: 1, audit_events: expect.any(Number) },
      unsent: { trust: 'retiring', changes: [], audit_events: 0 },
    });
    // Its enrollment has ended: its credential opens nothing any more.
    expect(
      await post(t.srv.url, '/v2/sync/push', { protocol: 2, mutations: [] }, `Device ${e.device_id}.${e.secret}`),
    ).toMatchObject({
      status: 401,
      body: { error: { details: { reason: 'device_revoked' } } },
    });
    expect(
      Number(
        (await t.srv.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'workstation_retired'"))!.n,
      ),
    ).toBe(1);
  });

  it('retire: a change its author never confirmed cannot be sent; it is named — who, what, when — on the PC and in the admin view', async () => {
    const ward = await realWorkstation(t.srv.url, t.dir, 'ward-4');
    closers.push(() => ward.close());
    await ward.ws.sync.syncNow();
    await ward.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    await ward.ws.sync.syncNow();
    await ward.call('session.signOut');
    // Her first badge sign-in here, offline: her badge key is not confirmed yet, so this change waits for her.
    ward.online = false;
    await ward.call('session.signIn', { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    await ward.call('observations.record', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '66',
      unit: '/min',
    });
    await ward.call('session.signOut');
    ward.online = true;
    await ward.ws.sync.syncNow();
    expect((await ward.ws.sync.status()).held).toHaveLength(1);
    const deviceId = (await ward.ws.sync.engine.enrollment())!.device_id;
    expect((await revoke(deviceId, { mode: 'retire' })).status).toBe(200);
    await untilErased(ward);
    expect(ward.ws.revoked).toMatchObject({
      mode: 'retired',
      unsent: { changes: [{ what: 'Vitals or observation', who: 'Nina Nurse', at: expect.any(String) }], audit_events: 0 },
      message: expect.stringMatching(/1 change saved here had not reached the central server and could not be sent/),
    });
    expect(await listed(deviceId)).toMatchObject({
      unsent: {
        trust: 'retiring',
        changes: [
          {
            name: 'recordObservation',
            actor: 'u-nina',
            actor_name: 'Nina Nurse',
            summary: expect.stringMatching(/Alice Patient/),
            reason: expect.stringMatching(/not confirmed/),
          },
        ],
      },
    });
    nothingReadableLeft(ward.dir);
  });

  it('revoke as compromised: erased at once, nothing more is taken from it; what it had not sent is named on the PC and in the admin view', async () => {
    const { ward, deviceId, obsId } = await wardWithUnsentWork();
    const e = (await ward.ws.sync.engine.enrollment())!;
    const readsBefore = await chartReadsReceived(deviceId);
    expect((await revoke(deviceId, { reason: 'Stolen from ward 3' })).status).toBe(200);
    ward.online = true;
    await untilErased(ward);
    expect(await observationOnServer(obsId)).toBe(false);
    expect(await chartReadsReceived(deviceId)).toBe(readsBefore);
    expect(ward.ws.revoked).toMatchObject({
      mode: 'revoked',
      unsent: { changes: [{ what: 'Vitals or observation', who: 'Nina Nurse' }], audit_events: expect.any(Number) },
      message: expect.stringMatching(
        /Stolen from ward 3.*1 change and \d+ audit events saved here had not reached the central server/,
      ),
    });
    expect(ward.ws.revoked!.unsent!.audit_events).toBeGreaterThanOrEqual(3);
    nothingReadableLeft(ward.dir);
    const d = await listed(deviceId);
    expect(d).toMatchObject({
      revoke_mode: 'compromised',
      unsent: {
        trust: 'after_revocation',
        changes: [{ name: 'recordObservation', actor: 'u-nina', actor_name: 'Nina Nurse' }],
        audit_events: ward.ws.revoked!.unsent!.audit_events,
      },
    });
    // Taken once: whoever holds the credential cannot rewrite it.
    const again = await post(
      t.srv.url,
      '/v1/devices/unsent',
      { protocol: 1, unsent: { changes: [], audit_events: 0, audit_from_seq: null } },
      `Device ${e.device_id}.${e.secret}`,
    );
    expect(again.status).toBe(200);
    expect((await listed(deviceId)).unsent.changes).toHaveLength(1);
  });
});
