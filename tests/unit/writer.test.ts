/**
 * Rows written by code that predates a column (a patient inserted without SPEC §3b's spo2_scale, an
 * order without its flags) take the database's default, and the change the writer records — what a
 * refused offline write is undone from — holds exactly what was stored.
 */
import { describe, expect, it } from 'vitest';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { Writer } from '../../src/store/writer';

describe('writer', () => {
  it('fills the defaults of columns a caller leaves out, in the row and in the change it records', async () => {
    const db = new SqliteDb(':memory:');
    await migrate(db, WORKSTATION_SETS);
    await db.run("INSERT INTO organizations (id, name) VALUES ('o', 'O')");
    await db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u', 'o', 'U', 'u')");
    const w = new Writer(db);
    await w.insert('patients', {
      id: 'p',
      org_id: 'o',
      mrn: '1',
      name: 'P',
      birth_date: '1970-01-01',
      room_id: null,
      status: 'outpatient',
      restricted: 0,
      facility_id: null,
    });
    await w.insert('medication_orders', {
      id: 'mo',
      patient_id: 'p',
      medication: 'Paracetamol',
      dose: 1,
      unit: 'g',
      route: 'oral',
      starts_at: '2026-11-23T10:00:00.000Z',
      prescriber_id: 'u',
      status: 'active',
    });
    expect(await db.get("SELECT spo2_scale, no_known_allergies FROM patients WHERE id = 'p'")).toEqual({
      spo2_scale: 1,
      no_known_allergies: null,
    });
    expect(await db.get("SELECT times, prn, controlled FROM medication_orders WHERE id = 'mo'")).toEqual({
      times: '[]',
      prn: 0,
      controlled: 0,
    });
    expect(w.changes[0]!.after).toMatchObject({ spo2_scale: 1, no_known_allergies: null });
    expect(w.changes[1]!.after).toMatchObject({ times: '[]', prn: 0, controlled: 0 });
    await db.close();
  });
});
