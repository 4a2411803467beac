/**
 * Clinical input sanity (issue 12): absurd values are refused with a sentence that names the limit and
 * changes nothing — appointments in the past or a century ahead, alerts due in the past, birth dates in
 * the future or before 1900, lab values like "high" or negative counts, implausible vital signs — and
 * decimal commas are read explicitly. Errors are worded for the person at the form, never zod's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/domain/errors';
import { checkMeasure, parseDecimal } from '../../src/domain/measures';
import { MUTATIONS } from '../../src/services/mutations';
import { openChart } from '../../src/services/queries/chart';
import { wardCensus } from '../../src/services/queries/census';
import { runMutation } from '../../src/services/run';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';
import { count, makeWorld, type TestWorld } from '../helpers/world';
import { workstationPerTest } from '../helpers/workstationPerTest';

let w: TestWorld;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const run = (who: string, name: keyof typeof MUTATIONS, input: unknown, ctx = w.ctx): Promise<any> =>
  runMutation(ctx, { userId: who }, MUTATIONS[name] as never, input);
const fails = async (p: Promise<unknown>): Promise<AppError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, 'expected a refusal').not.toBeNull();
  return e as AppError;
};
/** Refused as invalid with exactly this sentence, and nothing but the audit trail changed. */
async function refused(p: () => Promise<unknown>, message: string | RegExp): Promise<void> {
  const tables = ['patients', 'appointments', 'observations', 'alerts', 'outbox'];
  const before = await Promise.all(tables.map((t) => count(w.db, t)));
  const e = await fails(p());
  expect(e.kind).toBe('invalid');
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  expect(e.message).not.toMatch(/Too (big|small)|expected|Invalid input/);
  expect(await Promise.all(tables.map((t) => count(w.db, t)))).toEqual(before);
  const appts = await w.db.all<{ id: string; scheduled_at: string }>('SELECT id, scheduled_at FROM appointments ORDER BY id');
  expect(appts.find((a) => a.id === 'ap-4')?.scheduled_at).toBe('2026-11-24T09:00:00.000Z');
}

const appointment = (scheduled_at: string, reason = 'Follow-up') => ({
  patient_id: 'p-a',
  clinician_id: 'u-drlee',
  scheduled_at,
  reason,
});

describe('appointments', () => {
  it('cannot be scheduled or rescheduled into the past', async () => {
    await refused(
      () => run('u-clerk', 'scheduleAppointment', appointment('2026-11-22T09:00:00Z')),
      'An appointment cannot be in the past: choose a time from now on.',
    );
    await refused(
      () => run('u-admin', 'rescheduleAppointment', { id: 'ap-4', scheduled_at: '2025-11-24T09:00:00Z' }),
      'An appointment cannot be in the past: choose a time from now on.',
    );
  });

  it('cannot be scheduled or rescheduled a century ahead: the message names the limit', async () => {
    const limit = 'Appointments can be scheduled at most 2 years ahead (until 23 November 2028).';
    await refused(() => run('u-clerk', 'scheduleAppointment', appointment('2126-11-24T09:00:00Z')), limit);
    await refused(() => run('u-admin', 'rescheduleAppointment', { id: 'ap-4', scheduled_at: '2126-11-24T09:00:00Z' }), limit);
  });

  it('can be scheduled from now on, within two years', async () => {
    await run('u-clerk', 'scheduleAppointment', appointment('2026-11-23T10:01:00Z'));
    await run('u-clerk', 'scheduleAppointment', appointment('2028-11-01T09:00:00Z'));
    await run('u-admin', 'rescheduleAppointment', { id: 'ap-4', scheduled_at: '2027-01-05T09:00:00Z' });
  });

  it('keeps its reason short enough for a day list, said in words', async () => {
    await refused(
      () => run('u-clerk', 'scheduleAppointment', appointment('2026-11-24T09:00:00Z', 'x'.repeat(5_000))),
      'Reason is too long: at most 500 characters.',
    );
  });

  it('made offline earlier is not refused at replay for being in the past by then (the server applies what the user did)', async () => {
    // The server replays a push with the client's mutation id; its clock is later than the user's was.
    w.clock.set('2026-11-24T12:00:00Z');
    const replay = { ...w.ctx, mutationId: () => 'm-offline-1' };
    await run('u-clerk', 'scheduleAppointment', appointment('2026-11-24T09:00:00Z'), replay);
    // …but a century ahead is absurd whenever it arrives.
    await refused(
      () =>
        run('u-clerk', 'scheduleAppointment', appointment('2126-11-24T09:00:00Z'), { ...w.ctx, mutationId: () => 'm-offline-2' }),
      /at most 2 years ahead/,
    );
  });
});

describe('alerts', () => {
  it('cannot be rescheduled to be due in the past, or more than a year ahead', async () => {
    await refused(
      () => run('u-nina', 'rescheduleAlert', { id: 'al-1', due_at: '2026-11-23T08:00:00Z' }),
      'An alert cannot be due in the past: choose a time from now on.',
    );
    await refused(
      () => run('u-nina', 'rescheduleAlert', { id: 'al-1', due_at: '2029-01-01T08:00:00Z' }),
      'An alert can be due at most a year ahead (until 23 November 2027).',
    );
    await run('u-nina', 'rescheduleAlert', {
      id: 'al-1',
      due_at: '2026-11-23T14:00:00Z',
      reason: 'Sepsis screen repeated after fluids',
    });
  });
});

describe('birth dates', () => {
  const patient = (birth_date: string) => ({
    mrn: 'GH-0999',
    name: 'Nova Newborn',
    birth_date,
    status: 'admitted',
    room_id: 'r-101',
  });

  it('are refused in the future ("Age -5 years") and before 1900', async () => {
    await refused(() => run('u-clerk', 'registerPatient', patient('2031-05-01')), 'The birth date cannot be in the future.');
    await refused(() => run('u-clerk', 'registerPatient', patient('1899-12-31')), 'Birth date cannot be before 1 January 1900.');
    await refused(() => run('u-clerk', 'registerPatient', patient('2026-02-30')), 'Birth date is not a real date.');
    await refused(
      () =>
        run('u-clerk', 'updatePatient', { id: 'p-a', changes: { birth_date: '2027-01-01' }, base: { birth_date: '1950-02-01' } }),
      'The birth date cannot be in the future.',
    );
    await run('u-clerk', 'registerPatient', patient('2026-11-23'));
  });

  it('a duplicate MRN on editing is a conflict that says what to do, not "something went wrong"', async () => {
    const e = await fails(run('u-clerk', 'updatePatient', { id: 'p-a', changes: { mrn: 'GH-0002' }, base: { mrn: 'GH-0001' } }));
    expect(e).toMatchObject({
      kind: 'conflict',
      message: 'Medical record number GH-0002 is already registered to another patient. Check the number.',
    });
  });
});

describe('measurements', () => {
  const obs = (code: string, value: string, unit = '', category = 'lab') => ({ patient_id: 'p-a', category, code, value, unit });

  it('a lab value must be a number within plausible limits, named in the message', async () => {
    await refused(
      () => run('u-taylor', 'recordObservation', obs('crp', 'high', 'mg/L')),
      'CRP must be a number in mg/L, e.g. 5.',
    );
    await refused(
      () => run('u-taylor', 'recordObservation', obs('wbc', '-3', '10*9/L')),
      'White cell count must be between 0 and 500 ×10⁹/L.',
    );
    await refused(
      () => run('u-taylor', 'recordObservation', obs('potassium', '45', 'mmol/L')),
      'Potassium must be between 1 and 10 mmol/L.',
    );
    await refused(() => run('u-taylor', 'recordObservation', obs('crp', '12', 'ng/L')), 'CRP is recorded in mg/L, not ng/L.');
  });

  it('a vital sign outside what a body can show is refused', async () => {
    await refused(
      () => run('u-nina', 'recordObservation', obs('heart_rate', '400', '/min', 'vitals')),
      'Heart rate must be between 20 and 250 /min.',
    );
    await refused(
      () => run('u-nina', 'recordObservation', obs('heart_rate', '72.5', '/min', 'vitals')),
      'Heart rate must be a whole number.',
    );
    await refused(
      () => run('u-nina', 'recordObservation', obs('temperature', '3,7,5', 'Cel', 'vitals')),
      'Temperature: use one decimal separator and no thousands separator, e.g. 38.',
    );
  });

  it('reads a decimal comma explicitly and stores a point', async () => {
    const saved = await run('u-nina', 'recordObservation', obs('temperature', '37,5', 'Cel', 'vitals'));
    expect(saved).toMatchObject({ value: '37.5', unit: 'Cel' });
    const lab = await run('u-taylor', 'recordObservation', obs('creatinine', '88', 'µmol/L'));
    expect(lab).toMatchObject({ value: '88', unit: 'umol/L' });
    expect(parseDecimal('1,234.5')).toEqual({ ok: false, problem: 'separators' });
    expect(parseDecimal('1.234,5')).toEqual({ ok: false, problem: 'separators' });
    expect(parseDecimal(' 0,8 ')).toEqual({ ok: true, value: 0.8 });
  });

  it('keeps free text for findings and tests it does not know', async () => {
    expect(checkMeasure('chest_xray', 'no infiltrates', '')).toEqual({ ok: true, value: 'no infiltrates', unit: '' });
    await run('u-taylor', 'recordObservation', obs('ferritin', '120', 'ug/L'));
  });

  it('cannot be measured in the future', async () => {
    await refused(
      () =>
        run('u-nina', 'recordObservation', { ...obs('heart_rate', '80', '/min', 'vitals'), recorded_at: '2026-11-23T11:00:00Z' }),
      'The time of measurement cannot be in the future.',
    );
  });
});

describe('what a chart and the census tell', () => {
  it('a chart names the sections its user may read at all; the others are left out rather than shown empty', async () => {
    expect((await openChart(w.ctx, { userId: 'u-clerk' }, 'p-a')).readable).toEqual({
      appointments: true,
      records: false,
      observations: false,
      vitals: false,
      alerts: false,
    });
    expect((await openChart(w.ctx, { userId: 'u-nina' }, 'p-a')).readable).toEqual({
      appointments: true,
      records: true,
      observations: true,
      vitals: true,
      alerts: true,
    });
    expect((await openChart(w.ctx, { userId: 'u-pat-a' }, 'p-a')).readable).toEqual({
      appointments: true,
      records: true,
      observations: false,
      vitals: false,
      alerts: false,
    });
    // The lab technician reads lab results, not vital signs, appointments, records or alerts.
    expect((await openChart(w.ctx, { userId: 'u-taylor' }, 'p-a')).readable).toEqual({
      appointments: false,
      records: false,
      observations: true,
      vitals: false,
      alerts: false,
    });
    // Dr. Brown covers the surgical ward: every section of Bob's chart, whatever it holds.
    expect((await openChart(w.ctx, { userId: 'u-drbrown' }, 'p-b')).readable).toEqual({
      appointments: true,
      records: true,
      observations: true,
      vitals: true,
      alerts: true,
    });
  });

  it('the census names the kind of the most urgent open alert', async () => {
    const census = await wardCensus(w.ctx, { userId: 'u-admin' });
    expect(census.patients.find((p) => p.id === 'p-a')).toMatchObject({
      open_alerts: 1,
      highest_severity: 'high',
      top_alert_kind: 'fall_risk',
      next_due_at: '2026-11-23T12:00:00.000Z',
    });
  });
});

describe('over IPC (the window)', () => {
  const t = workstationPerTest();

  it('says in words what is wrong with a form, never zod\'s "Too big: expected string to have <=100 characters"', async () => {
    await t.call('session.signIn', { method: 'password', username: 'rita', password: TEST_PASSWORD });
    const r = await t.dispatch('patients.register', {
      mrn: 'M'.repeat(101),
      name: '',
      birth_date: '1950-13-01',
      status: 'admitted',
      room_id: 'r-101',
    });
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    const message = (r as { error: { message: string } }).error.message;
    expect(message).toBe(
      'Medical record number is too long: at most 100 characters. Name is required. Birth date is not a real date.',
    );
  });

  it('a badge signs in whatever case the reader types it in', async () => {
    const s = await t.call<{ user: { id: string } }>('session.signIn', { method: 'badge', badge: '04a1b2c3', pin: TEST_PIN });
    expect(s.user.id).toBe('u-nina');
  });

  it('a badge set in lower case is stored as the reader reads it back in upper case', async () => {
    await t.call('session.signIn', { method: 'password', username: 'ada', password: TEST_PASSWORD });
    expect(await t.call('admin.updateBadge', { user_id: 'u-drlee', badge: 'aa00bb11' })).toMatchObject({ badge: 'AA00BB11' });
    expect(await t.dispatch('admin.updateBadge', { user_id: 'u-drsmith', badge: '04a1b2c3' })).toMatchObject({
      ok: false,
      error: { kind: 'conflict' },
    });
  });

  it('diagnostics before sign-in (or for a nurse) show no data counts, paths or configuration; an admin sees them', async () => {
    type Diag = {
      full: boolean;
      counts: Record<string, number> | null;
      database_path: string | null;
      config_path: string | null;
      config: Record<string, unknown>;
    };
    const anonymous = await t.call<Diag>('diagnostics.get');
    expect(anonymous).toMatchObject({ full: false, counts: null, database_path: null, config_path: null });
    expect(Object.keys(anonymous.config).sort()).toEqual(['autoLockMinutes', 'workstationName']);
    expect(JSON.stringify(anonymous)).not.toContain(t.dir);
    await t.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    expect(await t.call<Diag>('diagnostics.get')).toMatchObject({ full: false, counts: null, database_path: null });
    await t.call('session.signOut');
    await t.call('session.signIn', { method: 'password', username: 'ada', password: TEST_PASSWORD });
    const admin = await t.call<Diag>('diagnostics.get');
    expect(admin.full).toBe(true);
    expect(admin.counts?.patients).toBe(4);
    expect(admin.database_path).toContain(t.dir);
  });

  it('the break-glass lookup tells who an MRN belongs to only to those who may already read the chart', async () => {
    await t.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    expect(await t.call('breakGlass.find', { mrn: 'GH-0002' })).toEqual({
      patient: { id: 'p-b', mrn: 'GH-0002', name: null, birth_date: null },
      can_read: false,
      can_break_glass: true,
    });
    expect(await t.call('breakGlass.find', { mrn: 'GH-0001' })).toMatchObject({
      patient: { name: 'Alice Patient', birth_date: '1950-02-01' },
      can_read: true,
    });
  });
});
