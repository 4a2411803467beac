/**
 * The use cases of SPEC §7 through the real engine, policy and SQLite: each one authorizes, writes,
 * audits and queues its outbox entry in one transaction; a denial writes nothing but its audit event.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/domain/errors';
import { runMutation } from '../../src/services/run';
import { MUTATIONS } from '../../src/services/mutations';
import { openChart } from '../../src/services/queries/chart';
import { breakGlassReview, auditLog } from '../../src/services/queries/auditLog';
import { wardCensus } from '../../src/services/queries/census';
import { clinicianDay } from '../../src/services/queries/today';
import { findForBreakGlass, listUsers } from '../../src/services/queries/people';
import { createUserWithSecrets } from '../../src/services/users';
import { verifyAuditChain } from '../../src/store/audit';
import { count, makeWorld, type TestWorld } from '../helpers/world';

let w: TestWorld;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const as = (userId: string, asUser?: string) => ({ userId, as: asUser });
const run = (who: string, name: keyof typeof MUTATIONS, input: unknown, asUser?: string): Promise<any> =>
  runMutation(w.ctx, as(who, asUser), MUTATIONS[name] as never, input);
const fails = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).not.toBeNull();
  return e as AppError;
};
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'patients',
    'appointments',
    'records',
    'observations',
    'alerts',
    'break_glass',
    'users',
    'role_assignments',
    'outbox',
    'audit_events',
  ]) {
    out[t] = await count(w.db, t);
  }
  return out;
}
const lastAudit = () =>
  w.db.get<{
    actor: string;
    on_behalf_of: string | null;
    action: string;
    resource: string;
    decision: string;
    reason: string | null;
  }>('SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1');

describe('recording observations', () => {
  it('commits the vitals, their audit event and their outbox entry together', async () => {
    const obs = await run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '88',
      unit: '/min',
    });
    expect(await w.db.get('SELECT * FROM observations WHERE id = ?', [obs.id])).toMatchObject({
      recorded_by: 'u-nina',
      value: '88',
      recorded_at: '2026-11-23T10:00:00.000Z',
    });
    expect(await lastAudit()).toMatchObject({
      actor: 'u-nina',
      action: 'record_observation',
      resource: `Observation:${obs.id}`,
      decision: 'allow',
    });
    const entry = await w.db.get<{ name: string; args: string; changes: string; summary: string }>('SELECT * FROM outbox');
    expect(entry?.name).toBe('recordObservation');
    expect(JSON.parse(entry!.args)).toMatchObject({ id: obs.id, patient_id: 'p-a', recorded_at: '2026-11-23T10:00:00.000Z' });
    expect(JSON.parse(entry!.changes)).toEqual([expect.objectContaining({ table: 'observations', before: null })]);
    expect(entry?.summary).toBe('heart rate for Alice Patient');
  });

  it('refuses lab results from a nurse, writes nothing, and audits the attempt', async () => {
    const before = await snapshot();
    const e = await fails(run('u-nina', 'recordObservation', { patient_id: 'p-a', category: 'lab', code: 'crp', value: '5' }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toBe('You may not record lab results for this patient.');
    expect(await snapshot()).toEqual({ ...before, audit_events: before.audit_events! + 1 });
    expect(await lastAudit()).toMatchObject({ actor: 'u-nina', decision: 'forbidden', action: 'record_observation' });
  });

  it('answers a nurse of another ward the same way whether or not the patient exists', async () => {
    const other = await fails(
      run('u-nina', 'recordObservation', { patient_id: 'p-b', category: 'vitals', code: 'hr', value: '1' }),
    );
    const ghost = await fails(
      run('u-nina', 'recordObservation', { patient_id: 'p-nobody', category: 'vitals', code: 'hr', value: '1' }),
    );
    expect([other.kind, other.message]).toEqual([ghost.kind, ghost.message]);
    expect(other.kind).toBe('forbidden');
  });

  it('rejects malformed input with a sentence naming the field, and changes nothing', async () => {
    const before = await snapshot();
    const e = await fails(run('u-nina', 'recordObservation', { patient_id: 'p-a', category: 'vitals', value: '', extra: 1 }));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(/^Code is required\./);
    expect(e.message).toMatch(/Value is required\./);
    expect(await snapshot()).toEqual(before);
  });

  it('does not reveal whether an appointment exists for a patient the user cannot see', async () => {
    const e = await fails(
      run('u-nina', 'recordObservation', {
        patient_id: 'p-b',
        appointment_id: 'ap-2',
        category: 'vitals',
        code: 'hr',
        value: '1',
      }),
    );
    expect(e.kind).toBe('forbidden');
  });
});

describe('the examination lifecycle', () => {
  it('lets the clinician start and complete, and ends examination-only access on completion', async () => {
    // Dr. Brown reads Alice's vitals only because he is examining her (ap-1 in progress).
    expect(await w.engine.authorize(as('u-drbrown'), 'read', { type: 'Observation', id: 'obs-1' })).toBe('allow');
    await run('u-drbrown', 'completeAppointment', { id: 'ap-1' });
    expect(await w.engine.authorize(as('u-drbrown'), 'read', { type: 'Observation', id: 'obs-1' })).toBe('not_found');
  });

  it('decides racing transitions: the first valid one wins, the other is told why', async () => {
    const results = await Promise.allSettled([
      run('u-drsmith', 'startAppointment', { id: 'ap-6' }),
      run('u-drsmith', 'startAppointment', { id: 'ap-6' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as AppError).message).toBe('Only a scheduled appointment can be started (it is in progress).');
    expect(await w.db.get('SELECT status FROM appointments WHERE id = ?', ['ap-6'])).toEqual({ status: 'in_progress' });
  });

  it('lets a clerk cancel a scheduled appointment but not one in progress', async () => {
    await run('u-clerk', 'cancelAppointment', { id: 'ap-6' });
    const e = await fails(run('u-clerk', 'cancelAppointment', { id: 'ap-1' }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toMatch(/Only a scheduled appointment can be canceled/);
  });

  it("lists a clinician's day with the buttons each appointment may show", async () => {
    const day = await clinicianDay(w.ctx, as('u-drsmith'), { from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' });
    expect(day.map((d) => [d.id, d.patient_name, d.actions])).toEqual([
      ['ap-6', 'Alice Patient', ['read', 'start', 'complete', 'create_record']],
    ]);
  });
});

describe('records are append-only', () => {
  it('writes a record for the clinician and keeps the original when it is amended', async () => {
    const rec = await run('u-drbrown', 'createRecord', {
      appointment_id: 'ap-1',
      category: 'cardiology',
      public_notes: 'Troponin rising.',
      internal_notes: 'Call cardiology.',
    });
    const amendment = await run('u-drbrown', 'amendRecord', {
      record_id: rec.id,
      public_notes: 'Troponin rising; repeat in 3h.',
      internal_notes: 'Call cardiology.',
    });
    expect(amendment).toMatchObject({
      amends_id: rec.id,
      appointment_id: 'ap-1',
      category: 'cardiology',
      author_id: 'u-drbrown',
    });
    expect(await w.db.get('SELECT public_notes FROM records WHERE id = ?', [rec.id])).toEqual({
      public_notes: 'Troponin rising.',
    });
  });

  it('refuses an amendment by anyone but the author', async () => {
    const e = await fails(run('u-drsmith', 'amendRecord', { record_id: 'rec-2', public_notes: 'x', internal_notes: 'y' }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toBe('Only the author of a record may amend it.');
  });
});

describe('the chart', () => {
  it('shows internal notes only where read_internal allows, and audits the opening', async () => {
    const nurse = await openChart(w.ctx, as('u-nina'), 'p-a');
    expect(nurse.records.find((r) => r.id === 'rec-2')).toMatchObject({ public_notes: 'ECG taken.', internal_notes: null });
    const doctor = await openChart(w.ctx, as('u-drbrown'), 'p-a');
    expect(doctor.records.find((r) => r.id === 'rec-2')).toMatchObject({
      internal_notes: 'Suspect NSTEMI.',
      actions: ['read', 'read_internal', 'amend'],
    });
    expect(await lastAudit()).toMatchObject({ actor: 'u-drbrown', action: 'read', resource: 'Patient:p-a', decision: 'allow' });
    expect(nurse.patient).toMatchObject({ room_name: '101', ward_name: 'Cardiology', facility_name: 'Main Building' });
    expect(nurse.alerts.map((a) => [a.id, a.actions])).toEqual([['al-1', ['read', 'acknowledge', 'reschedule']]]);
  });

  it('answers "not found" for a patient the user may not see, and audits the attempt', async () => {
    const e = await fails(openChart(w.ctx, as('u-nina'), 'p-b'));
    expect([e.kind, e.message]).toEqual(['not_found', 'That patient was not found.']);
    expect(await lastAudit()).toMatchObject({ actor: 'u-nina', resource: 'Patient:p-b', decision: 'not_found' });
  });

  it('shows a registration clerk no clinical data', async () => {
    const chart = await openChart(w.ctx, as('u-clerk'), 'p-a');
    expect(chart.records).toEqual([]);
    expect(chart.observations).toEqual([]);
    expect(chart.alerts).toEqual([]);
    expect(chart.appointments.map((a) => a.id).sort()).toEqual(['ap-1', 'ap-6']);
  });

  it('lists the ward census by room with open alerts', async () => {
    const census = await wardCensus(w.ctx, as('u-nina'), { wardId: 'ward-card' });
    expect(census.patients.map((p) => [p.id, p.room_name, p.open_alerts, p.highest_severity])).toEqual([
      ['p-a', '101', 1, 'high'],
    ]);
  });
});

describe('break-glass', () => {
  it('needs a reason of at least 10 characters', async () => {
    const e = await fails(run('u-nina', 'breakGlass', { patient_id: 'p-b', reason: 'urgent' }));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(/at least 10 characters/);
  });

  it('opens the chart for 60 minutes, audits every read as break-glass and lists it for review', async () => {
    const found = await findForBreakGlass(w.ctx, as('u-nina'), 'GH-0002');
    expect(found).toEqual({
      patient: { id: 'p-b', mrn: 'GH-0002', name: null, birth_date: null },
      can_read: false,
      can_break_glass: true,
    });
    await run('u-nina', 'breakGlass', { patient_id: 'p-b', reason: 'Patient collapsed in the corridor' });
    const chart = await openChart(w.ctx, as('u-nina'), 'p-b');
    expect(chart.access).toBe('break_glass');
    expect(chart.break_glass_expires_at).toBe('2026-11-23T11:00:00.000Z');
    expect(await lastAudit()).toMatchObject({ actor: 'u-nina', resource: 'Patient:p-b', reason: 'break_glass' });
    const review = await breakGlassReview(w.ctx, as('u-admin'), { orgId: 'org-gh' });
    expect(review).toEqual([
      expect.objectContaining({
        user_name: 'Nina Nurse',
        patient_name: 'Bob Builder',
        reads: 1,
        active: true,
        reason: 'Patient collapsed in the corridor',
      }),
    ]);
    w.clock.advanceMinutes(61);
    expect((await fails(openChart(w.ctx, as('u-nina'), 'p-b'))).kind).toBe('not_found');
  });

  it('is refused to staff who may already read the patient and to other organizations', async () => {
    expect((await fails(run('u-drbrown', 'breakGlass', { patient_id: 'p-b', reason: 'Just curious about it' }))).kind).toBe(
      'forbidden',
    );
    expect((await fails(run('u-sc-nurse', 'breakGlass', { patient_id: 'p-a', reason: 'Wrong hospital entirely' }))).kind).toBe(
      'forbidden',
    );
    // The clerk covers Bob (facility scope) but not the roomless outpatient, and is not medical staff.
    await expect(findForBreakGlass(w.ctx, as('u-clerk'), 'GH-0003')).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('root viewing as another user', () => {
  it('sees what the user sees, audited with both names, and cannot change anything', async () => {
    const chart = await openChart(w.ctx, as('root', 'u-nina'), 'p-a');
    expect(chart.records.find((r) => r.id === 'rec-2')?.internal_notes).toBeNull();
    expect(await lastAudit()).toMatchObject({ actor: 'root', on_behalf_of: 'u-nina', resource: 'Patient:p-a' });
    const e = await fails(run('root', 'acknowledgeAlert', { id: 'al-1' }, 'u-nina'));
    expect([e.kind, e.message]).toEqual(['forbidden', 'You are viewing as another user; changes cannot be made in this view.']);
  });

  it('is only for root', async () => {
    await expect(openChart(w.ctx, as('u-admin', 'u-nina'), 'p-a')).rejects.toMatchObject({ kind: 'forbidden' });
  });
});

describe('administration', () => {
  it('creates a user whose secrets are stored only as scrypt hashes, never in the outbox', async () => {
    const user = await createUserWithSecrets(w.ctx, as('u-admin'), {
      org_id: 'org-gh',
      name: 'Tom Temp',
      username: 'tom',
      password: 'correct horse battery',
      pin: '4321',
    });
    const cred = await w.db.get<{ password_hash: string; pin_hash: string }>('SELECT * FROM credentials WHERE user_id = ?', [
      user.id,
    ]);
    expect(cred?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const outbox = JSON.stringify(await w.db.all('SELECT * FROM outbox'));
    expect(outbox).not.toContain('correct horse battery');
    expect(outbox).not.toContain('4321"');
  });

  it('assigns a ward role valid for one shift: access starts and ends with it', async () => {
    await run('u-admin', 'assignRole', {
      user_id: 'u-night',
      role: 'nurse',
      scope: 'Ward:ward-card',
      valid_from: '2026-11-23T12:00:00Z',
      valid_until: '2026-11-23T20:00:00Z',
    });
    const read = () => w.engine.authorize(as('u-night'), 'read', { type: 'Patient', id: 'p-a' });
    expect(await read()).toBe('not_found');
    w.clock.set('2026-11-23T12:00:00Z');
    expect(await read()).toBe('allow');
    w.clock.set('2026-11-23T20:00:00Z');
    expect(await read()).toBe('not_found');
  });

  it('refuses role changes by anyone but an organization admin, and across organizations', async () => {
    expect(
      (await fails(run('u-nina', 'assignRole', { user_id: 'u-nina', role: 'admin', scope: 'Organization:org-gh' }))).kind,
    ).toBe('forbidden');
    expect((await fails(run('u-admin', 'assignRole', { user_id: 'u-nina', role: 'nurse', scope: 'Ward:ward-sc1' }))).kind).toBe(
      'not_found',
    );
    const revoked = await w.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    await run('u-admin', 'revokeRole', { id: revoked!.id });
    expect(await w.engine.authorize(as('u-nina'), 'read', { type: 'Patient', id: 'p-a' })).toBe('not_found');
  });

  it('sets badges for admins only and keeps them unique', async () => {
    expect((await fails(run('u-nina', 'updateBadge', { user_id: 'u-nina', badge: 'FFEE0011' }))).kind).toBe('forbidden');
    expect((await fails(run('u-admin', 'updateBadge', { user_id: 'u-drlee', badge: '04A1B2C3' }))).kind).toBe('conflict');
    await run('u-admin', 'updateBadge', { user_id: 'u-drlee', badge: 'AA00BB11' });
    const users = await listUsers(w.ctx, as('u-admin'), { orgId: 'org-gh' });
    expect(users.find((u) => u.id === 'u-drlee')).toMatchObject({
      badge: 'AA00BB11',
      actions: ['read', 'update', 'update_badge', 'manage_roles'],
    });
  });

  it('shows the audit log to admins and auditors of the organization only', async () => {
    await openChart(w.ctx, as('u-nina'), 'p-a');
    const page = await auditLog(w.ctx, as('u-audit'), { orgId: 'org-gh' });
    // Newest first: the auditor's own look at the log is itself on it.
    expect(page.events[0]).toMatchObject({
      actor: 'u-audit',
      action: 'read_audit_log',
      resource: 'Organization:org-gh',
      decision: 'allow',
    });
    expect(page.events[1]).toMatchObject({ actor: 'u-nina', action: 'read', resource: 'Patient:p-a' });
    await expect(auditLog(w.ctx, as('u-nina'), { orgId: 'org-gh' })).rejects.toMatchObject({ kind: 'forbidden' });
    expect(await verifyAuditChain(w.db)).toMatchObject({ ok: true });
  });
});

describe('patients', () => {
  it('registers, admits and discharges a patient', async () => {
    const p = await run('u-clerk', 'registerPatient', {
      mrn: 'GH-0100',
      name: 'Dora Newcomer',
      birth_date: '1990-05-05',
      room_id: 'r-102',
      status: 'admitted',
    });
    expect(await w.engine.authorize(as('u-nina'), 'read', { type: 'Patient', id: p.id })).toBe('allow');
    await run('u-drlee', 'dischargePatient', { id: p.id });
    await run('u-admin', 'finalDischargePatient', { id: p.id });
    expect(await w.db.get('SELECT status, room_id FROM patients WHERE id = ?', [p.id])).toEqual({
      status: 'final_discharged',
      room_id: null,
    });
  });

  it('refuses duplicate medical record numbers and rooms of another organization', async () => {
    expect(
      (
        await fails(
          run('u-clerk', 'registerPatient', {
            mrn: 'GH-0001',
            name: 'Twin',
            birth_date: '1990-05-05',
            room_id: 'r-102',
            status: 'admitted',
          }),
        )
      ).kind,
    ).toBe('conflict');
    expect(
      (
        await fails(
          run('u-clerk', 'registerPatient', {
            mrn: 'GH-0101',
            name: 'Lost',
            birth_date: '1990-05-05',
            room_id: 'r-sc1',
            status: 'admitted',
          }),
        )
      ).kind,
    ).toBe('invalid');
    expect(
      (
        await fails(
          run('u-clerk', 'registerPatient', {
            mrn: 'GH-0102',
            name: 'Outside',
            birth_date: '1990-05-05',
            room_id: null,
            status: 'outpatient',
          }),
        )
      ).kind,
    ).toBe('forbidden');
  });

  it('reports a demographic edit made meanwhile as a conflict instead of overwriting it', async () => {
    await run('u-clerk', 'updatePatient', { id: 'p-a', changes: { name: 'Alice P. Patient' }, base: { name: 'Alice Patient' } });
    const e = await fails(
      run('u-admin', 'updatePatient', { id: 'p-a', changes: { name: 'Alice Patiently' }, base: { name: 'Alice Patient' } }),
    );
    expect(e.kind).toBe('conflict');
    expect(e.details).toMatchObject({ fields: ['name'], theirs: { name: 'Alice P. Patient' } });
    expect(await w.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice P. Patient' });
  });

  it('acknowledges an alert once', async () => {
    await run('u-nina', 'acknowledgeAlert', { id: 'al-1' });
    expect(await w.db.get('SELECT status, acknowledged_by FROM alerts WHERE id = ?', ['al-1'])).toEqual({
      status: 'acknowledged',
      acknowledged_by: 'u-nina',
    });
    expect((await fails(run('u-nina', 'acknowledgeAlert', { id: 'al-1' }))).kind).toBe('conflict');
  });
});
