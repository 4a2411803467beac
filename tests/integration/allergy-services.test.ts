/**
 * Allergies as a use case (SPEC §3b, issue 18 Deliver 4), through the real engine, policy and SQLite:
 * recorded by medical staff who may read the patient, moved to inactive or entered in error with a
 * reason and a history, never deleted; "No known allergies" refused while an allergy is active and
 * cleared by a new one; the chart and the census show them only to who may read them; every write is
 * audited and queued for sync.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wardCensus } from '../../src/services/queries/census';
import { openChart } from '../../src/services/queries/chart';
import { worldPerTest } from '../helpers/serviceWorld';
import { count } from '../helpers/world';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

const w = worldPerTest(FIXTURE);
const { run, failure } = w;

describe('recording an allergy', () => {
  it('is recorded by a ward nurse, audited, queued for sync and shown first in the chart when life-threatening', async () => {
    const a = await run('u-nina', 'recordAllergy', {
      patient_id: 'p-a',
      substance: 'Latex',
      reaction: 'Wheals',
      severity: 'moderate',
    });
    expect(a).toMatchObject({ status: 'active', recorded_by: 'u-nina', recorded_at: '2026-11-23T10:00:00.000Z' });
    expect(await count(w.db, 'audit_events', "action = 'record_allergy' AND decision = 'allow'")).toBe(1);
    expect(await count(w.db, 'outbox', "name = 'recordAllergy'")).toBe(1);
    const chart = await openChart(w.ctx, { userId: 'u-nina' }, 'p-a');
    expect(chart.allergies.readable).toBe(true);
    expect(chart.allergies.can_record).toBe(true);
    expect(chart.allergies.allergies.map((x) => [x.substance, x.severity, x.status])).toEqual([
      ['Penicillin', 'life_threatening', 'active'],
      ['Latex', 'moderate', 'active'],
    ]);
    expect(chart.allergies.allergies[1]).toMatchObject({
      recorded_by_name: 'Nina Nurse',
      actions: expect.arrayContaining(['read', 'update']),
    });
  });

  it('clears "No known allergies": both cannot stand together', async () => {
    await run('u-gwen', 'recordAllergy', { patient_id: 'p-b', substance: 'Plasters', severity: 'mild' });
    const chart = await openChart(w.ctx, { userId: 'u-gwen' }, 'p-b');
    expect(chart.allergies.no_known_allergies).toBe(false);
    expect(chart.allergies.allergies.filter((x) => x.status === 'active').map((x) => x.substance)).toEqual(['Plasters']);
  });

  it('is refused to a registration clerk, who reads the patient but not their allergies, and the refusal is audited', async () => {
    const e = await failure(run('u-rita', 'recordAllergy', { patient_id: 'p-a', substance: 'Latex', severity: 'mild' }));
    expect(e).toEqual({
      kind: 'forbidden',
      message: 'Only medical staff of this hospital who may read the patient may record an allergy.',
    });
    expect(await count(w.db, 'audit_events', "action = 'record_allergy' AND decision = 'forbidden'")).toBe(1);
    expect(await count(w.db, 'allergies', "patient_id = 'p-a'")).toBe(1);
  });
});

describe('changing an allergy', () => {
  it('marks it entered in error with a reason, keeps it, and tells who changed it, when and why', async () => {
    w.clock.advanceMinutes(5);
    await run('u-brown', 'changeAllergyStatus', {
      id: 'alg-1',
      from: 'active',
      status: 'entered_in_error',
      reason: 'Recorded for the patient in bed 102',
    });
    expect(await count(w.db, 'allergies', "id = 'alg-1'")).toBe(1);
    const chart = await openChart(w.ctx, { userId: 'u-nina' }, 'p-a');
    const alg = chart.allergies.allergies.find((x) => x.id === 'alg-1')!;
    expect(alg).toMatchObject({
      status: 'entered_in_error',
      status_changed_by: 'u-brown',
      status_reason: 'Recorded for the patient in bed 102',
    });
    expect(alg.history).toEqual([
      expect.objectContaining({
        previous_status: 'active',
        status: 'entered_in_error',
        changed_by: 'u-brown',
        changed_by_name: expect.any(String),
        changed_at: '2026-11-23T10:05:00.000Z',
        reason: 'Recorded for the patient in bed 102',
      }),
    ]);
    expect(
      await count(w.db, 'audit_events', "action = 'change_allergy_status' AND reason = 'Recorded for the patient in bed 102'"),
    ).toBe(1);
  });

  it('needs a reason, and refuses a move that raced with another one', async () => {
    expect(
      (await failure(run('u-nina', 'changeAllergyStatus', { id: 'alg-1', from: 'active', status: 'inactive', reason: ' ' })))
        .kind,
    ).toBe('invalid');
    await run('u-nina', 'changeAllergyStatus', {
      id: 'alg-1',
      from: 'active',
      status: 'inactive',
      reason: 'Tolerated amoxicillin',
    });
    const e = await failure(
      run('u-brown', 'changeAllergyStatus', { id: 'alg-1', from: 'active', status: 'entered_in_error', reason: 'Wrong patient' }),
    );
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain('Someone else changed this allergy meanwhile');
  });

  it('answers "not found" to someone who may not read it, as for an allergy that does not exist', async () => {
    const e = await failure(
      run('u-rita', 'changeAllergyStatus', { id: 'alg-1', from: 'active', status: 'inactive', reason: 'x' }),
    );
    expect(e).toEqual({ kind: 'not_found', message: 'That allergy was not found.' });
  });
});

describe('"No known allergies"', () => {
  it('is refused while an active allergy exists, naming it', async () => {
    const e = await failure(run('u-nina', 'setNoKnownAllergies', { patient_id: 'p-a', no_known_allergies: true }));
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain('active allergy to Penicillin');
  });

  it('is recorded once the only allergy is marked inactive, and withdrawn again', async () => {
    await run('u-nina', 'changeAllergyStatus', {
      id: 'alg-1',
      from: 'active',
      status: 'inactive',
      reason: 'Tolerated amoxicillin',
    });
    await run('u-nina', 'setNoKnownAllergies', { patient_id: 'p-a', no_known_allergies: true });
    expect((await openChart(w.ctx, { userId: 'u-nina' }, 'p-a')).allergies.no_known_allergies).toBe(true);
    await run('u-nina', 'setNoKnownAllergies', { patient_id: 'p-a', no_known_allergies: false });
    expect((await openChart(w.ctx, { userId: 'u-nina' }, 'p-a')).allergies.no_known_allergies).toBe(false);
    expect(await count(w.db, 'audit_events', "action IN ('record_no_known_allergies', 'withdraw_no_known_allergies')")).toBe(2);
  });
});

describe('who sees allergies', () => {
  it('leaves them out of the chart and the census for a clerk: not "not recorded", not a count', async () => {
    const chart = await openChart(w.ctx, { userId: 'u-rita' }, 'p-a');
    expect(chart.allergies).toEqual({ readable: false, can_record: false, no_known_allergies: null, allergies: [] });
    const census = await wardCensus(w.ctx, { userId: 'u-rita' });
    expect(census.patients.every((p) => p.allergy === null)).toBe(true);
  });

  it("marks the census row of a patient with an active allergy for the ward's nurse", async () => {
    const census = await wardCensus(w.ctx, { userId: 'u-nina' }, { wardId: 'ward-card' });
    expect(census.patients.find((p) => p.id === 'p-a')!.allergy).toEqual({
      substances: ['Penicillin'],
      worst: 'life_threatening',
    });
  });
});
