/**
 * SPEC §7b through the real engine, policy and SQLite (issue 18, "What was seen" 2 and 3): a vitals entry
 * is one set scored with NEWS2 on save and escalated; a critical laboratory value raises a critical alert
 * however it is entered; an unusual combination needs a second look; a high or critical alert moves only
 * with a reason and at most 24 hours ahead; an acknowledged alert keeps who and when.
 */
import { describe, expect, it } from 'vitest';
import { wardCensus } from '../../src/services/queries/census';
import { openChart } from '../../src/services/queries/chart';
import { nurseWorklist } from '../../src/services/queries/worklist';
import { worldPerTest } from '../helpers/serviceWorld';
import { SMALL_FIXTURE } from '../helpers/world';

const w = worldPerTest(SMALL_FIXTURE);
const { run } = w;

/** The deteriorating patient of issue 18, on oxygen: NEWS2 17. */
const SEPTIC = {
  respiratory_rate: 32,
  oxygen_saturation: 84,
  inspired_oxygen: 'oxygen',
  blood_pressure_systolic: 82,
  blood_pressure_diastolic: 40,
  heart_rate: 138,
  consciousness: 'A',
  temperature: '35.0',
} as const;
const WELL = {
  ...SEPTIC,
  inspired_oxygen: 'air',
  respiratory_rate: 16,
  oxygen_saturation: 97,
  blood_pressure_systolic: 124,
  heart_rate: 72,
  temperature: '36.8',
};

describe('a set of vital signs', () => {
  it('saves the seven parameters and the diastolic pressure under one set id, scores NEWS2 17 and raises a critical alert', async () => {
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC });
    expect(saved.news2).toMatchObject({ total: 17, risk: 'high', monitoring_minutes: 15 });
    const rows = await w.db.all<{ code: string; set_id: string }>(
      'SELECT code, set_id FROM observations WHERE set_id = ? ORDER BY code',
      [saved.set_id],
    );
    expect(rows.map((r) => r.code)).toEqual([
      'blood_pressure_diastolic',
      'blood_pressure_systolic',
      'consciousness',
      'heart_rate',
      'inspired_oxygen',
      'oxygen_saturation',
      'respiratory_rate',
      'temperature',
    ]);
    expect(
      await w.db.get('SELECT id, kind, severity, message, status FROM alerts WHERE id = ?', [`news2:${saved.set_id}`]),
    ).toEqual({
      id: `news2:${saved.set_id}`,
      kind: 'news2',
      severity: 'critical',
      message: 'NEWS2 17 — emergency review',
      status: 'open',
    });
    // The next set is due after the monitoring interval (15 minutes at high risk).
    expect(Date.parse(saved.next_due) - Date.parse(saved.observations[0].recorded_at)).toBe(15 * 60_000);
  });

  it('raises nothing for a well patient, and the next set is due in 12 hours at NEWS2 0', async () => {
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: WELL });
    expect(saved.news2).toMatchObject({ total: 0, risk: 'low' });
    expect(saved.alert).toBeNull();
    expect(Date.parse(saved.next_due) - Date.parse(saved.observations[0].recorded_at)).toBe(720 * 60_000);
  });

  it('escalates one parameter scoring 3 to a medium "ward review" alert, and a total of 5 to a high one', async () => {
    const one3 = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: { ...WELL, consciousness: 'C' } });
    expect(one3.alert).toMatchObject({ severity: 'medium', message: 'NEWS2 3 — ward review: one parameter scored 3' });
    const five = await run('u-nina', 'recordVitalSet', {
      patient_id: 'p-a',
      values: { ...WELL, respiratory_rate: 22, heart_rate: 115, oxygen_saturation: 95 },
    });
    expect(five.alert).toMatchObject({ severity: 'high', message: 'NEWS2 5 — urgent review within the hour' });
  });

  it('scores on scale 2 where the patient has it prescribed', async () => {
    await w.db.run("UPDATE patients SET spo2_scale = 2 WHERE id = 'p-a'");
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: { ...WELL, oxygen_saturation: 89 } });
    expect(saved.news2).toMatchObject({ total: 0 });
  });

  it('keeps a set missing a parameter as one incomplete set: no total, what is missing named, nothing raised', async () => {
    const { respiratory_rate: _, ...rest } = SEPTIC;
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: rest });
    expect(saved.news2).toMatchObject({ total: null, risk: null, missing: ['respiratory_rate'] });
    expect(saved.alert).toBeNull();
    expect(saved.next_due).toBeNull();
    await expect(run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: {} })).rejects.toThrow(
      'Enter at least one measurement.',
    );
  });

  it('asks for a second look at HR 250 with BP 60/59, naming the values, and saves once confirmed', async () => {
    const odd = { ...WELL, heart_rate: 250, blood_pressure_systolic: 60, blood_pressure_diastolic: 59 };
    await expect(run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: odd })).rejects.toThrow(
      'Check before saving: blood pressure 60/59 mmHg (a pulse pressure of 1 mmHg); heart rate 250/min with a systolic pressure of 60 mmHg. Measure again, or confirm that these values are right.',
    );
    expect(await w.db.get("SELECT COUNT(*) AS n FROM observations WHERE code = 'heart_rate' AND value = '250'")).toEqual({
      n: 0,
    });
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: odd, confirmed_unusual: true });
    expect(saved.observations).toHaveLength(8);
  });

  it('is refused to a user who may not record vitals for the patient, writing nothing', async () => {
    await expect(run('u-clerk', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC })).rejects.toMatchObject({
      kind: 'forbidden',
    });
    expect(await w.db.get("SELECT COUNT(*) AS n FROM alerts WHERE kind = 'news2'")).toEqual({ n: 0 });
  });
});

describe('a critical laboratory result', () => {
  it('raises one critical alert with an id derived from the observation, when the lab enters potassium 7.9', async () => {
    const obs = await run('u-taylor', 'recordObservation', {
      patient_id: 'p-a',
      category: 'lab',
      code: 'potassium',
      value: '7.9',
      unit: 'mmol/L',
    });
    expect(await w.db.get('SELECT kind, severity, message, status FROM alerts WHERE id = ?', [`critical:${obs.id}`])).toEqual({
      kind: 'critical_result',
      severity: 'critical',
      message: 'Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.',
      status: 'open',
    });
  });

  it('raises nothing for a result within its limits, or for a vital sign', async () => {
    await run('u-taylor', 'recordObservation', {
      patient_id: 'p-a',
      category: 'lab',
      code: 'potassium',
      value: '6.5',
      unit: 'mmol/L',
    });
    await run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '103',
      unit: '/min',
    });
    expect(await w.db.get("SELECT COUNT(*) AS n FROM alerts WHERE kind = 'critical_result'")).toEqual({ n: 0 });
  });
});

describe('acting on alerts', () => {
  const critical = async (): Promise<string> =>
    (await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC })).alert.id as string;
  const hoursAhead = (h: number): string => new Date(Date.parse(w.clock.now().toISOString()) + h * 3_600_000).toISOString();

  it('refuses to move a critical alert without a reason, or more than 24 hours ahead', async () => {
    const id = await critical();
    await expect(run('u-nina', 'rescheduleAlert', { id, due_at: hoursAhead(2) })).rejects.toThrow(
      'A critical alert can be moved only with a reason and at most 24 hours ahead: give the reason.',
    );
    await expect(
      run('u-nina', 'rescheduleAlert', { id, due_at: hoursAhead(24 * 365), reason: 'Reviewed by Dr Lee' }),
    ).rejects.toThrow(
      'A critical alert can be moved only with a reason and at most 24 hours ahead: choose a time at most 24 hours from now.',
    );
    const moved = await run('u-nina', 'rescheduleAlert', {
      id,
      due_at: hoursAhead(2),
      reason: 'Reviewed by Dr Lee, repeat in 2 h',
    });
    expect(moved).toMatchObject({ due_at: hoursAhead(2), reschedule_reason: 'Reviewed by Dr Lee, repeat in 2 h' });
  });

  it('moves a high fall-risk alert the same way, and a medium one without a reason', async () => {
    await expect(run('u-nina', 'rescheduleAlert', { id: 'al-1', due_at: hoursAhead(30), reason: 'x' })).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(await run('u-drsmith', 'rescheduleAlert', { id: 'al-2', due_at: hoursAhead(48) })).toMatchObject({
      due_at: hoursAhead(48),
    });
  });

  it('records who acknowledged and when, and the alert stays on the patient', async () => {
    const id = await critical();
    const acked = await run('u-nina', 'acknowledgeAlert', { id });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_by: 'u-nina', acknowledged_at: expect.any(String) });
    expect(await w.db.get('SELECT status FROM alerts WHERE id = ?', [id])).toEqual({ status: 'acknowledged' });
  });
});

describe('the chart and the ward board', () => {
  it('show the latest NEWS2, when the next set is due, and the critical alert; the chart names who acknowledged', async () => {
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC });
    const census = await wardCensus(w.ctx, { userId: 'u-nina' });
    const alice = census.patients.find((p) => p.id === 'p-a')!;
    expect(alice).toMatchObject({
      news2_total: 17,
      news2_risk: 'high',
      next_set_due: saved.next_due,
      critical_alert: 'NEWS2 17 — emergency review',
    });
    // A patient without a set shows none (Bob, on the surgical ward, for Dr Smith).
    const surgery = await wardCensus(w.ctx, { userId: 'u-drsmith' });
    expect(surgery.patients.find((p) => p.id === 'p-b')).toMatchObject({
      news2_total: null,
      last_set_at: null,
      critical_alert: null,
    });

    await run('u-nina', 'acknowledgeAlert', { id: saved.alert.id });
    const chart = await openChart(w.ctx, { userId: 'u-drlee' }, 'p-a');
    expect(chart.alerts.find((a) => a.id === saved.alert.id)).toMatchObject({
      status: 'acknowledged',
      acknowledged_by_name: 'Nina Nurse',
    });
    expect(chart.news2_sets[0]).toMatchObject({
      set_id: saved.set_id,
      news2: { total: 17, risk: 'high' },
      next_due: saved.next_due,
    });
  });

  it('the chart says what an incomplete set is missing, and a child is not scored', async () => {
    const { temperature: _, ...rest } = WELL;
    await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: rest });
    expect((await openChart(w.ctx, { userId: 'u-nina' }, 'p-a')).news2_sets[0]!.news2).toMatchObject({
      total: null,
      missing: ['temperature'],
    });
    await w.db.run("UPDATE patients SET birth_date = '2014-06-01' WHERE id = 'p-a'");
    const child = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC });
    expect(child.news2).toMatchObject({ not_applicable: 'under_16', total: null });
    expect(child.alert).toBeNull();
    const census = await wardCensus(w.ctx, { userId: 'u-nina' });
    expect(census.patients.find((p) => p.id === 'p-a')).toMatchObject({ news2_note: 'under_16', news2_total: null });
  });
});

describe("a nurse's worklist", () => {
  it('is one list of typed items: the next set due from the monitoring interval and the alerts due, overdue first', async () => {
    const saved = await run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC });
    const items = await nurseWorklist(w.ctx, { userId: 'u-nina' });
    expect(items.map((i) => [i.kind, i.patient_id, i.due_at])).toEqual(
      expect.arrayContaining([
        ['set_due', 'p-a', saved.next_due],
        ['alert_due', 'p-a', expect.any(String)],
      ]),
    );
    expect(items.find((i) => i.kind === 'alert_due' && i.alert_id === saved.alert.id)).toMatchObject({
      title: 'NEWS2 17 — emergency review',
      severity: 'critical',
    });
    // Overdue items come first.
    const firstNotOverdue = items.findIndex((i) => !i.overdue);
    expect(items.slice(firstNotOverdue).every((i) => !i.overdue)).toBe(true);
    // Only her ward's patients (Cardiology): not Bob on Surgery.
    expect(items.some((i) => i.patient_id === 'p-b')).toBe(false);
  });
});
