/**
 * SPEC §3a through the use cases and the IPC surface: authors label items, clearances come with role
 * assignments, `update` on the patient marks them restricted and records or removes consent
 * restrictions (with a reason, audited), break-glass says what it overrode, outpatients are registered
 * at a facility, and badge ids / lockout state reach only the user and those who may update_badge.
 * Nothing on a chart tells that something is hidden.
 */
import { userThrottleKey } from '../../src/services/signIn';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/domain/errors';
import { breakGlassReview } from '../../src/services/queries/auditLog';
import { openChart } from '../../src/services/queries/chart';
import { listUsers } from '../../src/services/queries/people';
import { readFixtureFile } from '../../src/store/fixture/load';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from '../helpers/workstation';
import { worldPerTest } from '../helpers/serviceWorld';
import { count, makeWorld, SMALL_FIXTURE } from '../helpers/world';

const SENSITIVE = path.resolve(__dirname, '../scenarios/sensitive-clinic.fixture.json');

const w = worldPerTest(SENSITIVE);
const { run } = w;
const fails = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).not.toBeNull();
  return e as AppError;
};
const chart = (who: string, patient: string) => openChart(w.ctx, { userId: who }, patient);
const lastAudit = () =>
  w.db.get<{ actor: string; action: string; resource: string; decision: string; reason: string | null }>(
    'SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1',
  );

describe('sensitivity labels on the chart', () => {
  it('shows a labelled item, with its label, only to users cleared for it; the chart of others has no trace of it', async () => {
    const nora = await chart('u-nora', 'p-a');
    expect(nora.records.map((r) => [r.id, r.sensitivity])).toEqual(
      expect.arrayContaining([
        ['rec-hiv', 'hiv'],
        ['rec-1', null],
      ]),
    );
    expect(nora.observations.map((o) => o.id).sort()).toEqual(['obs-1', 'obs-hiv']);
    const nina = await chart('u-nina', 'p-a');
    expect(nina.records.map((r) => r.id)).toEqual(['rec-1']);
    expect(nina.observations.map((o) => o.id)).toEqual(['obs-1']);
    expect(JSON.stringify(nina)).not.toMatch(/rec-hiv|obs-hiv|rec-psy|Antiretroviral|Mood stable|hiv1_viral|sensitivity":"/);
  });

  it('lets the author label a record and an observation; labels do not stop them recording', async () => {
    const rec = await run('u-brown', 'createRecord', {
      appointment_id: 'ap-1',
      category: 'general',
      public_notes: 'Methadone dose reviewed.',
      internal_notes: '',
      sensitivity: 'substance_use',
    });
    expect(await w.db.get('SELECT sensitivity FROM records WHERE id = ?', [rec.id])).toEqual({ sensitivity: 'substance_use' });
    const obs = await run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '101',
      unit: '/min',
      sensitivity: 'psychiatry',
    });
    expect((await chart('u-brown', 'p-a')).records.find((r) => r.id === rec.id)?.sensitivity).toBe('substance_use');
    expect((await chart('u-nina', 'p-a')).observations.find((o) => o.id === obs.id)?.sensitivity).toBe('psychiatry');
    expect((await chart('u-nora', 'p-a')).records.map((r) => r.id)).not.toContain(rec.id);
    expect((await chart('u-nora', 'p-a')).observations.map((o) => o.id)).not.toContain(obs.id);
    expect(
      (
        await fails(
          run('u-brown', 'createRecord', {
            appointment_id: 'ap-1',
            category: 'general',
            public_notes: 'x',
            internal_notes: '',
            sensitivity: 'astrology',
          }),
        )
      ).kind,
    ).toBe('invalid');
  });

  it('keeps a label with the record: amendments carry it (or add one), so none is visible where its original is hidden', async () => {
    expect(
      (
        await fails(
          run('u-brown', 'amendRecord', {
            record_id: 'rec-hiv',
            public_notes: 'Therapy continued (corrected).',
            sensitivity: null,
          }),
        )
      ).kind,
    ).toBe('invalid');
    expect(
      (
        await fails(
          run('u-brown', 'amendRecord', {
            record_id: 'rec-hiv',
            public_notes: 'Therapy continued (corrected).',
            sensitivity: 'genetic',
          }),
        )
      ).message,
    ).toBe('A labelled record keeps its label: its amendments carry the same one.');
    const kept = await run('u-brown', 'amendRecord', {
      record_id: 'rec-hiv',
      public_notes: 'Therapy continued, dose unchanged.',
    });
    expect(kept.sensitivity).toBe('hiv');
    const brown = await chart('u-brown', 'p-a');
    expect(brown.records.find((r) => r.id === 'rec-hiv')?.amended_by).toEqual([kept.id]);
    expect((await chart('u-nina', 'p-a')).records.map((r) => r.id)).toEqual(['rec-1']);
    // Adding a label by amending an unlabelled record: the amendment is hidden from the uncleared, the original is not.
    const added = await run('u-brown', 'amendRecord', {
      record_id: 'rec-1',
      public_notes: 'ECG taken; HIV status relevant to drug choice.',
      sensitivity: 'hiv',
    });
    const nina = await chart('u-nina', 'p-a');
    expect(nina.records.map((r) => [r.id, r.amended_by])).toEqual([['rec-1', []]]);
    expect((await chart('u-nora', 'p-a')).records.find((r) => r.id === added.id)).toMatchObject({
      amends_id: 'rec-1',
      sensitivity: 'hiv',
    });
  });

  it("refuses a fixture whose amendment drops its original's label", async () => {
    const f = readFixtureFile(SENSITIVE) as { records: object[] };
    f.records.push({
      id: 'rec-x',
      appointment: 'ap-1',
      category: 'general',
      author: 'u-brown',
      public_notes: 'x',
      created_at: '2026-11-23T09:59:00Z',
      amends: 'rec-hiv',
    });
    await expect(makeWorld(f)).rejects.toThrow(
      /records\[4\]\.sensitivity: an amendment keeps the label of Record "rec-hiv" \(hiv\)/,
    );
  });
});

describe('consent restrictions', () => {
  it('are recorded and removed by users who may update the patient, each time with a reason in the audit log', async () => {
    expect((await chart('u-nina', 'p-a')).patient.id).toBe('p-a');
    const e = await fails(run('u-rosa', 'recordConsentRestriction', { patient_id: 'p-a', user_id: 'u-nina', reason: 'no' }));
    expect(e.kind).toBe('invalid');
    const cr = await run('u-rosa', 'recordConsentRestriction', {
      patient_id: 'p-a',
      user_id: 'u-nina',
      reason: 'Patient asked at admission',
    });
    expect(cr).toMatchObject({ patient_id: 'p-a', user_id: 'u-nina', recorded_by: 'u-rosa', org_id: 'org-gh' });
    expect(await lastAudit()).toMatchObject({
      actor: 'u-rosa',
      action: 'record_consent_restriction',
      resource: 'Patient:p-a',
      decision: 'allow',
      reason: 'User:u-nina: Patient asked at admission',
    });
    expect((await fails(chart('u-nina', 'p-a'))).kind).toBe('not_found');
    expect(
      (await fails(run('u-rosa', 'recordConsentRestriction', { patient_id: 'p-a', user_id: 'u-nina', reason: 'Twice over' })))
        .kind,
    ).toBe('conflict');

    // Who may edit the patient sees the restrictions on the chart; a nurse does not (nothing about them at all).
    expect((await chart('u-rosa', 'p-a')).consent_restrictions.map((c) => [c.user_id, c.user_name, c.reason])).toEqual([
      ['u-ex', 'Eli Nurse (restricted by Alice)', 'Patient does not want a relative who works here to see her chart'],
      ['u-nina', 'Nina Nurse', 'Patient asked at admission'],
    ]);
    const nora = await chart('u-nora', 'p-a');
    expect(nora.consent_restrictions).toEqual([]);
    expect(JSON.stringify(nora)).not.toMatch(/relative who works here|u-ex/);

    expect((await fails(run('u-nora', 'removeConsentRestriction', { id: cr.id, reason: 'Nurse wants in' }))).kind).toBe(
      'forbidden',
    );
    expect((await fails(run('u-nina', 'removeConsentRestriction', { id: cr.id, reason: 'Let me back in' }))).kind).toBe(
      'not_found',
    );
    await run('u-rosa', 'removeConsentRestriction', { id: cr.id, reason: 'Patient withdrew the request' });
    expect(await lastAudit()).toMatchObject({
      action: 'remove_consent_restriction',
      resource: 'Patient:p-a',
      reason: 'User:u-nina: Patient withdrew the request',
    });
    expect((await chart('u-nina', 'p-a')).patient.id).toBe('p-a');
    const outbox = await w.db.all<{ name: string }>('SELECT name FROM outbox ORDER BY seq');
    expect(outbox.map((o) => o.name)).toEqual(['recordConsentRestriction', 'removeConsentRestriction']);
  });

  it('refuse staff of another organization and the patient themself; a restricted user cannot touch them', async () => {
    expect(
      (await fails(run('u-rosa', 'recordConsentRestriction', { patient_id: 'p-a', user_id: 'u-alice', reason: 'Patient asked' })))
        .kind,
    ).toBe('invalid');
    expect(
      (await fails(run('u-rosa', 'recordConsentRestriction', { patient_id: 'p-a', user_id: 'root', reason: 'Patient asked' })))
        .kind,
    ).toBe('invalid');
    expect((await fails(run('u-ex', 'removeConsentRestriction', { id: 'cr-1', reason: 'I want to see her chart' }))).kind).toBe(
      'not_found',
    );
    expect(await count(w.db, 'consent_restrictions')).toBe(1);
  });

  it('leave break-glass: the override is audited, shown as break-glass access and flagged in the review', async () => {
    expect((await fails(chart('u-ex', 'p-a'))).kind).toBe('not_found');
    const bg = await run('u-ex', 'breakGlass', { patient_id: 'p-a', reason: 'Patient collapsed in the corridor' });
    expect(JSON.parse(bg.overrides)).toEqual(['consent_restriction']);
    const c = await chart('u-ex', 'p-a');
    expect(c.access).toBe('break_glass');
    expect(c.records.map((r) => r.id).sort()).toEqual(['rec-1', 'rec-hiv', 'rec-psy']);
    expect(c.observation_categories).toEqual([]);
    // A restricted (VIP) patient: the review says so too.
    await run('u-nina', 'breakGlass', { patient_id: 'p-v', reason: 'Rapid response call to room 102' });
    const review = await breakGlassReview(w.ctx, { userId: 'u-admin' }, { orgId: 'org-gh' });
    expect(review.map((r) => [r.user_id, r.patient_id, JSON.parse(r.overrides)])).toEqual(
      expect.arrayContaining([
        ['u-ex', 'p-a', ['consent_restriction']],
        ['u-nina', 'p-v', ['restricted']],
      ]),
    );
  });
});

describe('restricted patients', () => {
  it('are marked and unmarked with update on the patient; uncleared staff lose coverage at once', async () => {
    expect((await chart('u-rita', 'p-a')).actions).toContain('update');
    expect((await fails(run('u-nina', 'setPatientRestricted', { id: 'p-a', restricted: true }))).kind).toBe('forbidden');
    const p = await run('u-rosa', 'setPatientRestricted', { id: 'p-a', restricted: true });
    expect(p.restricted).toBe(1);
    expect(await lastAudit()).toMatchObject({ actor: 'u-rosa', action: 'restrict_patient', resource: 'Patient:p-a' });
    expect((await fails(chart('u-rita', 'p-a'))).kind).toBe('not_found');
    expect((await fails(chart('u-otto', 'p-a'))).kind).toBe('not_found');
    expect((await chart('u-brown', 'p-a')).patient.restricted).toBe(1);
    expect((await fails(run('u-rita', 'setPatientRestricted', { id: 'p-a', restricted: false }))).kind).toBe('not_found');
    await run('u-rosa', 'setPatientRestricted', { id: 'p-a', restricted: false });
    expect((await chart('u-rita', 'p-a')).patient.restricted).toBe(0);
  });
});

describe('role assignments with clearances', () => {
  it('an admin grants a clearance with a role; it reads labelled items until it ends', async () => {
    expect((await chart('u-nina', 'p-a')).records.map((r) => r.id)).toEqual(['rec-1']);
    const ra = await run('u-admin', 'assignRole', {
      user_id: 'u-nina',
      role: 'nurse',
      scope: 'Ward:ward-card',
      clearances: ['psychiatry', 'hiv', 'hiv'],
      valid_until: '2026-11-23T12:00:00Z',
    });
    expect(JSON.parse(ra.clearances)).toEqual(['hiv', 'psychiatry']);
    expect((await chart('u-nina', 'p-a')).records.map((r) => r.id).sort()).toEqual(['rec-1', 'rec-hiv', 'rec-psy']);
    w.clock.set('2026-11-23T12:00:00Z');
    expect((await chart('u-nina', 'p-a')).records.map((r) => r.id)).toEqual(['rec-1']);
    expect(
      (
        await fails(
          run('u-admin', 'assignRole', { user_id: 'u-nina', role: 'nurse', scope: 'Ward:ward-card', clearances: ['vip'] }),
        )
      ).kind,
    ).toBe('invalid');
    expect(
      (await listUsers(w.ctx, { userId: 'u-admin' }, { orgId: 'org-gh' }))
        .find((u) => u.id === 'u-nina')
        ?.assignments.map((a) => a.clearances),
    ).toEqual(expect.arrayContaining(['[]', '["hiv","psychiatry"]']));
  });
});

describe('outpatients registered at a facility', () => {
  it('a facility clerk registers, finds and schedules an outpatient with no room', async () => {
    const reg = { mrn: 'GH-0500', name: 'Olga Outpatient', birth_date: '1977-07-07', room_id: null, status: 'outpatient' };
    expect((await fails(run('u-rita', 'registerPatient', reg))).kind).toBe('forbidden');
    expect((await fails(run('u-rita', 'registerPatient', { ...reg, facility_id: 'fac-nowhere' }))).kind).toBe('invalid');
    const p = await run('u-rita', 'registerPatient', { ...reg, facility_id: 'fac-main' });
    expect(p).toMatchObject({ facility_id: 'fac-main', room_id: null, restricted: 0 });
    const c = await chart('u-rita', p.id);
    expect(c.patient).toMatchObject({ facility_name: 'Main Building', room_name: null });
    expect(c.actions).toEqual(expect.arrayContaining(['read', 'update', 'schedule_appointment']));
    await run('u-rita', 'scheduleAppointment', {
      patient_id: p.id,
      clinician_id: 'u-brown',
      scheduled_at: '2026-11-24T09:00:00Z',
      reason: 'New patient visit',
    });
    expect((await chart('u-rita', p.id)).appointments).toHaveLength(1);
    expect((await fails(chart('u-brown', 'p-c'))).kind).toBe('not_found');
  });
});

describe('badge ids and lockout state (IPC)', () => {
  let t: TestWorkstation;
  beforeEach(async () => {
    const f = structuredClone(readFixtureFile(SMALL_FIXTURE)) as Record<string, Array<Record<string, unknown>>>;
    f.users = f.users!.map((u) => (u.id === 'u-drbrown' ? { ...u, badge: 'BROWN-0042' } : u));
    t = await openTestWorkstation(smallHospitalWithSecrets(f));
    // Dr. Brown's account is held back after failed sign-ins (the sign-in throttle, issue 13).
    await t.ws.db.run(
      "INSERT INTO sign_in_throttle (account, client, failures, last_failure_at, blocked_until, last_attempt_at) VALUES (?, 'local', 5, ?, ?, ?)",
      [userThrottleKey('u-drbrown'), '2026-11-23T09:59:00.000Z', '2026-11-23T11:00:00.000Z', '2026-11-23T09:59:00.000Z'],
    );
  });
  afterEach(async () => {
    await t.close();
  });
  const signIn = (username: string) => t.call('session.signIn', { method: 'password', username, password: TEST_PASSWORD });
  type U = { id: string; badge: string | null; locked: boolean | null };
  const users = async () => new Map((await t.call<U[]>('admin.users', { orgId: 'org-gh' })).map((u) => [u.id, u]));

  it('reach only the user themself and admins who may update_badge, in the users list', async () => {
    await signIn('nina');
    const seen = await users();
    expect(seen.get('u-nina')).toMatchObject({ badge: '04A1B2C3', locked: false });
    expect(seen.get('u-drbrown')).toMatchObject({ badge: null, locked: null });
    expect(JSON.stringify([...seen.values()])).not.toContain('BROWN-0042');
    await t.call('session.signOut');
    await signIn('ada');
    const admin = await users();
    expect(admin.get('u-drbrown')).toMatchObject({ badge: 'BROWN-0042', locked: true });
    expect(admin.get('u-nina')?.badge).toBe('04A1B2C3');
  });

  it("a clerk learns no one else's badge either", async () => {
    await signIn('rita');
    const seen = await users();
    for (const [id, u] of seen) if (id !== 'u-clerk') expect(u, id).toMatchObject({ badge: null, locked: null });
  });
});
