/** The demo hospital loads through the fixture loader and gives every documented login something to do. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthzEngine } from '../../src/authz/engine';
import { seedDemo } from '../../src/cli/demoSeed';
import { DEMO_LOGINS } from '../../src/demo/hospital';
import { ManualClock } from '../../src/domain/time';
import { SqliteDb } from '../../src/store/sqlite';
import { tempDir } from '../helpers/world';

const NOW = '2026-11-23T10:00:00.000Z';
const tmp = tempDir();
let db: SqliteDb;
let engine: AuthzEngine;

beforeAll(async () => {
  const file = path.join(tmp.dir, 'demo.db');
  const counts = await seedDemo(file, NOW);
  expect(counts).toMatchObject({ facilities: 3, wards: 7 });
  expect(counts.patients).toBeGreaterThanOrEqual(120);
  db = new SqliteDb(file);
  engine = await AuthzEngine.create({ db, clock: new ManualClock(NOW) });
}, 120_000);
afterAll(async () => {
  await db.close();
  tmp.cleanup();
});

const ids = async (userId: string, type: 'Patient' | 'Appointment' | 'Observation' | 'Record'): Promise<string[]> =>
  (await engine.list<{ id: string }>({ userId }, 'read', type, { columns: 'm.id' })).map((r) => r.id);

describe('demo hospital', () => {
  it('has a password for every documented login', async () => {
    for (const { username } of DEMO_LOGINS) {
      const row = await db.get<{ password_hash: string | null }>(
        'SELECT c.password_hash FROM users u JOIN credentials c ON c.user_id = u.id WHERE u.username = ?',
        [username],
      );
      expect(row?.password_hash, username).toMatch(/^scrypt\$/);
    }
  });

  it('gives the cardiology nurse her ward and nothing else', async () => {
    const patients = await ids('u-nina', 'Patient');
    expect(patients.length).toBe(20);
    expect(patients).toContain('p-alice');
  });

  it("has today's appointments for Dr. Smith and an examination in progress for Dr. Brown", async () => {
    const smith = await engine.list<{ scheduled_at: string }>({ userId: 'u-smith' }, 'read', 'Appointment', {
      where: 'm.clinician_id = ?',
      params: ['u-smith'],
    });
    expect(smith.filter((a) => a.scheduled_at.startsWith('2026-11-23')).length).toBeGreaterThanOrEqual(5);
    expect(await engine.authorize({ userId: 'u-brown' }, 'read', { type: 'Patient', id: 'p-alice' })).toBe('allow');
  });

  it('keeps the other organization apart and shows a clerk no clinical data', async () => {
    expect(await ids('u-sam', 'Patient')).toEqual(['p-sun-1']);
    expect(await ids('u-rita', 'Observation')).toEqual([]);
    expect((await ids('u-rita', 'Patient')).length).toBeGreaterThan(50);
  });

  it('shows SPEC §3a: a restricted VIP, labelled items, a cleared nurse, a consent restriction, facility outpatients', async () => {
    const decide = (u: string, action: string, type: 'Patient' | 'Record' | 'Observation', id: string) =>
      engine.authorize({ userId: u }, action, { type, id });
    expect(await decide('u-vera', 'read', 'Patient', 'p-vip')).toBe('allow');
    expect(await decide('u-nina', 'read', 'Patient', 'p-vip')).toBe('not_found');
    expect(await decide('u-nina', 'break_glass', 'Patient', 'p-vip')).toBe('allow');
    expect(await decide('u-vera', 'read', 'Record', 'rec-hiv-1')).toBe('allow');
    expect(await decide('u-vera', 'read', 'Record', 'rec-psy-1')).toBe('not_found');
    expect(await decide('u-nina', 'read', 'Observation', 'obs-hiv-1')).toBe('not_found');
    expect(await decide('u-smith', 'read', 'Record', 'rec-psy-1')).toBe('allow');
    expect(await decide('u-day-card', 'read', 'Patient', 'p-0006')).toBe('not_found');
    expect(await decide('u-day-card', 'break_glass', 'Patient', 'p-0006')).toBe('allow');
    expect(await decide('u-nina', 'read', 'Patient', 'p-0006')).toBe('allow');
    const outpatients = await db.all<{ id: string; facility_id: string }>(
      "SELECT id, facility_id FROM patients WHERE status = 'outpatient' AND room_id IS NULL",
    );
    expect(outpatients.length).toBeGreaterThan(10);
    for (const p of outpatients)
      expect(await decide('u-rita', 'read', 'Patient', p.id), p.id).toBe(p.facility_id === 'fac-main' ? 'allow' : 'not_found');
  });

  it('shows SPEC §3b: allergies are Allergy rows (never alerts), in every severity and status, with their history', async () => {
    expect(await db.all("SELECT id FROM alerts WHERE kind = 'allergy'")).toEqual([]);
    const allergies = await db.all<{ id: string; severity: string; status: string }>(
      'SELECT id, severity, status FROM allergies',
    );
    expect(new Set(allergies.map((a) => a.severity))).toEqual(new Set(['mild', 'moderate', 'severe', 'life_threatening']));
    expect(new Set(allergies.map((a) => a.status))).toEqual(new Set(['active', 'inactive', 'entered_in_error']));
    // The drawn allergy alerts became allergies with the ids the server's migration gives old ones.
    expect(allergies.filter((a) => /^alg-al-\d+$/.test(a.id)).length).toBeGreaterThan(0);
    for (const a of allergies.filter((x) => x.status !== 'active'))
      expect(await db.get('SELECT COUNT(*) AS n FROM allergy_status_changes WHERE allergy_id = ?', [a.id]), a.id).toEqual({
        n: 1,
      });
    // Some patients were checked and have none; most are not recorded yet.
    const nka = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients WHERE no_known_allergies = 1'))!.n);
    const unrecorded = Number(
      (await db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM patients p WHERE no_known_allergies IS NULL AND NOT EXISTS (SELECT 1 FROM allergies a WHERE a.patient_id = p.id)',
      ))!.n,
    );
    expect(nka).toBeGreaterThan(3);
    expect(unrecorded).toBeGreaterThan(50);
    // Nina reads Alice's allergies; the registration clerk does not (she manages, she does not treat).
    const alice = async (userId: string) =>
      (await engine.list<{ id: string }>({ userId }, 'read', 'Allergy', { where: "m.patient_id = 'p-alice'" }))
        .map((r) => r.id)
        .sort();
    expect(await alice('u-nina')).toEqual(['alg-alice-latex', 'alg-alice-pen']);
    expect(await alice('u-rita')).toEqual([]);
  });

  it('shows SPEC §3b: orders scheduled and prn (one controlled, one stopped), doses, handover notes, SpO2 scale 2, vital-sign sets', async () => {
    const orders = await db.all<{ prn: number; controlled: number; status: string; ends_at: string | null }>(
      'SELECT prn, controlled, status, ends_at FROM medication_orders',
    );
    expect(orders.some((o) => o.prn === 1)).toBe(true);
    expect(orders.some((o) => o.prn === 0)).toBe(true);
    expect(orders.some((o) => o.controlled === 1)).toBe(true);
    expect(orders.some((o) => o.status === 'stopped')).toBe(true);
    const doses = await db.all<{ status: string }>('SELECT DISTINCT status FROM medication_administrations ORDER BY status');
    expect(doses.map((d) => d.status)).toEqual(['given', 'held', 'refused']);
    expect(await db.get('SELECT COUNT(*) AS n FROM medication_administrations WHERE witness_id IS NOT NULL')).toEqual({ n: 1 });
    expect(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM handover_notes'))!.n)).toBeGreaterThan(2);
    expect(await db.all('SELECT id FROM patients WHERE spo2_scale = 2')).toEqual([{ id: 'p-0002' }]);
    // Every vital sign of the demo belongs to a set of four taken together.
    expect(
      await db.get(
        "SELECT COUNT(*) AS n FROM observations WHERE category = 'vitals' AND set_id IS NULL AND patient_id <> 'p-vip'",
      ),
    ).toEqual({
      n: 0,
    });
    expect(
      await db.all('SELECT COUNT(*) AS n FROM observations WHERE set_id IS NOT NULL GROUP BY set_id HAVING COUNT(*) <> 4'),
    ).toEqual([]);
    // Nina gives Alice's antibiotics; Dr. Smith prescribes for her; the lab technician reads them only.
    const decide = (u: string, action: string, id: string) =>
      engine.authorize({ userId: u }, action, { type: 'MedicationOrder', id });
    expect(await decide('u-nina', 'administer', 'mo-alice-clari')).toBe('allow');
    expect(await decide('u-nina', 'administer', 'mo-alice-paracetamol')).toBe('forbidden');
    expect(await decide('u-smith', 'create', 'mo-alice-clari')).toBe('allow');
    expect(await decide('u-taylor', 'administer', 'mo-alice-clari')).toBe('forbidden');
  });

  it("labels Marco Horvat's HIV clinic review: Nina may read the appointment, not its reason; Vera and Dr. Smith may", async () => {
    const reason = (u: string) => engine.authorize({ userId: u }, 'read_reason', { type: 'Appointment', id: 'ap-hiv' });
    expect(await db.get("SELECT name FROM patients WHERE id = 'p-0004'")).toEqual({ name: 'Marco Horvat' });
    expect(await engine.authorize({ userId: 'u-nina' }, 'read', { type: 'Appointment', id: 'ap-hiv' })).toBe('allow');
    expect(await reason('u-nina')).toBe('forbidden');
    expect(await reason('u-vera')).toBe('allow');
    expect(await reason('u-smith')).toBe('allow');
  });
});
