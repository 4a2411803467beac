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

  it("labels Marco Horvat's HIV clinic review: Nina may read the appointment, not its reason; Vera and Dr. Smith may", async () => {
    const reason = (u: string) => engine.authorize({ userId: u }, 'read_reason', { type: 'Appointment', id: 'ap-hiv' });
    expect(await db.get("SELECT name FROM patients WHERE id = 'p-0004'")).toEqual({ name: 'Marco Horvat' });
    expect(await engine.authorize({ userId: 'u-nina' }, 'read', { type: 'Appointment', id: 'ap-hiv' })).toBe('allow');
    expect(await reason('u-nina')).toBe('forbidden');
    expect(await reason('u-vera')).toBe('allow');
    expect(await reason('u-smith')).toBe('allow');
  });
});
