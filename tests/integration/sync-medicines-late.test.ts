/**
 * Issue 19, "nothing a nurse recorded offline is lost, whatever the order of reconnection": a dose
 * given offline reaches the server after the facts changed — the order was stopped (before or after
 * the dose), the nurse's shift ended, the patient was discharged. The server keeps each as a fact,
 * decided again as at the bedside (src/domain/lateDose.ts, docs/clinical-rules.md "Doses that arrive
 * late"), marks it, and a dose given after the stop raises ONE `critical` alert that reaches the
 * workstation. What was never allowed stays refused. SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import { at, dischargeFinally, doseGivenOffline, wardNursingWorld, scheduledDose, setClocks } from '../helpers/offlineDoses';
import { describeSync, post, signedChange, type TestWorkstation } from '../helpers/sync';

type Dose = { id: string; reason: string | null };

describeSync('a dose given offline that reaches the server after the facts changed', wardNursingWorld, (t) => {
  const serverDose = (id: string): Promise<Dose | undefined> =>
    t.srv.db.get<Dose>('SELECT id, reason FROM medication_administrations WHERE id = ?', [id]);
  const stopOrder = async (): Promise<void> => {
    const res = await t.asUser('brown', 'stopMedicationOrder', { order_id: 'mo-1', reason: 'Rash since this afternoon' });
    expect(res.status).toBe(200);
  };
  /** Reconnects, and checks nothing waits or was refused and the dose is on the server (and here, when its users may still read it). */
  const reconnectAndKeep = async (a: TestWorkstation, id: string, heldHere = true): Promise<Dose> => {
    a.online = true;
    await a.sync.syncNow();
    await a.sync.syncNow();
    expect((await a.sync.status()).pending).toBe(0);
    expect(await t.serverCount('mutations', "status <> 'applied'")).toBe(0);
    if (heldHere) expect(await a.ids('medication_administrations')).toContain(id);
    const kept = await serverDose(id);
    expect(kept).toBeDefined();
    return kept!;
  };

  it('stopped on the server before the dose was given offline: kept, marked, one critical alert here and there', async () => {
    const { a, d } = await doseGivenOffline(t, { offlineAt: at('19:50'), meanwhile: stopOrder });
    setClocks(t, at('20:10'), a);

    const kept = await reconnectAndKeep(a, d.id);
    expect(kept.reason).toMatch(/^Given after the order was stopped/);
    const alert = {
      severity: 'critical',
      status: 'open',
      kind: 'stopped_order_dose',
      message: expect.stringMatching(/^Given after the order was stopped: Clarithromycin 500 mg/),
    };
    expect(
      await t.srv.db.get('SELECT severity, status, kind, message FROM alerts WHERE id = ?', [`stopped-order-dose:${d.id}`]),
    ).toEqual(alert);
    expect(
      await a.db.get('SELECT severity, status, kind, message FROM alerts WHERE id = ?', [`stopped-order-dose:${d.id}`]),
    ).toEqual(alert);
    // The workstation holds the server's record, with its mark.
    expect((await a.db.get<Dose>('SELECT id, reason FROM medication_administrations WHERE id = ?', [d.id]))!.reason).toBe(
      kept.reason,
    );
    // Sent again (a lost answer): still one alert.
    expect(await t.serverCount('alerts', "kind = 'stopped_order_dose'")).toBe(1);
  }, 120_000);

  it('stopped on the server after the dose was given offline: kept and marked as given before the stop, no alert', async () => {
    const { a, d } = await doseGivenOffline(t);
    setClocks(t, at('20:05'), a);
    await stopOrder();
    setClocks(t, at('20:10'), a);

    const kept = await reconnectAndKeep(a, d.id);
    expect(kept.reason).toMatch(/^Recorded after the order was stopped .*given before the stop/);
    expect(await t.serverCount('alerts', "kind = 'stopped_order_dose'")).toBe(0);
  }, 120_000);

  it("the nurse's shift ended before the workstation reconnected: kept as given at the bedside", async () => {
    const { a, d } = await doseGivenOffline(t);
    // Her assignment ends at 20:05 (the roster changed on the server while the workstation was offline).
    await t.srv.db.run("UPDATE role_assignments SET valid_until = ? WHERE user_id = 'u-nina'", [at('20:05')]);
    setClocks(t, at('20:10'), a);

    // Nina, the workstation's only user, no longer cares for Alice: her chart leaves the workstation, the dose stays on the server.
    const kept = await reconnectAndKeep(a, d.id, false);
    expect(kept.reason).toMatch(/^Recorded after access changed/);
  }, 120_000);

  it('the patient was discharged meanwhile: the dose is kept', async () => {
    const { a, d } = await doseGivenOffline(t);
    setClocks(t, at('20:05'), a);
    expect((await t.asUser('brown', 'dischargePatient', { id: 'p-a' })).status).toBe(200);
    setClocks(t, at('20:10'), a);

    await reconnectAndKeep(a, d.id);
  }, 120_000);

  it('the patient was finally discharged after the dose was given offline: kept, marked, decided in the room they left', async () => {
    const { a, d } = await doseGivenOffline(t);
    await dischargeFinally(t, a, at('20:05'), at('20:06'));
    // The room is cleared; where the patient was, and when they left, are kept.
    expect(
      await t.srv.db.get("SELECT room_id, discharged_from_room_id, final_discharged_at FROM patients WHERE id = 'p-a'"),
    ).toEqual({ room_id: null, discharged_from_room_id: 'r-101', final_discharged_at: at('20:06') });
    setClocks(t, at('20:10'), a);

    // Nina's ward no longer covers Alice: her chart leaves the workstation, the dose stays on the server.
    const kept = await reconnectAndKeep(a, d.id, false);
    expect(kept.reason).toMatch(/^Recorded after access changed/);
    // Put back for that one decision only: the patient has no room, and Nina no longer sees the chart.
    expect(await t.srv.db.get("SELECT room_id, status FROM patients WHERE id = 'p-a'")).toEqual({
      room_id: null,
      status: 'final_discharged',
    });
    expect(await a.ids('patients')).not.toContain('p-a');
  }, 120_000);

  it('a dose whose time is after the final discharge stays refused', async () => {
    const { a, d } = await doseGivenOffline(t, {
      offlineAt: at('19:58'),
      meanwhile: (a) => dischargeFinally(t, a, at('19:58'), at('20:00')),
    });
    setClocks(t, at('20:10'), a);

    a.online = true;
    await a.sync.syncNow();
    expect(await t.serverCount('mutations', "status = 'rejected'")).toBe(1);
    expect(await serverDose(d.id)).toBeUndefined();
  }, 120_000);

  it('what was never allowed stays refused: a clerk, a time in the future of the server, a time before the order started', async () => {
    const ws = await t.workstationWith('ward-pc', 'nina', 'rita');
    setClocks(t, at('20:10'), ws);
    await stopOrder();
    const device = (await ws.sync.enrollment())!;
    const auth = `Device ${device.device_id}.${device.secret}`;
    const change = (seq: number, actor: string, args: object) =>
      signedChange(ws, { id: `m-late-${seq}`, seq, name: 'recordAdministration', args, actor, created_at: at('20:10') });
    const res = await post(
      t.srv.url,
      '/v2/sync/push',
      {
        protocol: 2,
        mutations: [
          await change(1, 'u-rita', scheduledDose('20:02')),
          await change(2, 'u-nina', {
            ...scheduledDose('20:02'),
            scheduled_for: at('20:00', '2026-11-24'),
            at: at('20:02', '2026-11-24'),
          }),
          await change(3, 'u-nina', {
            ...scheduledDose('20:02'),
            scheduled_for: at('08:00', '2026-11-15'),
            at: at('08:02', '2026-11-15'),
          }),
        ],
      },
      auth,
    );
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: any) => [o.id, o.status, o.error?.kind])).toEqual([
      // A clerk may not even read the order: not found, as for any write on what one may not read.
      ['m-late-1', 'rejected', 'not_found'],
      ['m-late-2', 'rejected', 'forbidden'],
      ['m-late-3', 'rejected', 'forbidden'],
    ]);
    expect(await t.serverCount('medication_administrations', "order_id = 'mo-1' AND id <> 'ma-1'")).toBe(0);
    expect(await t.serverCount('alerts', "kind = 'stopped_order_dose'")).toBe(0);
  }, 120_000);
});
