/**
 * What a workstation holds, over sync on both backends: the rows its users may read and only those,
 * fields none of them may see left blank, credentials only of its own users, nothing of another
 * organization; data that leaves with a shift or a break-glass window; SPEC §3a labels and
 * restrictions (the server's scope is the policy's `read` filter for the workstation's users).
 */
import { expect, it } from 'vitest';
import { hashSecret, TEST_COST } from '../../src/domain/secretHash';
import { verifyCredentials } from '../../src/services/signIn';
import {
  describeSync,
  syncFixture,
  shiftFixture,
  sensitiveFixture,
  internalNotes,
  bearer,
  post,
  NOW,
  type TestWorkstation,
} from '../helpers/sync';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';

describeSync('what a workstation holds', syncFixture, (t) => {
  it('brings a workstation the data its users may read, and only that', async () => {
    const ws = await t.workstation('ward-pc');
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

  it("never gives a workstation of one organization another's rows", async () => {
    const sun = await t.workstation('sunrise-pc', { org: 'org-sc', admin: 'ada' }).catch((e: Error) => e);
    expect(sun).toBeInstanceOf(Error);
    await t.srv.db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-sc-admin', 'org-sc', 'Sunny Admin', 'sunny')");
    await t.srv.db.run(
      "INSERT INTO role_assignments (id, user_id, role, scope_type, scope_id, org_id, categories) VALUES ('ra-sc-admin', 'u-sc-admin', 'admin', 'Organization', 'org-sc', 'org-sc', '[]')",
    );
    await t.srv.db.run(
      "INSERT INTO credentials (user_id, password_hash, failed_attempts, updated_at) SELECT 'u-sc-admin', password_hash, 0, updated_at FROM credentials WHERE user_id = 'u-nina'",
    );
    const ws = await t.workstation('sunrise-pc', { org: 'org-sc', admin: 'sunny' });
    await ws.signIn('sam');
    await ws.signIn('sunny');
    await expect(ws.signIn('nina')).rejects.toThrow(/rejected/);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual(['p-sc']);
    expect(await ws.db.get("SELECT COUNT(*) AS n FROM users WHERE org_id = 'org-gh'")).toEqual({ n: 0 });
    expect(await ws.db.get('SELECT COUNT(*) AS n FROM appointments')).toEqual({ n: 0 });
    expect(await ws.ids('organizations')).toEqual(['_root', 'org-sc']);
    // A forged change for the other organization's patient is refused, even signed by a user of this one.
    await ws.db.run(
      "INSERT INTO outbox (id, name, args, actor_id, created_at, changes, summary) VALUES ('forged-1', 'acknowledgeAlert', '{\"id\":\"al-1\"}', 'u-sc-nurse', ?, '[]', 'forged')",
      [NOW],
    );
    await ws.keys.confirmPending('u-sc-nurse');
    const s = await ws.sync.syncNow();
    expect(
      s.rejected.map((r) => r.id),
      JSON.stringify(s),
    ).toContain('forged-1');
    expect(await t.srv.db.get("SELECT status FROM alerts WHERE id = 'al-1'")).toEqual({ status: 'open' });
  });
});

describeSync('what a workstation holds through shifts', shiftFixture, (t) => {
  it('finding 1: internal notes travel only where a user may read them, arrive when one signs in, and leave with the last one', async () => {
    const ward = await t.workstation('ward-pc');
    await ward.signIn('nina');
    await ward.sync.syncNow();
    // Nina may read Alice's records, not their internal notes: the notes never reach the device.
    expect((await ward.ids('records')).sort()).toEqual(['rec-2', 'rec-l1']);
    expect(await internalNotes(ward, 'rec-2')).toBe('');
    expect(await internalNotes(ward, 'rec-l1')).toBe('');
    expect(JSON.stringify(t.pulledRows(ward, 0))).not.toMatch(/NSTEMI|alcohol/);

    // The locum examined Alice (a completed appointment): when he signs in here, the internal notes
    // of her records arrive on the next cycle.
    await ward.signIn('locum');
    await ward.sync.syncNow();
    expect(await internalNotes(ward, 'rec-l1')).toBe('Locum: query alcohol use.');
    expect(await internalNotes(ward, 'rec-2')).toBe('Suspect NSTEMI.');

    // His shift ends at 11:00 and he has no other reason to be here: he leaves the workstation, his
    // credentials leave its cache, and the notes only he could read are purged.
    expect((await ward.db.all('SELECT user_id FROM credentials ORDER BY user_id')).map((r: any) => r.user_id)).toEqual([
      'u-locum',
      'u-nina',
    ]);
    t.srv.clock.set('2026-11-23T11:05:00Z');
    await ward.sync.syncNow();
    expect(await internalNotes(ward, 'rec-l1')).toBe('');
    expect(await internalNotes(ward, 'rec-2')).toBe('');
    expect((await ward.db.all('SELECT user_id FROM credentials ORDER BY user_id')).map((r: any) => r.user_id)).toEqual([
      'u-nina',
    ]);
    await expect(
      verifyCredentials({ db: ward.db, clock: ward.clock }, { method: 'password', username: 'locum', password: TEST_PASSWORD }),
    ).rejects.toThrow(/incorrect/);
  });

  it("finding 1: a patient's own workstation gets her records without their internal notes; badge ids only to self and admins", async () => {
    const home = await t.workstation('kiosk');
    await home.signIn('alice');
    await home.sync.syncNow();
    expect(await home.ids('records')).toContain('rec-2');
    expect(await internalNotes(home, 'rec-2')).toBe('');
    expect(JSON.stringify(t.pulledRows(home, 0))).not.toMatch(/NSTEMI/);

    const ward = await t.workstation('ward-pc');
    await ward.signIn('nina');
    await ward.sync.syncNow();
    const badges = async (ws: TestWorkstation) =>
      Object.fromEntries(
        (await ws.db.all<{ id: string; badge: string | null }>('SELECT id, badge FROM users WHERE badge IS NOT NULL')).map(
          (u) => [u.id, u.badge],
        ),
      );
    expect(await t.asUser('ada', 'updateBadge', { user_id: 'u-nora', badge: 'NORA-0042' })).toMatchObject({ status: 200 });
    await ward.sync.syncNow();
    expect(await badges(ward)).toEqual({ 'u-nina': '04A1B2C3' });
    expect(await badges(home)).toEqual({});
    const office = await t.workstation('admin-pc');
    await office.signIn('ada');
    await office.sync.syncNow();
    expect(await badges(office)).toEqual({ 'u-nina': '04A1B2C3', 'u-nora': 'NORA-0042' });
  });

  it("finding 7: root's credentials never stay on a clinical workstation; a changed PIN reaches it and the old one stops working offline", async () => {
    const ward = await t.workstation('ward-pc');
    await ward.signIn('root');
    await ward.signIn('nina');
    // A workstation of an older version had cached root's hash.
    await ward.sync.syncNow();
    expect(await ward.db.get("SELECT user_id FROM credentials WHERE user_id = 'root'")).toBeUndefined();
    const hash = await hashSecret('old-root-password', TEST_COST);
    await ward.db.run(
      "INSERT INTO credentials (user_id, password_hash, pin_hash, failed_attempts, locked_until, updated_at) VALUES ('root', ?, NULL, 0, NULL, ?)",
      [hash, NOW],
    );
    await ward.sync.syncNow();
    expect(await ward.db.get("SELECT user_id FROM credentials WHERE user_id = 'root'")).toBeUndefined();
    await expect(
      verifyCredentials(
        { db: ward.db, clock: ward.clock },
        { method: 'password', username: 'root', password: 'old-root-password' },
      ),
    ).rejects.toThrow(/incorrect/);

    // Nina's PIN changes on the server; after the next cycle only the new one works offline.
    const offline = { db: ward.db, clock: ward.clock };
    await verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    expect(
      (await t.asUser('ada', 'setSecrets', { user_id: 'u-nina', pin_hash: await hashSecret('9753', TEST_COST) })).status,
    ).toBe(200);
    await ward.sync.syncNow();
    ward.online = false;
    await expect(verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN })).rejects.toThrow(/incorrect/);
    await expect(verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: '9753' })).resolves.toMatchObject({
      id: 'u-nina',
    });
  });

  it('a shift that ends and a break-glass window that closes take their data away without any other change', async () => {
    const ws = await t.workstation('float-pc');
    await ws.signIn('sue');
    await ws.signIn('lee');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toContain('p-b');
    t.srv.clock.set('2026-11-23T10:31:00Z');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).not.toContain('p-b');
    // Dr. Lee breaks the glass for Bob (surgery ward): Bob's chart comes while the window lasts.
    expect((await t.asUser('lee', 'breakGlass', { patient_id: 'p-b', reason: 'Cardiac arrest in the corridor' })).status).toBe(
      200,
    );
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toContain('p-b');
    expect(await ws.ids('alerts')).toContain('al-2');
    t.srv.clock.set('2026-11-23T11:40:00Z');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).not.toContain('p-b');
    expect(await ws.ids('alerts')).not.toContain('al-2');
  });
});

describeSync('sensitive data over sync', sensitiveFixture, (t) => {
  it('a labelled record or observation stays on the server until a cleared user signs in at the workstation', async () => {
    const ws = await t.workstationWith('ward-pc', 'nina');
    expect(await ws.ids('patients')).toEqual(['p-a']);
    expect(await ws.ids('records')).toEqual(['rec-1']);
    expect(await ws.ids('observations')).toEqual(['obs-1']);
    expect(JSON.stringify(await ws.db.all('SELECT * FROM records'))).not.toMatch(/Antiretroviral|Mood stable/);

    await ws.signIn('nora');
    await ws.sync.syncNow();
    expect(await ws.ids('records')).toEqual(['rec-1', 'rec-hiv']);
    expect(await ws.ids('observations')).toEqual(['obs-1', 'obs-hiv']);
    // The psychiatry record needs a psychiatry clearance: neither of them has it.
    expect(await ws.ids('records')).not.toContain('rec-psy');
  });

  it('a labelled amendment of an unlabelled record travels only with a cleared user; the record itself still syncs', async () => {
    const brown = await bearer(t.srv.url, 'brown');
    const amended = await post(
      t.srv.url,
      '/v1/mutations/amendRecord',
      { record_id: 'rec-1', public_notes: 'ECG taken; HIV status relevant to drug choice.', sensitivity: 'hiv' },
      brown,
    );
    expect(amended.status).toBe(200);
    const ws = await t.workstationWith('ward-pc', 'nina');
    expect(await ws.sync.status()).toMatchObject({ mode: 'online', last_error: null });
    expect(await ws.ids('records')).toEqual(['rec-1']);
    await ws.signIn('nora');
    await ws.sync.syncNow();
    expect(await ws.ids('records')).toEqual([amended.body.result.id, 'rec-1', 'rec-hiv'].sort());
  });

  it('a restricted patient reaches only a workstation where a user who may read them signed in', async () => {
    const ward = await t.workstationWith('ward-pc', 'nina', 'nora');
    expect(await ward.ids('patients')).toEqual(['p-a']);
    expect(await ward.ids('alerts')).toEqual(['al-a']);
    const desk = await t.workstationWith('front-desk', 'rita');
    expect(await desk.ids('patients')).toEqual(['p-a', 'p-b', 'p-c']);
    const vip = await t.workstationWith('vip-desk', 'rosa');
    expect(await vip.ids('patients')).toEqual(['p-a', 'p-b', 'p-c', 'p-v']);
    expect(await vip.ids('appointments')).toContain('ap-v');
    // His clinician's workstation holds him through the appointment (a way in §3a leaves unchanged).
    const clinic = await t.workstationWith('exam-room', 'brown');
    expect(await clinic.ids('patients')).toEqual(['p-a', 'p-v']);
    expect(await clinic.ids('observations')).not.toContain('obs-v');
  });

  it('marking a patient restricted purges them from workstations whose users are no longer covered', async () => {
    const desk = await t.workstationWith('front-desk', 'rita');
    expect(await desk.ids('patients')).toContain('p-b');
    const rosa = await bearer(t.srv.url, 'rosa');
    expect((await post(t.srv.url, '/v1/mutations/setPatientRestricted', { id: 'p-b', restricted: true }, rosa)).status).toBe(200);
    await desk.sync.syncNow();
    expect(await desk.ids('patients')).toEqual(['p-a', 'p-c']);
    expect(await desk.ids('appointments')).not.toContain('ap-b');
  });

  it('the user a patient restricts brings nothing of that patient to their workstation; break-glass does', async () => {
    const ws = await t.workstationWith('ward-pc-2', 'eli');
    expect(await ws.ids('patients')).toEqual([]);
    expect(await ws.ids('records')).toEqual([]);
    const eli = await bearer(t.srv.url, 'eli');
    expect(
      (await post(t.srv.url, '/v1/mutations/breakGlass', { patient_id: 'p-a', reason: 'Patient collapsed in the corridor' }, eli))
        .status,
    ).toBe(200);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual(['p-a']);
    expect(await ws.ids('records')).toEqual(['rec-1', 'rec-hiv', 'rec-psy']);
  });

  it('finding 3: a consent restriction travels only where the user it names signs in or someone may see it', async () => {
    // Nina may not update Alice: the restriction naming Eli stays on the server.
    const ward = await t.workstationWith('ward-pc', 'nina');
    expect(await ward.ids('patients')).toEqual(['p-a']);
    expect(await ward.ids('consent_restrictions')).toEqual([]);
    expect(JSON.stringify(t.pulledRows(ward, 0))).not.toContain('does not want');
    expect(t.pulledRows(ward, 0).some((r: { table: string }) => r.table === 'consent_restrictions')).toBe(false);
    // Rita may update Alice: it travels with its reason.
    const desk = await t.workstationWith('front-desk', 'rita');
    expect(await desk.db.all('SELECT id, reason FROM consent_restrictions')).toEqual([
      { id: 'cr-1', reason: 'Patient does not want a relative who works here to see her chart' },
    ]);
    // Eli signs in where Alice is held: the deny is there before his first pull, and stays after it.
    await ward.signIn('eli');
    expect(await ward.db.all('SELECT id, user_id, reason FROM consent_restrictions')).toEqual([
      { id: 'cr-1', user_id: 'u-ex', reason: '' },
    ]);
    await ward.sync.syncNow();
    expect(await ward.db.all('SELECT id, user_id, reason FROM consent_restrictions')).toEqual([
      { id: 'cr-1', user_id: 'u-ex', reason: '' },
    ]);
  });

  it("finding 3: another clinician's appointment travels as the parent of a readable observation without its reason", async () => {
    await t.srv.db.run(
      "INSERT INTO observations (id, patient_id, appointment_id, category, code, value, unit, recorded_by, recorded_at) VALUES ('obs-lab', 'p-a', 'ap-2', 'lab', 'crp', '4', 'mg/L', 'u-taylor', '2026-11-23T07:30:00Z')",
    );
    const lab = await t.workstationWith('lab-pc', 'taylor');
    expect(await lab.ids('observations')).toContain('obs-lab');
    expect(await lab.db.all('SELECT id, reason, clinician_id FROM appointments')).toEqual([
      { id: 'ap-2', reason: '', clinician_id: 'u-smith' },
    ]);
    expect(JSON.stringify(t.pulledRows(lab, 0))).not.toContain('Liaison review');
    // Dr. Smith may read his appointment: its reason arrives when he signs in there.
    const before = lab.answers.length;
    await lab.signIn('smith');
    await lab.sync.syncNow();
    expect(await lab.db.get("SELECT reason FROM appointments WHERE id = 'ap-2'")).toEqual({ reason: 'Liaison review' });
    expect(JSON.stringify(t.pulledRows(lab, before))).toContain('Liaison review');
  });

  it("finding 3: a canceled appointment brings its patient without the patient's name, MRN or birth date", async () => {
    await t.srv.db.run("UPDATE appointments SET status = 'canceled' WHERE id = 'ap-v'");
    const clinic = await t.workstationWith('exam-room', 'brown');
    expect(await clinic.ids('appointments')).toContain('ap-v');
    expect(await clinic.db.get("SELECT id, name, mrn, birth_date, org_id FROM patients WHERE id = 'p-v'")).toEqual({
      id: 'p-v',
      name: '',
      mrn: 'p-v',
      birth_date: '',
      org_id: 'org-gh',
    });
    expect(JSON.stringify(t.pulledRows(clinic, 0))).not.toMatch(/Victor|GH-0099|1966-05-05/);
    // A user who may read him gets him whole.
    await clinic.signIn('rosa');
    await clinic.sync.syncNow();
    expect(await clinic.db.get("SELECT name, mrn FROM patients WHERE id = 'p-v'")).toEqual({
      name: 'Victor Famous',
      mrn: 'GH-0099',
    });
  });
});
