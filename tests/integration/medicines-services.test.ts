/**
 * Issue 19 through the real engine, policy and SQLite of a workstation: prescribing with the allergy
 * check and its override, stopping, the SpO₂ scale; giving a dose only past the five rights, with the
 * nurse's reasons and the bypassed scans recorded; a dose not given needs a reason; a controlled
 * medicine needs a witness confirmed like a sign-in, without the nurse signing out; and the audit
 * trail names the medication order as the entity of every event.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { toFhirBundle } from '../../src/services/auditExport';
import { auditReportFor } from '../../src/services/queries/auditReport';
import { dosesDueNow, openMar } from '../../src/services/queries/mar';
import { WitnessConfirmations } from '../../src/services/witness';
import { readFixtureFile } from '../../src/store/fixture/load';
import { worldPerTest } from '../helpers/serviceWorld';
import { smallHospitalWithSecrets, TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

/** The ward-nursing world with passwords; Nora carries a badge. */
function fixture(): Record<string, unknown> {
  const f = readFixtureFile(FIXTURE) as Record<string, unknown>;
  const users = (f.users as Array<Record<string, unknown>>).map((u) => (u.id === 'u-nora' ? { ...u, badge: 'B-NORA' } : u));
  return smallHospitalWithSecrets({ ...f, users });
}

const w = worldPerTest(fixture);
const { run } = w;
const newId = (prefix: string): string => `${prefix}-${randomUUID()}`;

const order = (over: Record<string, unknown> = {}) => ({
  patient_id: 'p-a',
  medication: 'Furosemide',
  product_code: '05012345670003',
  dose: 40,
  unit: 'mg',
  route: 'oral',
  times: ['08:00', '10:00'],
  ...over,
});

/** The 10:00 furosemide of a fresh order, given right on time with every scan. */
const dose = (orderId: string, over: Record<string, unknown> = {}) => ({
  id: newId('mad'),
  order_id: orderId,
  status: 'given',
  scheduled_for: '2026-11-23T10:00:00.000Z',
  dose: 40,
  route: 'oral',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345670003' },
  ...over,
});

describe('prescribing', () => {
  it('a physician caring for the patient prescribes; a nurse may not', async () => {
    const o = await run('u-brown', 'prescribeMedication', order());
    expect(o).toMatchObject({ status: 'active', prescriber_id: 'u-brown', times: '["08:00","10:00"]', prn: 0 });
    await expect(run('u-nina', 'prescribeMedication', order())).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('a medicine matching an active allergy is refused without a reason, and kept with it for the nurse to see', async () => {
    const amox = order({ medication: 'Amoxicillin', product_code: '05012345670010' });
    await expect(run('u-brown', 'prescribeMedication', amox)).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/Amoxicillin is listed under Penicillin .* give your reason for overriding/),
    });
    const o = await run('u-brown', 'prescribeMedication', { ...amox, allergy_override_reason: 'Tolerated amoxicillin in 2024' });
    expect(o.allergy_override_reason).toBe('Tolerated amoxicillin in 2024');
    expect(await w.db.get("SELECT actor, reason FROM audit_events WHERE action = 'override_allergy'")).toEqual({
      actor: 'u-brown',
      reason: 'Tolerated amoxicillin in 2024',
    });
  });

  it('a prn order needs its minimum interval; dose times are clock times', async () => {
    await expect(run('u-brown', 'prescribeMedication', order({ times: [], prn: true }))).rejects.toMatchObject({
      message: expect.stringMatching(/Min interval hours is required for an as-required/),
    });
    await expect(run('u-brown', 'prescribeMedication', order({ times: ['8am'] }))).rejects.toMatchObject({
      message: expect.stringMatching(/24-hour clock/),
    });
  });

  it('a prescriber stops an order (with a reason); after that it cannot be given or stopped again', async () => {
    const o = await run('u-brown', 'prescribeMedication', order());
    await run('u-brown', 'stopMedicationOrder', { order_id: o.id, reason: 'Renal function worse' });
    await expect(run('u-nina', 'recordAdministration', dose(o.id))).rejects.toMatchObject({
      kind: 'forbidden',
      message: 'This order was stopped; it can no longer be given.',
    });
    await expect(run('u-brown', 'stopMedicationOrder', { order_id: o.id, reason: 'again' })).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });

  it("a prescriber sets the patient's SpO₂ scale; a nurse may not", async () => {
    await run('u-brown', 'setSpo2Scale', { patient_id: 'p-a', spo2_scale: 1 });
    expect(await w.db.get("SELECT spo2_scale FROM patients WHERE id = 'p-a'")).toEqual({ spo2_scale: 1 });
    await expect(run('u-nina', 'setSpo2Scale', { patient_id: 'p-a', spo2_scale: 2 })).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });
});

describe('giving a dose: the five rights', () => {
  let orderId: string;
  beforeEach(async () => {
    orderId = (await run('u-brown', 'prescribeMedication', order())).id;
  });

  it('as ordered and scanned: recorded with both scans', async () => {
    const d = await run('u-nina', 'recordAdministration', dose(orderId));
    expect(d).toMatchObject({ status: 'given', patient_scanned: 1, product_scanned: 1, reason: null, possible_double_dose: 0 });
  });

  it.each([
    ['another wristband', { wristband: { value: 'GH-0002' } }, /may be the wrong patient/],
    ['another package', { product: { value: '05012345678900' } }, /not the product ordered/],
    ['another dose', { dose: 80 }, /The order is 40 mg/],
    ['another route', { route: 'iv' }, /ordered oral, not iv/],
    ['the dose given already', {}, /already given/],
  ])('refuses %s', async (what, change, sentence) => {
    if (what === 'the dose given already') await run('u-nina', 'recordAdministration', dose(orderId));
    await expect(run('u-nina', 'recordAdministration', dose(orderId, change))).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(sentence),
    });
  });

  it('outside the window, or with a scan skipped, a reason is needed; with one the dose is recorded and the bypass shown', async () => {
    w.clock.set('2026-11-23T11:30:00Z');
    const late = dose(orderId, { wristband: { value: null } });
    await expect(run('u-nina', 'recordAdministration', late)).rejects.toMatchObject({
      message: expect.stringMatching(/wristband was not scanned.*1 h 30 min late/s),
    });
    const d = await run('u-nina', 'recordAdministration', {
      ...late,
      reasons: { patient: 'Wristband unreadable, identity confirmed verbally', time: 'Patient was in theatre' },
    });
    expect(d).toMatchObject({ patient_scanned: 0, product_scanned: 1 });
    expect(d.reason).toBe('Right patient: Wristband unreadable, identity confirmed verbally\nRight time: Patient was in theatre');
    expect(
      JSON.parse(
        (await w.db.get<{ details: string }>("SELECT details FROM audit_events WHERE action = 'override_medication_check'"))!
          .details,
      ),
    ).toMatchObject({ overridden: ['patient', 'time'], bypassed: ['patient'] });
  });

  it('a typed-in MRN is accepted but recorded as not scanned', async () => {
    const d = await run('u-nina', 'recordAdministration', dose(orderId, { wristband: { value: 'gh-0001', manual: true } }));
    expect(d).toMatchObject({ patient_scanned: 0, product_scanned: 1 });
  });

  it('a dose held, refused or not given needs a reason', async () => {
    await expect(
      run('u-nina', 'recordAdministration', {
        id: newId('mad'),
        order_id: orderId,
        status: 'held',
        scheduled_for: '2026-11-23T10:00:00Z',
      }),
    ).rejects.toMatchObject({ message: 'Reason is required when a dose is not given.' });
    const d = await run('u-nina', 'recordAdministration', {
      id: newId('mad'),
      order_id: orderId,
      status: 'held',
      scheduled_for: '2026-11-23T10:00:00Z',
      reason: 'Systolic 85, physician informed',
    });
    expect(d).toMatchObject({ status: 'held', dose: null, reason: 'Systolic 85, physician informed' });
    expect(await w.db.get("SELECT action, resource, reason FROM audit_events WHERE action = 'hold_medication'")).toEqual({
      action: 'hold_medication',
      resource: `MedicationOrder:${orderId}`,
      reason: 'Systolic 85, physician informed',
    });
  });

  it('an allergy overridden by the prescriber still needs the nurse’s reason', async () => {
    const amox = await run('u-brown', 'prescribeMedication', {
      ...order({ medication: 'Amoxicillin', product_code: '05012345670010' }),
      allergy_override_reason: 'Tolerated amoxicillin in 2024',
    });
    const d = dose(amox.id, { product: { value: '05012345670010' } });
    await expect(run('u-nina', 'recordAdministration', d)).rejects.toMatchObject({
      message: expect.stringMatching(/The prescriber overrode it: "Tolerated amoxicillin in 2024"/),
    });
    const given = await run('u-nina', 'recordAdministration', { ...d, reasons: { allergy: 'Discussed with Dr. Brown' } });
    expect(given.reason).toBe('Allergy: Discussed with Dr. Brown');
  });
});

const morphineDose = () => ({
  id: newId('mad'),
  order_id: 'mo-2',
  status: 'given',
  dose: 5,
  route: 'sc',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345678917' },
});

describe('a controlled medicine: the witness', () => {
  const morphine = (witness?: string) => ({
    id: newId('mad'),
    order_id: 'mo-2',
    status: 'given',
    dose: 5,
    route: 'sc',
    wristband: { value: 'GH-0001' },
    product: { value: '05012345678917' },
    ...(witness ? { witness_id: witness } : {}),
  });
  const sign = () => ({ db: w.db, clock: w.clock, organization: 'org-gh' });

  it('is needed, must be someone else, and must care for the patient', async () => {
    await expect(run('u-nina', 'recordAdministration', morphine())).rejects.toMatchObject({
      message: expect.stringMatching(/controlled medicine: a second member of staff must witness/),
    });
    await expect(run('u-nina', 'recordAdministration', morphine('u-nina'))).rejects.toMatchObject({
      message: expect.stringMatching(/someone else/),
    });
    await expect(run('u-nina', 'recordAdministration', morphine('u-rita'))).rejects.toMatchObject({ kind: 'forbidden' });
    const d = await run('u-nina', 'recordAdministration', morphine('u-nora'));
    expect(d.witness_id).toBe('u-nora');
    expect(
      await w.db.get(
        "SELECT actor, resource, json_extract(details, '$.witness_id') AS witness FROM audit_events WHERE action = 'witness_medication'",
      ),
    ).toEqual({ actor: 'u-nina', resource: 'MedicationOrder:mo-2', witness: 'u-nora' });
  });

  it('confirms with badge + PIN or password like a sign-in, once, for this nurse and order only', async () => {
    const confirmations = new WitnessConfirmations();
    const now = () => w.clock.now().getTime();
    const byBadge = await confirmations.confirm(sign(), { method: 'badge', badge: 'B-NORA', pin: TEST_PIN }, 'u-nina', 'mo-2');
    expect(byBadge.witness).toEqual({ id: 'u-nora', name: 'Nora Nurse (HIV cleared)' });
    expect(() => confirmations.take(byBadge.token, 'u-nina', 'mo-1', now())).toThrow(/expired or belongs to another dose/);
    // Taken (even wrongly) is spent.
    expect(() => confirmations.take(byBadge.token, 'u-nina', 'mo-2', now())).toThrow(/expired/);

    const byPassword = await confirmations.confirm(
      sign(),
      { method: 'password', username: 'nora', password: TEST_PASSWORD },
      'u-nina',
      'mo-2',
    );
    expect(confirmations.take(byPassword.token, 'u-nina', 'mo-2', now())).toEqual({ id: 'u-nora', key: null });

    await expect(
      confirmations.confirm(sign(), { method: 'password', username: 'nina', password: TEST_PASSWORD }, 'u-nina', 'mo-2'),
    ).rejects.toMatchObject({ message: expect.stringMatching(/second person/) });
    await expect(
      confirmations.confirm(sign(), { method: 'badge', badge: 'B-NORA', pin: '0000' }, 'u-nina', 'mo-2'),
    ).rejects.toMatchObject({ kind: 'unauthenticated' });
    // Audited and throttled as a sign-in is.
    expect(
      await w.db.get("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'sign_in_badge' AND decision = 'forbidden'"),
    ).toEqual({ n: 1 });

    const late = await confirmations.confirm(sign(), { method: 'badge', badge: 'B-NORA', pin: TEST_PIN }, 'u-nina', 'mo-2');
    w.clock.advanceMinutes(3);
    expect(() => confirmations.take(late.token, 'u-nina', 'mo-2', now())).toThrow(/expired/);
  });

  it('throttles a guessed PIN like a sign-in: after five failures the right PIN is refused too', async () => {
    const confirmations = new WitnessConfirmations();
    for (let i = 0; i < 5; i++) {
      await expect(
        confirmations.confirm(sign(), { method: 'badge', badge: 'B-NORA', pin: `000${i}` }, 'u-nina', 'mo-2'),
      ).rejects.toMatchObject({ kind: 'unauthenticated' });
    }
    await expect(
      confirmations.confirm(sign(), { method: 'badge', badge: 'B-NORA', pin: TEST_PIN }, 'u-nina', 'mo-2'),
    ).rejects.toMatchObject({ kind: 'unauthenticated' });
  });
});

describe('the MAR and the doses due now', () => {
  it("shows each order's doses of the last and next 24 hours: given, due, overdue, upcoming; prn doses as recorded", async () => {
    const furosemide = await run(
      'u-brown',
      'prescribeMedication',
      order({ starts_at: '2026-11-23T00:00:00Z', times: ['08:00', '10:00', '22:00'] }),
    );
    await run('u-nina', 'recordAdministration', { ...dose(furosemide.id), at: '2026-11-23T09:50:00Z' });
    w.clock.set('2026-11-23T12:00:00Z');
    const mar = await openMar(w.ctx, { userId: 'u-nina' }, 'p-a');
    expect(mar.may_prescribe).toBe(false);
    const f = mar.orders.find((o) => o.id === furosemide.id)!;
    expect(f.actions).toEqual(['read', 'administer']);
    expect(f.slots.map((s) => [s.scheduled_for.slice(11, 16), s.scheduled_for.slice(8, 10), s.state])).toEqual([
      ['08:00', '23', 'overdue'],
      ['10:00', '23', 'given'],
      ['22:00', '23', 'upcoming'],
      ['08:00', '24', 'upcoming'],
      ['10:00', '24', 'upcoming'],
    ]);
    expect(f.slots[1]!.administration).toMatchObject({ administered_by_name: 'Nina Nurse', patient_scanned: 1 });
    // The fixture's clarithromycin (08:00 given by Nina) and the prn morphine with its witness.
    const clari = mar.orders.find((o) => o.id === 'mo-1')!;
    expect(clari.slots.find((s) => s.scheduled_for === '2026-11-23T08:00:00.000Z')!.state).toBe('given');
    const morphine = mar.orders.find((o) => o.id === 'mo-2')!;
    expect(morphine.slots).toEqual([]);
    expect(morphine.administrations.map((a) => [a.administered_by_name, a.witness_name])).toEqual([
      ['Sue Nurse (night shift, ended)', 'Nina Nurse'],
    ]);
    // A stopped order more than 24 hours ago is not on the grid.
    expect(mar.orders.map((o) => o.id)).not.toContain('mo-3');
    expect((await openMar(w.ctx, { userId: 'u-brown' }, 'p-a')).may_prescribe).toBe(true);
    // A registration clerk reads the patient, not their medicines; a nurse of another ward not even the patient.
    expect((await openMar(w.ctx, { userId: 'u-rita' }, 'p-a')).orders).toEqual([]);
    await expect(openMar(w.ctx, { userId: 'u-gwen' }, 'p-a')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('lists the doses due now and overdue on the ward, of orders the nurse may give, not those recorded', async () => {
    w.clock.set('2026-11-23T19:30:00Z');
    const due = await dosesDueNow(w.ctx, { userId: 'u-nina' }, { wardId: 'ward-card' });
    expect(due.map((d) => [d.order_id, d.scheduled_for, d.state])).toEqual([
      // Victor (restricted) is not Nina's; yesterday evening's clarithromycin was never recorded.
      ['mo-1', '2026-11-22T20:00:00.000Z', 'overdue'],
      ['mo-1', '2026-11-23T20:00:00.000Z', 'due'],
    ]);
    await run('u-nina', 'recordAdministration', {
      id: newId('mad'),
      order_id: 'mo-1',
      status: 'refused',
      scheduled_for: '2026-11-23T20:00:00Z',
      reason: 'Patient declined, nauseous',
    });
    expect((await dosesDueNow(w.ctx, { userId: 'u-nina' }, { wardId: 'ward-card' })).map((d) => d.scheduled_for)).toEqual([
      '2026-11-22T20:00:00.000Z',
    ]);
    expect(await dosesDueNow(w.ctx, { userId: 'u-nina' }, { wardId: 'ward-surg' })).toEqual([]);
    expect(await dosesDueNow(w.ctx, { userId: 'u-rita' }, { wardId: null })).toEqual([]);
  });
});

describe('a stopped order on the MAR', () => {
  it('has no doses after it was stopped', async () => {
    const o = await run(
      'u-brown',
      'prescribeMedication',
      order({ starts_at: '2026-11-23T00:00:00Z', times: ['08:00', '18:00'] }),
    );
    w.clock.set('2026-11-23T12:00:00Z');
    await run('u-brown', 'stopMedicationOrder', { order_id: o.id, reason: 'Renal function worse' });
    const mar = await openMar(w.ctx, { userId: 'u-nina' }, 'p-a');
    const stopped = mar.orders.find((x) => x.id === o.id)!;
    expect(stopped.actions).toEqual(['read']);
    expect(stopped.slots.map((s) => [s.scheduled_for, s.state])).toEqual([['2026-11-23T08:00:00.000Z', 'overdue']]);
  });
});

describe('the audit trail of medicines', () => {
  it('prescribing, overriding, giving, witnessing, holding and stopping are events of the medication order, in the report and the BALP export', async () => {
    const o = await run('u-brown', 'prescribeMedication', {
      ...order({ medication: 'Amoxicillin', product_code: '05012345670010' }),
      allergy_override_reason: 'Tolerated amoxicillin in 2024',
    });
    await run('u-nina', 'recordAdministration', {
      ...dose(o.id, { product: { value: '05012345670010' } }),
      reasons: { allergy: 'Discussed with Dr. Brown' },
    });
    await run('u-nina', 'recordAdministration', { ...morphineDose(), witness_id: 'u-nora' });
    await run('u-nina', 'recordAdministration', {
      id: newId('mad'),
      order_id: o.id,
      status: 'held',
      scheduled_for: '2026-11-24T08:00:00Z',
      reason: 'Vomiting, physician informed',
    });
    await run('u-brown', 'stopMedicationOrder', { order_id: o.id, reason: 'Course changed' });
    const { rows } = await auditReportFor(
      w.ctx,
      { userId: 'u-admin' },
      {
        org_id: 'org-gh',
        from: '2026-11-23T00:00:00Z',
        to: '2026-11-24T00:00:00Z',
        filters: { resource: 'MedicationOrder:*' },
      },
    );
    expect(rows.map((r) => [r.action, r.resource])).toEqual([
      ['override_allergy', `MedicationOrder:${o.id}`],
      ['prescribe_medication', `MedicationOrder:${o.id}`],
      ['override_medication_check', `MedicationOrder:${o.id}`],
      ['give_medication', `MedicationOrder:${o.id}`],
      ['witness_medication', 'MedicationOrder:mo-2'],
      ['give_medication', 'MedicationOrder:mo-2'],
      ['hold_medication', `MedicationOrder:${o.id}`],
      ['stop_medication', `MedicationOrder:${o.id}`],
    ]);
    const bundle = toFhirBundle(rows, 'test', '2026-11-23T12:00:00Z') as { entry: Array<{ resource: any }> };
    const give = bundle.entry.find((e) => e.resource.entity.some((x: any) => x.what.reference === `MedicationRequest/${o.id}`))!;
    expect(give.resource.entity.map((x: any) => x.what)).toContainEqual({ reference: `MedicationRequest/${o.id}` });
    expect(bundle.entry.map((e) => e.resource.action)).toEqual(['E', 'C', 'E', 'C', 'E', 'C', 'C', 'U']);
  });
});
