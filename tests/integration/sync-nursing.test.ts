/**
 * SPEC §3b over sync: allergies (and their status moves), handover notes, orders and doses live in
 * their patient's partition and travel to a workstation exactly where one of its users may read them;
 * a labelled appointment's reason travels as "Confidential visit" (no label) until a user cleared for
 * it signs in there, and is masked again when the label changes; the allergy alerts of an earlier
 * version reach workstations as Allergy rows after the server's migration. SQLite and PostgreSQL.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { SERVER_SETS } from '../../src/server/context';
import { newWriter } from '../../src/services/context';
import { readFixtureFile } from '../../src/store/fixture/load';
import { migrate } from '../../src/store/migrate';
import { describeSync, type TestWorkstation } from '../helpers/sync';
import { smallHospitalWithSecrets } from '../helpers/workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

/** The shared ward-nursing world with passwords, and one allergy still written as an alert (an earlier version's data). */
function world(): Record<string, unknown> {
  const f = smallHospitalWithSecrets(readFixtureFile(FIXTURE) as Record<string, unknown>);
  return {
    ...f,
    alerts: [
      ...(f.alerts as object[]),
      {
        id: 'al-old-allergy',
        patient: 'p-a',
        kind: 'allergy',
        severity: 'medium',
        message: 'Aspirin allergy',
        due_at: '2026-11-20T08:00:00Z',
        status: 'acknowledged',
      },
    ],
  };
}

const NURSING = ['allergies', 'allergy_status_changes', 'handover_notes', 'medication_orders', 'medication_administrations'];

describeSync('ward nursing over sync', world, (t) => {
  const workstation = t.workstationWith;
  const holds = async (ws: TestWorkstation): Promise<Record<string, string[]>> =>
    Object.fromEntries(await Promise.all(NURSING.map(async (t) => [t, await ws.ids(t)] as const)));
  const write = async (fn: (w: ReturnType<typeof newWriter>) => Promise<unknown>): Promise<void> => {
    await t.srv.db.transaction(async () => {
      await fn(newWriter(t.srv.server.ctx));
    });
  };

  it('travels exactly where a user may read it: a ward nurse, a lab technician, a registration clerk', async () => {
    const ward = await workstation('ward-pc', 'nina');
    expect(await holds(ward)).toEqual({
      allergies: ['alg-1'],
      allergy_status_changes: [],
      handover_notes: ['ho-1'],
      medication_orders: ['mo-1', 'mo-2', 'mo-3'],
      medication_administrations: ['ma-1', 'ma-2'],
    });
    // The users the rows name travel as their parents (the night nurse who wrote the handover note).
    expect(await ward.db.get("SELECT name FROM users WHERE id = 'u-sue'")).toEqual({ name: 'Sue Nurse (night shift, ended)' });
    // A dose carries its order's patient; the order travels with it.
    expect(
      await ward.db.get("SELECT patient_id, order_id, witness_id FROM medication_administrations WHERE id = 'ma-2'"),
    ).toEqual({
      patient_id: 'p-a',
      order_id: 'mo-2',
      witness_id: 'u-nina',
    });

    // Lab technicians are clinical readers (allergies, orders, doses), not carers (handover notes).
    const lab = await workstation('lab-pc', 'taylor');
    expect(await holds(lab)).toMatchObject({
      allergies: ['alg-1', 'alg-3', 'alg-4'],
      handover_notes: [],
      medication_orders: ['mo-1', 'mo-2', 'mo-3', 'mo-5', 'mo-6', 'mo-7'],
    });

    // A registration clerk holds the patients, none of their nursing or medicines.
    const desk = await workstation('desk-pc', 'rita');
    expect((await desk.ids('patients')).length).toBeGreaterThan(2);
    expect(Object.values(await holds(desk)).flat()).toEqual([]);

    // A new allergy and its status move reach the ward, not the desk.
    await write(async (w) => {
      await w.insert('allergies', {
        id: 'alg-new',
        patient_id: 'p-a',
        substance: 'Latex',
        reaction: null,
        severity: 'mild',
        status: 'inactive',
        recorded_by: 'u-nina',
        recorded_at: '2026-11-23T09:00:00.000Z',
        status_changed_by: 'u-brown',
        status_changed_at: '2026-11-23T09:30:00.000Z',
        status_reason: 'Tested negative',
      });
      await w.insert('allergy_status_changes', {
        id: 'asc-new',
        allergy_id: 'alg-new',
        patient_id: 'p-a',
        previous_status: 'active',
        status: 'inactive',
        changed_by: 'u-brown',
        changed_at: '2026-11-23T09:30:00.000Z',
        reason: 'Tested negative',
      });
    });
    await ward.sync.syncNow();
    await desk.sync.syncNow();
    expect(await ward.ids('allergies')).toEqual(['alg-1', 'alg-new']);
    expect(await ward.ids('allergy_status_changes')).toEqual(['asc-new']);
    expect(Object.values(await holds(desk)).flat()).toEqual([]);
  }, 120_000);

  it('a labelled appointment travels as "Confidential visit" until a cleared user signs in; a new label masks it again', async () => {
    const ws = await workstation('ward-pc', 'nina');
    // ap-2 is labelled psychiatry: the appointment is there, its reason and label are not.
    expect(await ws.db.get("SELECT reason, sensitivity, status FROM appointments WHERE id = 'ap-2'")).toEqual({
      reason: 'Confidential visit',
      sensitivity: null,
      status: 'completed',
    });
    expect(JSON.stringify(await ws.db.all('SELECT * FROM appointments'))).not.toMatch(/Liaison review|psychiatry/);

    // Dr. Smith (its clinician, in the psychiatry team) signs in there: the reason arrives.
    await ws.signIn('smith');
    await ws.sync.syncNow();
    expect(await ws.db.get("SELECT reason, sensitivity FROM appointments WHERE id = 'ap-2'")).toEqual({
      reason: 'Liaison review',
      sensitivity: 'psychiatry',
    });

    // ap-1 gains a label neither of them is cleared for: masked on the next cycle, back when it is removed.
    await write((w) => w.update('appointments', { id: 'ap-1' }, { sensitivity: 'hiv' }));
    await ws.sync.syncNow();
    expect(await ws.db.get("SELECT reason, sensitivity FROM appointments WHERE id = 'ap-1'")).toEqual({
      reason: 'Confidential visit',
      sensitivity: null,
    });
    await write((w) => w.update('appointments', { id: 'ap-1' }, { sensitivity: null }));
    await ws.sync.syncNow();
    expect(await ws.db.get("SELECT reason, sensitivity FROM appointments WHERE id = 'ap-1'")).toEqual({
      reason: 'Chest pain exam',
      sensitivity: null,
    });
  }, 120_000);

  it("the server's migration turns an earlier version's allergy alert into an Allergy the workstation receives", async () => {
    const ws = await workstation('ward-pc', 'nina');
    expect(await ws.ids('alerts')).toContain('al-old-allergy');
    // The server upgrades (server/0020 runs on the data as an earlier version left it). The runner applies
    // only versions above the highest one held, so the later server files are undone too and run again.
    await t.srv.db.exec(
      'DROP TABLE fhir_export_jobs; DROP TABLE fhir_access_tokens; DROP TABLE fhir_client_assertions; DROP TABLE fhir_clients',
    );
    await t.srv.db.run("DELETE FROM schema_migrations WHERE set_name = 'server' AND version >= 20");
    expect((await migrate(t.srv.db, SERVER_SETS(t.srv.db))).applied.map((m) => `${m.set}/${m.version}`)).toEqual([
      'server/20',
      'server/30',
      'server/32',
    ]);
    await ws.sync.syncNow();
    expect(await ws.ids('alerts')).not.toContain('al-old-allergy');
    expect(
      await ws.db.get("SELECT patient_id, substance, severity, status FROM allergies WHERE id = 'alg-al-old-allergy'"),
    ).toEqual({
      patient_id: 'p-a',
      substance: 'Aspirin',
      severity: 'moderate',
      status: 'active',
    });
  }, 120_000);
});
