/**
 * SPEC §3a labelled appointments through the use cases: the appointment stays visible to whoever may
 * read it, but its reason — and its label — reach only users cleared for the label on that patient
 * (the clinician counts); everyone else reads "Confidential visit", in the chart, the clinician's day
 * and every scheduling answer. Scheduling may set the label.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/domain/errors';
import { openChart } from '../../src/services/queries/chart';
import { clinicianDay } from '../../src/services/queries/today';
import { worldPerTest } from '../helpers/serviceWorld';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing-rules.fixture.json');

const w = worldPerTest(FIXTURE);
const { run } = w;
const appointment = async (who: string, id: string) =>
  (await openChart(w.ctx, { userId: who }, 'p-ann')).appointments.find((a) => a.id === id);

describe('the reason of a labelled appointment', () => {
  it('reads "Confidential visit" in the chart of a user not cleared for the label, and says nothing of the label', async () => {
    const nurse = await openChart(w.ctx, { userId: 'u-nurse' }, 'p-ann');
    const hiv = nurse.appointments.find((a) => a.id === 'ap-hiv')!;
    expect(hiv).toMatchObject({ reason: 'Confidential visit', sensitivity: null, status: 'completed', clinician_id: 'u-doc' });
    expect(nurse.appointments.find((a) => a.id === 'ap-exam')).toMatchObject({ reason: 'Ward review' });
    expect(JSON.stringify(nurse)).not.toMatch(/HIV clinic review|"hiv"/);
    for (const who of ['u-clerk', 'u-auditor', 'u-admin', 'u-nurse-psy'])
      expect(await appointment(who, 'ap-hiv'), who).toMatchObject({ reason: 'Confidential visit', sensitivity: null });
  });

  it('shows the reason and its label to users cleared for it: a cleared assignment, the clinician, the team, the patient, break-glass', async () => {
    for (const who of ['u-nurse-hiv', 'u-doc', 'u-team-nurse', 'u-ann', 'u-bg', 'u-relative'])
      expect(await appointment(who, 'ap-hiv'), who).toMatchObject({ reason: 'HIV clinic review', sensitivity: 'hiv' });
  });

  it("audits a chart reading as protected data only when it returned a labelled appointment's reason", async () => {
    const details = async (who: string): Promise<unknown> => {
      await openChart(w.ctx, { userId: who }, 'p-ann');
      const e = await w.db.get<{ details: string | null }>(
        "SELECT details FROM audit_events WHERE action = 'read' AND actor = ? ORDER BY seq DESC LIMIT 1",
        [who],
      );
      return e?.details ? JSON.parse(e.details) : null;
    };
    expect(await details('u-nurse-hiv')).toEqual({ protected: { sensitivity: { hiv: ['Appointment:ap-hiv'] } } });
    expect(await details('u-nurse')).toBeNull();
  });

  it('follows a clearance that ends with its shift', async () => {
    expect(await appointment('u-hiv-shift', 'ap-hiv')).toMatchObject({ reason: 'HIV clinic review' });
    w.clock.set('2026-11-23T12:00:00Z');
    expect(await appointment('u-hiv-shift', 'ap-hiv')).toMatchObject({ reason: 'Confidential visit', sensitivity: null });
  });

  it("shows the clinician's own labelled appointment in their day with its reason", async () => {
    const day = await clinicianDay(w.ctx, { userId: 'u-doc' }, { from: '2026-11-22T00:00:00Z', to: '2026-11-24T00:00:00Z' });
    expect(day.map((a) => [a.id, a.reason, a.sensitivity])).toEqual([
      ['ap-hiv', 'HIV clinic review', 'hiv'],
      ['ap-vip', 'Private review', 'psychiatry'],
    ]);
  });
});

describe('scheduling a labelled appointment', () => {
  it('stores the label and the reason; answers a clerk who is not cleared with "Confidential visit"', async () => {
    const made = await run('u-clerk', 'scheduleAppointment', {
      patient_id: 'p-ann',
      clinician_id: 'u-doc',
      scheduled_at: '2026-11-25T09:00:00Z',
      reason: 'Psychiatry consultation',
      sensitivity: 'psychiatry',
    });
    expect(made).toMatchObject({ reason: 'Confidential visit', sensitivity: null, status: 'scheduled' });
    expect(await w.db.get('SELECT reason, sensitivity FROM appointments WHERE id = ?', [made.id])).toEqual({
      reason: 'Psychiatry consultation',
      sensitivity: 'psychiatry',
    });
    expect(await appointment('u-nurse-psy', made.id)).toMatchObject({
      reason: 'Psychiatry consultation',
      sensitivity: 'psychiatry',
    });
    expect(await appointment('u-nurse', made.id)).toMatchObject({ reason: 'Confidential visit' });
    // Rescheduling and canceling it answer the clerk the same way.
    expect(await run('u-clerk', 'rescheduleAppointment', { id: made.id, scheduled_at: '2026-11-26T09:00:00Z' })).toMatchObject({
      reason: 'Confidential visit',
      sensitivity: null,
    });
    expect(await run('u-clerk', 'cancelAppointment', { id: made.id })).toMatchObject({ reason: 'Confidential visit' });
  });

  it('answers with the reason when the scheduler may see it, and leaves unlabelled appointments as they were', async () => {
    const plain = await run('u-clerk', 'scheduleAppointment', {
      patient_id: 'p-ann',
      clinician_id: 'u-doc',
      scheduled_at: '2026-11-25T10:00:00Z',
      reason: 'Check-up',
    });
    expect(plain).toMatchObject({ reason: 'Check-up', sensitivity: null });
    const started = await run('u-doc', 'startAppointment', { id: 'ap-vip' });
    expect(started).toMatchObject({ reason: 'Private review', sensitivity: 'psychiatry', status: 'in_progress' });
  });

  it('refuses a label that is not one of SPEC §3a', async () => {
    const e: AppError = await run('u-clerk', 'scheduleAppointment', {
      patient_id: 'p-ann',
      clinician_id: 'u-doc',
      scheduled_at: '2026-11-25T10:00:00Z',
      reason: 'Check-up',
      sensitivity: 'vip',
    }).catch((x: unknown) => x as AppError);
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(/Sensitivity must be one of psychiatry, hiv/);
  });
});
