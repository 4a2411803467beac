/**
 * Issue 20, finding 1, the other side: with every change signed by its author (docs/security.md,
 * P1–P3), a nurse's own work still flows, offline included, and nothing she saved is lost. Changes
 * the server cannot take as hers yet are kept (not undone) and say what they wait for; administrative
 * changes are made online with a fresh sign-in; root leaves nothing usable behind. Both backends.
 */
import { afterEach, expect, it } from 'vitest';
import { realWorkstation, type RealWorkstation } from '../helpers/realWorkstation';
import { describeSync, enrolledWorkstation, NOW, syncFixture, type TestWorkstation } from '../helpers/sync';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';

const HOUR = 3_600_000;

describeSync("a nurse's signed work", syncFixture, (t) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  const wardPc = async (): Promise<TestWorkstation> => {
    const ws = await enrolledWorkstation(t.srv.url, 'ward-pc', t.dir, 'ada', 'org-gh');
    closers.push(() => ws.close());
    await ws.signIn('nina');
    await ws.sync.syncNow();
    return ws;
  };
  const real = async (name: string): Promise<RealWorkstation> => {
    const w = await realWorkstation(t.srv.url, t.dir, name);
    closers.push(() => w.close());
    return w;
  };
  const vitals = (value: string) => ({ patient_id: 'p-a', category: 'vitals', code: 'heart_rate', value, unit: '/min' });
  const onServer = async (id: string): Promise<boolean> =>
    (await t.srv.db.get('SELECT 1 AS x FROM observations WHERE id = ?', [id])) !== undefined;
  const later = (ws: TestWorkstation, hours: number): void => {
    const at = new Date(Date.parse(NOW) + hours * HOUR);
    t.srv.clock.set(at);
    ws.base.set(at);
  };

  it('signs a change saved offline with the key her password unlocked at the offline sign-in; it arrives', async () => {
    const ws = await wardPc();
    ws.online = false;
    ws.keys.forgetAll(); // she signed out; now she signs in again while the server cannot be reached
    await ws.signInOffline({ method: 'password', username: 'nina', password: TEST_PASSWORD });
    const obs = await ws.run('u-nina', 'recordObservation', vitals('84'));
    expect(
      JSON.parse((await ws.db.get<{ proof: string }>('SELECT proof FROM outbox WHERE status = ?', ['pending']))!.proof),
    ).toEqual({
      key: expect.any(String),
      signature: expect.any(String),
    });
    ws.online = true;
    const s = await ws.sync.syncNow();
    expect(s).toMatchObject({ pending: 0, rejected: [], held: [] });
    expect(await onServer(obs.id)).toBe(true);
  });

  it('badge and PIN: accepted for 12 hours after her last password sign-in there; later ones wait, kept, until she signs in with her password', async () => {
    const ws = await wardPc();
    ws.keys.forgetAll();
    // Her first badge sign-in here makes her badge key; the server has not confirmed it yet.
    await ws.signInOffline({ method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    const first = await ws.run('u-nina', 'recordObservation', vitals('81'));
    let s = await ws.sync.syncNow();
    expect(s.held).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        reason: expect.stringMatching(/has not confirmed .* signs in on this workstation/),
      }),
    ]);
    expect(s.pending).toBe(1);
    expect(await ws.ids('observations')).toContain(first.id); // kept here, not undone
    expect(await onServer(first.id)).toBe(false);
    // Her next password sign-in (online) confirms her badge key and signs what waited with her password key.
    await ws.signIn('nina');
    s = await ws.sync.syncNow();
    expect(s).toMatchObject({ pending: 0, held: [], rejected: [] });
    expect(await onServer(first.id)).toBe(true);
    // Within 12 hours, badge sign-ins sign on their own.
    later(ws, 11);
    ws.keys.forgetAll();
    await ws.signInOffline({ method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    const second = await ws.run('u-nina', 'recordObservation', vitals('82'));
    expect((await ws.sync.syncNow()).pending).toBe(0);
    expect(await onServer(second.id)).toBe(true);
    // After that, a PIN (guessable by whoever holds the disk) no longer signs for her: the change waits.
    later(ws, 13);
    const third = await ws.run('u-nina', 'recordObservation', vitals('83'));
    s = await ws.sync.syncNow();
    expect(s.held).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/more than 12 hours after .* password sign-in/) }),
    ]);
    expect(await onServer(third.id)).toBe(false);
    await ws.signInOffline({ method: 'password', username: 'nina', password: TEST_PASSWORD });
    expect((await ws.sync.syncNow()).pending).toBe(0);
    expect(await onServer(third.id)).toBe(true);
  });

  it('a change saved before the update (no signature) waits with a sentence, is never undone, and is sent once its author signs in with her password', async () => {
    const ws = await wardPc();
    ws.keys.forgetAll(); // as the earlier version saved it: no key, no signature
    const old = await ws.run('u-nina', 'recordObservation', vitals('79'));
    expect(await ws.db.get('SELECT proof FROM outbox WHERE status = ?', ['pending'])).toEqual({ proof: null });
    let s = await ws.sync.syncNow();
    expect(s.held).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/no signature of Nina Nurse.*signs in on this workstation with their password/),
      }),
    ]);
    expect(await ws.ids('observations')).toContain(old.id);
    expect(await onServer(old.id)).toBe(false);
    await ws.signInOffline({ method: 'password', username: 'nina', password: TEST_PASSWORD });
    s = await ws.sync.syncNow();
    expect(s).toMatchObject({ pending: 0, held: [], rejected: [] });
    expect(await onServer(old.id)).toBe(true);
  });

  it('administrative changes are made online with a fresh sign-in, never queued; offline the window says they need a connection', async () => {
    const office = await real('admin-office');
    await office.ws.sync.syncNow();
    await office.call('session.signIn', { method: 'password', username: 'ada', password: TEST_PASSWORD });
    await office.ws.sync.syncNow();
    expect(await office.call('admin.updateBadge', { user_id: 'u-nora', badge: 'NORA-0001' })).toMatchObject({ id: 'u-nora' });
    expect(await t.srv.db.get("SELECT badge FROM users WHERE id = 'u-nora'")).toEqual({ badge: 'NORA-0001' });
    expect(await office.ws.db.get("SELECT badge FROM users WHERE id = 'u-nora'")).toEqual({ badge: 'NORA-0001' });
    expect(await office.ws.db.all('SELECT id FROM outbox')).toEqual([]);
    // Offline: refused with the reason, nothing queued.
    office.online = false;
    await expect(office.call('admin.updateBadge', { user_id: 'u-nora', badge: 'NORA-0002' })).rejects.toMatchObject({
      message: expect.stringMatching(/needs a connection to the central server/),
    });
    await expect(
      office.call('admin.createUser', {
        org_id: 'org-gh',
        name: 'New Nurse',
        username: 'newnurse',
        password: 'a-long-password-1',
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/needs a connection/) });
    expect(await office.ws.db.all('SELECT id FROM outbox')).toEqual([]);
    // A server sign-in older than its 15 minutes is not fresh: sign in again.
    office.online = true;
    for (let i = 0; i < 4; i++) {
      office.clock.advanceMinutes(4);
      await office.call('session.activity');
    }
    await expect(office.call('admin.updateBadge', { user_id: 'u-nora', badge: 'NORA-0003' })).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    expect(await t.srv.db.get("SELECT badge FROM users WHERE id = 'u-nora'")).toEqual({ badge: 'NORA-0001' });
  });

  it("root's session leaves no usable trace: no stored key or credential, nothing queued, its server sign-in forgotten at sign-out", async () => {
    const ward = await real('ward-root');
    await ward.ws.sync.syncNow();
    await ward.call('session.signIn', { method: 'password', username: 'root', password: TEST_PASSWORD });
    expect((await ward.call('session.get')).is_root).toBe(true);
    await ward.call('session.signOut');
    expect(() => ward.ws.serverTokens.bearer('root')).toThrow(/sign in again/);
    expect(await ward.ws.db.all("SELECT user_id FROM user_keys WHERE user_id = 'root'")).toEqual([]);
    expect(await ward.ws.db.all("SELECT user_id FROM credentials WHERE user_id = 'root'")).toEqual([]);
    expect(await ward.ws.db.all("SELECT id FROM outbox WHERE actor_id = 'root'")).toEqual([]);
    // Its key was registered as a session key and signs nothing the server would take as a change.
    expect(await t.srv.db.all("SELECT kind FROM device_user_keys WHERE user_id = 'root'")).toEqual([{ kind: 'session' }]);
  });
});
