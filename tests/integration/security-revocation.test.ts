/**
 * Issue 13, finding 3, on both backends: there was no way to revoke a workstation or an enrollment
 * code (a 72-hour code still enrolled a workstation after its creator lost the admin role). Now an
 * organization admin revokes a workstation from the admin view, the API or the CLI; its next request
 * gets 401 and it crypto-shreds its cache, keeping nothing readable and saying why (docs/security.md, T3).
 */
import { newAuditKeyPair } from '../../src/store/auditSignature';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { SystemConfigSchema } from '../../electron/config';
import { keyFilePath, workstationDbKey } from '../../electron/dbKey';
import { sessionInfo } from '../../electron/handlers';
import { REVOKED_FILE } from '../../electron/shred';
import { openWorkstation, workstationDbPath, type Workstation } from '../../electron/workstation';
import { ManualClock } from '../../src/domain/time';
import { bearer, describeSync, NOW, post, syncFixture, withPeople } from '../helpers/sync';
import { keyStore, realWorkstation as enrolledRealWorkstation, type RealWorkstation } from '../helpers/realWorkstation';
import { TEST_PASSWORD } from '../helpers/workstation';

const ROOT = path.resolve(__dirname, '../..');

async function cli(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** The small hospital plus a second administrator, whose right to enroll workstations is taken away in a test. */
function revocationFixture(): Record<string, unknown> {
  return withPeople(
    syncFixture(),
    [{ id: 'u-admin2', org: 'org-gh', name: 'Adam Admin', username: 'adam' }],
    [{ id: 'ra-adam', user: 'u-admin2', role: 'admin', scope: 'Organization:org-gh' }],
  );
}

describeSync('revocation', revocationFixture, (t) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  /** A real workstation (composition root, encrypted database, key file) enrolled with the test server. */
  async function realWorkstation(name: string): Promise<RealWorkstation> {
    const w = await enrolledRealWorkstation(t.srv.url, t.dir, name);
    closers.push(() => w.close());
    return w;
  }

  /** The first sign-in of a user new to the workstation: the server records them, a sync brings their data. */
  async function firstSignIn(
    w: { ws: Workstation; call: (c: string, r?: unknown) => Promise<any> },
    username: string,
  ): Promise<void> {
    await w.call('session.signIn', { method: 'password', username, password: TEST_PASSWORD }).catch(() => undefined);
    await w.ws.sync.syncNow();
    await w.call('session.signIn', { method: 'password', username, password: TEST_PASSWORD });
  }

  it('an admin revokes a workstation from the admin view: its next request gets 401 and it erases its cache, saying why', async () => {
    const ward = await realWorkstation('ward-3');
    await firstSignIn(ward, 'nina');
    expect((await ward.call('chart.open', { patientId: 'p-a' })).patient.name).toBe('Alice Patient');
    const wardId = (await ward.ws.sync.engine.enrollment())!.device_id;

    const office = await realWorkstation('admin-office');
    await firstSignIn(office, 'ada');
    const listed = await office.call('workstations.list', { orgId: 'org-gh' });
    expect(listed.devices.map((d: { name: string }) => d.name).sort()).toEqual(['admin-office', 'ward-3']);
    expect(listed.devices.find((d: { id: string }) => d.id === wardId)).toMatchObject({
      revoked_at: null,
      signed_audit: true,
      this_workstation: false,
    });
    // A nurse may not (the admin view is refused before anything reaches the server).
    await expect(ward.call('workstations.list', { orgId: 'org-gh' })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(ward.call('workstations.revoke', { deviceId: wardId })).rejects.toMatchObject({ kind: 'forbidden' });
    await ward.call('session.signOut');
    await office.call('workstations.revoke', { deviceId: wardId, reason: 'PC stolen from ward 3' });
    expect(
      (await office.call('workstations.list', { orgId: 'org-gh' })).devices.find((d: { id: string }) => d.id === wardId),
    ).toMatchObject({ revoked_by: 'u-admin', revoke_reason: 'PC stolen from ward 3' });

    // Its next request: 401 with the reason, and the cache is erased.
    const e = (await ward.ws.sync.engine.enrollment())!;
    expect(
      await post(t.srv.url, '/v2/sync/pull', { protocol: 2, cursor: null }, `Device ${e.device_id}.${e.secret}`),
    ).toMatchObject({
      status: 401,
      body: {
        error: { kind: 'unauthenticated', message: expect.stringMatching(/revoked/), details: { reason: 'device_revoked' } },
      },
    });
    // What the window is told when the revocation signs everyone out (main pushes it on every change).
    const pushed: Array<Awaited<ReturnType<typeof sessionInfo>>> = [];
    ward.ws.session.onChange(() => void sessionInfo(ward.ws).then((i) => pushed.push(i)));
    await ward.ws.sync.syncNow().catch(() => undefined);
    // Erasing runs after the answer; a busy machine takes longer, so wait generously (no stopwatch).
    for (let i = 0; i < 1200 && !ward.ws.revoked?.erased; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ward.ws.revoked).toMatchObject({
      erased: true,
      message: expect.stringMatching(/revoked by an administrator.*PC stolen from ward 3/),
    });
    // Already saying why (before: the sign-out was pushed before the revocation was known, so the
    // window showed "Sign in" — the end-to-end test's other flake on a busy machine).
    expect(pushed.length).toBeGreaterThan(0);
    for (const info of pushed)
      expect(info).toMatchObject({
        status: 'signed_out',
        workstation: { revoked: { message: expect.stringMatching(/revoked/) } },
      });
    expect(existsSync(keyFilePath(ward.dir))).toBe(false);
    for (const f of ['workstation.db', 'workstation.db-wal', 'workstation.db-shm'])
      expect(existsSync(path.join(ward.dir, f))).toBe(false);
    // Nothing readable is left: no file of the data folder holds a patient's name or MRN.
    for (const file of allFiles(ward.dir)) {
      const bytes = readFileSync(file);
      for (const secret of ['Alice Patient', 'GH-0001', 'Bob Builder']) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} in ${file}`).toBe(false);
      }
    }
    expect(JSON.parse(readFileSync(path.join(ward.dir, REVOKED_FILE), 'utf8'))).toMatchObject({
      device_id: wardId,
      message: expect.stringMatching(/revoked/),
    });
    // The window says why, and nothing else works.
    expect(await ward.call('session.get')).toMatchObject({
      status: 'signed_out',
      user: null,
      workstation: { revoked: { message: expect.stringMatching(/revoked/) } },
    });
    await expect(
      ward.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringMatching(/revoked/) });
    // Started again: an empty, unenrolled workstation that still says why until IT enrolls it again.
    const dir = ward.dir;
    const key = workstationDbKey(dir, workstationDbPath(dir), keyStore());
    expect(key.event).toBe('created');
    const reopened = await openWorkstation({
      config: SystemConfigSchema.parse({ workstationName: 'ward-3' }),
      configFile: null,
      dataDir: dir,
      clock: new ManualClock(NOW),
      dbKey: key.key,
      autoSync: false,
    });
    closers.push(() => reopened.close());
    expect(await reopened.sync.engine.enrollment()).toBeNull();
    expect(reopened.revoked).toMatchObject({ message: expect.stringMatching(/revoked/), erased: false });
    expect(Number((await reopened.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients'))!.n)).toBe(0);
  });

  it("revokes from the API and the CLI; only the organization's admins may, and the revocation is audited", async () => {
    const a = await t.workstation('pc-a');
    const b = await t.workstation('pc-b');
    const idA = (await a.sync.enrollment())!.device_id;
    const idB = (await b.sync.enrollment())!.device_id;
    expect((await post(t.srv.url, `/v1/devices/${idA}/revoke`, { protocol: 1 }, await bearer(t.srv.url, 'nina'))).status).toBe(
      404,
    );
    expect(
      (await post(t.srv.url, '/v1/devices/list', { protocol: 1, org_id: 'org-gh' }, await bearer(t.srv.url, 'nina'))).status,
    ).toBe(403);
    expect(
      (await post(t.srv.url, '/v1/devices/list', { protocol: 1, org_id: 'org-sc' }, await bearer(t.srv.url, 'ada'))).status,
    ).toBe(404);
    expect(
      (await post(t.srv.url, `/v1/devices/${idA}/revoke`, { protocol: 1, reason: 'retired' }, await bearer(t.srv.url, 'ada')))
        .status,
    ).toBe(200);
    await expect(a.sync.syncNow()).resolves.toMatchObject({ mode: 'offline', last_error: expect.stringMatching(/revoked/) });
    const env = { ADMIN_PASSWORD: TEST_PASSWORD };
    const list = await cli('revokeWorkstation.ts', ['--server', t.srv.url, '--user', 'ada', '--list'], env);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`revoked  ${idA}  pc-a .*revoked .* by u-admin: retired`));
    expect(list.out).toMatch(new RegExp(`active   ${idB}  pc-b`));
    const revoke = await cli(
      'revokeWorkstation.ts',
      ['--server', t.srv.url, '--user', 'ada', '--device', idB, '--reason', 'moved'],
      env,
    );
    expect(revoke).toMatchObject({ code: 0, out: expect.stringContaining(`Revoked ${idB}`) });
    expect((await b.sync.syncNow()).last_error).toMatch(/revoked/);
    expect((await cli('revokeWorkstation.ts', ['--server', t.srv.url, '--user', 'nina', '--device', idB], env)).code).toBe(1);
    const audited = await t.srv.db.all<{ actor: string; resource: string; decision: string }>(
      "SELECT actor, resource, decision FROM audit_events WHERE action = 'revoke_workstation' ORDER BY seq",
    );
    expect(audited).toEqual(
      expect.arrayContaining([
        { actor: 'u-admin', resource: `Device:${idA}`, decision: 'allow' },
        { actor: 'u-admin', resource: `Device:${idB}`, decision: 'allow' },
        { actor: 'u-nina', resource: `Device:${idA}`, decision: 'forbidden' },
      ]),
    );
  }, 60_000);

  it('enrollment codes can be revoked, and stop working when their creator loses the right to make them', async () => {
    const ada = await bearer(t.srv.url, 'ada');
    const adam = await bearer(t.srv.url, 'adam');
    const revoked = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', valid_hours: 72 }, ada);
    const orphaned = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', valid_hours: 72 }, adam);
    const fine = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', valid_hours: 72 }, ada);
    expect(revoked.body.id).toMatch(/^ec-/);
    expect(
      (await post(t.srv.url, `/v1/enrollment-codes/${revoked.body.id}/revoke`, { protocol: 1 }, await bearer(t.srv.url, 'nina')))
        .status,
    ).toBe(404);
    expect((await post(t.srv.url, `/v1/enrollment-codes/${revoked.body.id}/revoke`, { protocol: 1 }, ada)).status).toBe(200);
    // Adam stops being an administrator (another admin removes the role).
    expect((await post(t.srv.url, '/v1/mutations/revokeRole', { id: 'ra-adam' }, ada)).status).toBe(200);
    const enroll = (code: string) =>
      post(t.srv.url, '/v1/enroll', { protocol: 1, code, name: 'x', public_key: newAuditKeyPair().publicKey });
    const refused = {
      status: 401,
      body: { error: { message: expect.stringMatching(/not valid: it is wrong, expired, revoked or already used/) } },
    };
    expect(await enroll(revoked.body.code)).toMatchObject(refused);
    expect(await enroll(orphaned.body.code)).toMatchObject(refused);
    const list = await post(t.srv.url, '/v1/enrollment-codes/list', { protocol: 1, org_id: 'org-gh' }, ada);
    const status = Object.fromEntries(list.body.codes.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(status).toMatchObject({
      [revoked.body.id]: 'revoked',
      [orphaned.body.id]: 'creator_lost_right',
      [fine.body.id]: 'usable',
    });
    expect((await enroll(fine.body.code)).status).toBe(200);
    // The CLI lists and revokes codes too.
    const another = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, ada);
    const env = { ENROLL_PASSWORD: TEST_PASSWORD };
    expect(
      (await cli('enrollmentCode.ts', ['--server', t.srv.url, '--user', 'ada', '--revoke', another.body.id], env)).code,
    ).toBe(0);
    const listed = await cli('enrollmentCode.ts', ['--server', t.srv.url, '--user', 'ada', '--list'], env);
    expect(listed.out).toMatch(new RegExp(`revoked\\s+${another.body.id}`));
    expect(await enroll(another.body.code)).toMatchObject(refused);
  }, 60_000);

  it("the admin's unlock in the workstation's admin view lifts the backoff on the server too", async () => {
    const office = await realWorkstation('admin-office');
    await firstSignIn(office, 'ada');
    const engine = office.ws.sync.engine;
    for (let i = 0; i < 5; i++) expect((await engine.signInOnline('nina', 'wrong-wrong-1')).outcome).toBe('rejected');
    // Paused from this workstation (no verdict on the password: the workstation would decide offline).
    expect((await engine.signInOnline('nina', TEST_PASSWORD)).outcome).toBe('throttled');
    await office.call('admin.resetLockout', { userId: 'u-nina' });
    expect((await engine.signInOnline('nina', TEST_PASSWORD)).outcome).toBe('ok');
    expect(await t.srv.db.get("SELECT actor FROM audit_events WHERE action = 'reset_lockout' AND origin IS NULL")).toEqual({
      actor: 'u-admin',
    });
  });
});
