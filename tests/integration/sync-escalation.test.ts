/**
 * SPEC §7b over sync: the alert a set or a critical result raises has an id derived from what raised it,
 * so the workstation that raised it offline and the server that replays the same use case write the
 * same row, and no workstation ever holds it twice. When the server scores the set otherwise (the
 * patient's SpO₂ scale changed meanwhile), the server's decision wins on the workstation: its alert is
 * withdrawn or replaced by the server's. SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeSync, syncFixture } from '../helpers/sync';

const SEPTIC = {
  respiratory_rate: 32,
  oxygen_saturation: 84,
  inspired_oxygen: 'oxygen',
  blood_pressure_systolic: 82,
  blood_pressure_diastolic: 40,
  heart_rate: 138,
  consciousness: 'A',
  temperature: '35.0',
};

describeSync('escalation', syncFixture, (t) => {
  it('a set saved offline raises news2:<set> there; the server raises the same id; both workstations hold it once', async () => {
    const a = await t.workstationWith('ward-a', 'nina');
    const b = await t.workstationWith('ward-b', 'nora');
    a.online = false;
    const saved = await a.run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: SEPTIC });
    const id = `news2:${saved.set_id}`;
    expect(await a.db.get('SELECT severity, message FROM alerts WHERE id = ?', [id])).toEqual({
      severity: 'critical',
      message: 'NEWS2 17 — emergency review',
    });
    a.online = true;
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();
    expect(await t.serverCount('alerts', "kind = 'news2'")).toBe(1);
    expect(await t.serverCount('alerts', 'id = ?', [id])).toBe(1);
    for (const ws of [a, b]) {
      expect(await ws.db.all("SELECT id, severity, status FROM alerts WHERE kind = 'news2'")).toEqual([
        { id, severity: 'critical', status: 'open' },
      ]);
      expect((await ws.sync.status()).pending).toBe(0);
    }
    // Acknowledged on B, the one alert says who on A too.
    await b.run('u-nora', 'acknowledgeAlert', { id });
    await b.sync.syncNow();
    await a.sync.syncNow();
    expect(await a.db.all("SELECT id, acknowledged_by FROM alerts WHERE kind = 'news2'")).toEqual([
      { id, acknowledged_by: 'u-nora' },
    ]);
  });

  it('a critical potassium entered by the lab on the server reaches the ward as exactly one critical alert', async () => {
    const ward = await t.workstationWith('ward-a', 'nina');
    const obsId = `obs-${randomUUID()}`;
    const res = await t.asUser('taylor', 'recordObservation', {
      id: obsId,
      patient_id: 'p-a',
      category: 'lab',
      code: 'potassium',
      value: '7.9',
      unit: 'mmol/L',
    });
    expect(res.status).toBe(200);
    await ward.sync.syncNow();
    await ward.sync.syncNow();
    expect(await ward.db.all("SELECT id, severity, message FROM alerts WHERE kind = 'critical_result'")).toEqual([
      { id: `critical:${obsId}`, severity: 'critical', message: 'Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.' },
    ]);
    expect(await t.serverCount('alerts', "kind = 'critical_result'")).toBe(1);
  });

  it('a critical result recorded offline on a lab workstation is raised there and on the server under one id', async () => {
    const lab = await t.workstationWith('lab-pc', 'taylor');
    const ward = await t.workstationWith('ward-a', 'nina');
    lab.online = false;
    const obs = await lab.run('u-taylor', 'recordObservation', {
      patient_id: 'p-a',
      category: 'lab',
      code: 'potassium',
      value: '7.9',
      unit: 'mmol/L',
    });
    expect(await lab.ids('alerts')).toContain(`critical:${obs.id}`);
    lab.online = true;
    await lab.sync.syncNow();
    await lab.sync.syncNow();
    await ward.sync.syncNow();
    expect(await t.serverCount('alerts', "kind = 'critical_result'")).toBe(1);
    for (const ws of [lab, ward])
      expect(await ws.db.all("SELECT id FROM alerts WHERE kind = 'critical_result'")).toEqual([{ id: `critical:${obs.id}` }]);
  });

  /** Scale 1 scores SpO₂ 88 % on air 3; scale 2 (hypercapnic respiratory failure) scores it 0. */
  const HYPERCAPNIC = {
    ...SEPTIC,
    inspired_oxygen: 'air',
    oxygen_saturation: 88,
    respiratory_rate: 16,
    blood_pressure_systolic: 124,
    heart_rate: 72,
    temperature: '36.8',
  };

  it('a set the server scores on scale 2 raises nothing there, and the workstation withdraws the alert it raised offline', async () => {
    const a = await t.workstationWith('ward-a', 'nina');
    const b = await t.workstationWith('ward-b', 'nora');
    a.online = false;
    // Prescribed scale 2 on the server while ward A is offline (A still scores on scale 1).
    await t.srv.db.run("UPDATE patients SET spo2_scale = 2 WHERE id = 'p-a'");
    const saved = await a.run('u-nina', 'recordVitalSet', { patient_id: 'p-a', values: HYPERCAPNIC });
    const id = `news2:${saved.set_id}`;
    expect(await a.db.get('SELECT severity FROM alerts WHERE id = ?', [id])).toEqual({ severity: 'medium' });
    a.online = true;
    await a.sync.syncNow();
    await a.sync.syncNow();
    await b.sync.syncNow();
    expect(await t.serverCount('alerts', "kind = 'news2'")).toBe(0);
    for (const ws of [a, b]) {
      expect(await ws.db.all("SELECT id FROM alerts WHERE kind = 'news2'")).toEqual([]);
      expect((await ws.sync.status()).pending).toBe(0);
    }
    // The set itself is kept: only the escalation was the server's to decide.
    expect(await a.db.get('SELECT COUNT(*) AS n FROM observations WHERE set_id = ?', [saved.set_id])).toEqual({ n: 8 });
  });

  it("a set the server scores lower is held once, with the server's severity", async () => {
    const a = await t.workstationWith('ward-a', 'nina');
    a.online = false;
    await t.srv.db.run("UPDATE patients SET spo2_scale = 2 WHERE id = 'p-a'");
    // Scale 1: SpO₂ 3 + RR 25 3 = 6, urgent review (high); scale 2: RR 3 alone, a ward review (medium).
    const saved = await a.run('u-nina', 'recordVitalSet', {
      patient_id: 'p-a',
      values: { ...HYPERCAPNIC, respiratory_rate: 25 },
    });
    const id = `news2:${saved.set_id}`;
    expect(await a.db.get('SELECT severity FROM alerts WHERE id = ?', [id])).toEqual({ severity: 'high' });
    a.online = true;
    await a.sync.syncNow();
    await a.sync.syncNow();
    expect(await t.serverCount('alerts', 'id = ?', [id])).toBe(1);
    expect(await a.db.all("SELECT id, severity FROM alerts WHERE kind = 'news2'")).toEqual([{ id, severity: 'medium' }]);
  });
});
